using System;
using System.Collections.Generic;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Omapi.Core.Protocol;

namespace Omapi.Core.Objects
{
    /// <summary>
    /// Any OMAPI object as the server returned it: its type (when known), the server, and its attributes as omshell prints
    /// them. The typed classes (<see cref="OmapiLease"/>, <see cref="OmapiHost"/> ...) are read from this; the raw bytes
    /// are <see cref="GetValues"/> and <see cref="ToDictionary"/>.
    /// </summary>
    public sealed class OmapiObject : IOmapiObject
    {
        private IReadOnlyDictionary<string, string?>? _text;

        /// <summary>Creates the object.</summary>
        [MethodImpl(HotPath.Optimize)]
        public OmapiObject(string? type, uint handle, OmapiValueList values)
            : this(type, handle, values, null)
        {
        }

        /// <summary>Creates the object, as read from <paramref name="server"/>.</summary>
        [MethodImpl(HotPath.Optimize)]
        public OmapiObject(string? type, uint handle, OmapiValueList values, string? server)
        {
            Type = type;
            Handle = handle;
            RawValues = values ?? throw new ArgumentNullException(nameof(values));
            Server = server;
        }

        /// <summary>The object type name (e.g. "lease"), when the request named it.</summary>
        public string? Type { get; }

        /// <summary>
        /// The attributes by name, in the server's order, as omshell prints them: printable text in double quotes
        /// (<c>"alpha"</c>), anything else as colon hex (<c>00:00:00:02</c>); null for OMAPI's null (unset). A name sent twice
        /// keeps its last value, as in dhcpd.
        /// </summary>
        public IReadOnlyDictionary<string, string?> Values => _text ??= BuildText();

        /// <summary>The server the object came from (null when it was not read through a session).</summary>
        public string? Server { get; }

        /// <summary>The server's handle (see <see cref="GetHandle"/>).</summary>
        internal uint Handle { get; }

        /// <summary>The attributes as the server sent them.</summary>
        internal OmapiValueList RawValues { get; }

        /// <summary>The server's handle for the object: valid on every connection, for the life of the server process.</summary>
        public uint GetHandle() => Handle;

        /// <summary>The attributes as the server sent them, in its order (raw bytes; a zero-length value is null).</summary>
        public OmapiValueList GetValues() => RawValues;

        /// <summary>The attributes as a name → bytes dictionary (last value wins).</summary>
        public IReadOnlyDictionary<string, byte[]> ToDictionary()
        {
            var d = new Dictionary<string, byte[]>(StringComparer.Ordinal);
            foreach (OmapiValue v in RawValues)
            {
                d[v.Name] = v.Value;
            }

            return d;
        }

        /// <summary>The same object, as read from <paramref name="server"/>.</summary>
        internal OmapiObject From(string server) => new OmapiObject(Type, Handle, RawValues, server);

        /// <summary>
        /// A value as omshell prints it (ISC's print_hex_or_string): printable ASCII in double quotes, anything else as colon
        /// hex; null for a zero-length value.
        /// </summary>
        public static string? FormatValue(byte[] value)
        {
            if (value == null || value.Length == 0)
            {
                return null;
            }

            foreach (byte b in value)
            {
                if (b < 0x20 || b > 0x7e)
                {
                    return OmapiEncoding.ToHex(value);
                }
            }

            return "\"" + Encoding.ASCII.GetString(value) + "\"";
        }

        /// <inheritdoc />
        public override string ToString() => string.Format(CultureInfo.InvariantCulture, "{0} ({1} values)", Type ?? "object", RawValues.Count);

        internal byte[]? Raw(string name)
        {
            byte[]? v = RawValues.Get(name);
            return v == null || v.Length == 0 ? null : v;
        }

        internal uint? UInt32(string name)
        {
            byte[]? v = Raw(name);
            return v == null ? (uint?)null : OmapiEncoding.ToUInt32(v, name);
        }

        internal DateTimeOffset? Time(string name)
        {
            byte[]? v = Raw(name);
            return v == null ? null : OmapiEncoding.ToTime(v, name);
        }

        internal string? Text(string name)
        {
            byte[]? v = Raw(name);
            return v == null ? null : OmapiEncoding.ToText(v);
        }

        internal string? Hex(string name)
        {
            byte[]? v = Raw(name);
            return v == null ? null : OmapiEncoding.ToHex(v);
        }

        private Dictionary<string, string?> BuildText()
        {
            var d = new Dictionary<string, string?>(StringComparer.Ordinal);
            foreach (OmapiValue v in RawValues)
            {
                d[v.Name] = FormatValue(v.Value);
            }

            return d;
        }
    }
}
