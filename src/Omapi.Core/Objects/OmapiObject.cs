using System;
using System.Collections.Generic;
using System.Globalization;
using Omapi.Core.Protocol;

namespace Omapi.Core.Objects
{
    /// <summary>
    /// Any OMAPI object as the server returned it: its type (when known), handle, and attributes as raw bytes.
    /// The typed classes (<see cref="OmapiLease"/>, <see cref="OmapiHost"/> ...) are read from this.
    /// </summary>
    public sealed class OmapiObject
    {
        /// <summary>Creates the object.</summary>
        public OmapiObject(string? type, uint handle, OmapiValueList values)
        {
            Type = type;
            Handle = handle;
            Values = values ?? throw new ArgumentNullException(nameof(values));
        }

        /// <summary>The object type name (e.g. "lease"), when the request named it.</summary>
        public string? Type { get; }

        /// <summary>The server's handle for the object: valid on every connection, for the life of the server process.</summary>
        public uint Handle { get; }

        /// <summary>The attributes, in the server's order.</summary>
        public OmapiValueList Values { get; }

        /// <summary>The attributes as a name → bytes dictionary (last value wins).</summary>
        public IReadOnlyDictionary<string, byte[]> ToDictionary()
        {
            var d = new Dictionary<string, byte[]>(StringComparer.Ordinal);
            foreach (OmapiValue v in Values)
            {
                d[v.Name] = v.Value;
            }

            return d;
        }

        /// <inheritdoc />
        public override string ToString() => string.Format(CultureInfo.InvariantCulture, "{0} handle {1} ({2} values)", Type ?? "object", Handle, Values.Count);

        internal byte[]? Raw(string name)
        {
            byte[]? v = Values.Get(name);
            return v == null || v.Length == 0 ? null : v;
        }

        internal uint? UInt32(string name)
        {
            byte[]? v = Raw(name);
            return v == null ? (uint?)null : OmapiEncoding.ToUInt32(v, name);
        }

        internal DateTime? Time(string name)
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
    }
}
