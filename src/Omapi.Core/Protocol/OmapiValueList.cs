using System;
using System.Collections;
using System.Collections.Generic;
using System.Runtime.CompilerServices;

namespace Omapi.Core.Protocol
{
    /// <summary>One name/value pair of an OMAPI value list. A zero-length value is OMAPI's "null" (unset).</summary>
    public readonly struct OmapiValue : IEquatable<OmapiValue>
    {
        /// <summary>Creates a pair. <paramref name="value"/> may be empty to mean "null".</summary>
        public OmapiValue(string name, byte[] value)
        {
            OmapiValueList.ValidateName(name);
            Name = name;
            Value = value ?? throw new ArgumentNullException(nameof(value));
        }

        /// <summary>The attribute name (bytes 1..255 map to chars one to one).</summary>
        public string Name { get; }

        /// <summary>The raw value bytes; empty means null.</summary>
        public byte[] Value { get; }

        /// <summary>True when the value is OMAPI's null (length 0).</summary>
        public bool IsNull => Value.Length == 0;

        /// <inheritdoc />
        public bool Equals(OmapiValue other) =>
            string.Equals(Name, other.Name, StringComparison.Ordinal) && OmapiEncoding.BytesEqual(Value, other.Value);

        /// <inheritdoc />
        public override bool Equals(object? obj) => obj is OmapiValue v && Equals(v);

        /// <inheritdoc />
        public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Name ?? string.Empty) ^ (Value?.Length ?? 0);

        /// <summary>Equality operator.</summary>
        public static bool operator ==(OmapiValue left, OmapiValue right) => left.Equals(right);

        /// <summary>Inequality operator.</summary>
        public static bool operator !=(OmapiValue left, OmapiValue right) => !left.Equals(right);

        /// <inheritdoc />
        public override string ToString() => Name + "=" + OmapiEncoding.ToHex(Value ?? Array.Empty<byte>());
    }

    /// <summary>
    /// An ordered OMAPI name/value list (the message values or the object values of a message).
    /// Names are case-sensitive byte strings; the same name may occur twice, and lookups return the last one,
    /// as dhcpd's generic object does.
    /// </summary>
    public sealed class OmapiValueList : IReadOnlyList<OmapiValue>
    {
        private readonly List<OmapiValue> _items;

        /// <summary>Creates an empty list.</summary>
        public OmapiValueList() => _items = new List<OmapiValue>();

        /// <summary>Creates an empty list with room for <paramref name="capacity"/> values (the decoder: an object has ~15).</summary>
        internal OmapiValueList(int capacity) => _items = new List<OmapiValue>(capacity);

        /// <summary>Creates a list holding <paramref name="values"/> in order.</summary>
        public OmapiValueList(IEnumerable<OmapiValue> values) => _items = new List<OmapiValue>(values);

        /// <summary>An empty list; do not add to it.</summary>
        internal static OmapiValueList Empty { get; } = new OmapiValueList();

        /// <inheritdoc />
        public int Count => _items.Count;

        /// <inheritdoc />
        public OmapiValue this[int index] => _items[index];

        /// <summary>Appends raw bytes (an empty array is null).</summary>
        [MethodImpl(HotPath.Optimize)]
        public OmapiValueList Add(string name, byte[] value)
        {
            _items.Add(new OmapiValue(name, value));
            return this;
        }

        /// <summary>Appends a 4-byte big-endian integer (integers, enums, booleans, times, handles).</summary>
        public OmapiValueList Add(string name, uint value) => Add(name, OmapiEncoding.FromUInt32(value));

        /// <summary>Appends a string as its bytes without a terminator. Strings are sent as UTF-8.</summary>
        public OmapiValueList Add(string name, string value) => Add(name, OmapiEncoding.FromString(value));

        /// <summary>Appends a null value (length 0): "unset this attribute".</summary>
        public OmapiValueList AddNull(string name) => Add(name, Array.Empty<byte>());

        /// <summary>Returns the last value with this name, or null when absent.</summary>
        [MethodImpl(HotPath.Optimize)]
        public byte[]? Get(string name)
        {
            for (int i = _items.Count - 1; i >= 0; i--)
            {
                if (string.Equals(_items[i].Name, name, StringComparison.Ordinal))
                {
                    return _items[i].Value;
                }
            }

            return null;
        }

        /// <summary>True when a value with this name is present (null values included).</summary>
        public bool Contains(string name) => Get(name) != null;

        /// <inheritdoc />
        public IEnumerator<OmapiValue> GetEnumerator() => _items.GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        [MethodImpl(HotPath.Optimize)]
        internal static void ValidateName(string name)
        {
            if (name == null)
            {
                throw new ArgumentNullException(nameof(name));
            }

            if (name.Length == 0 || name.Length > ushort.MaxValue)
            {
                throw new ArgumentException("An OMAPI name must be 1 to 65535 bytes long (length 0 is the list terminator).", nameof(name));
            }

            foreach (char c in name)
            {
                if (c > '\u00ff')
                {
                    throw new ArgumentException("An OMAPI name is a byte string; '" + name + "' holds characters outside Latin-1.", nameof(name));
                }
            }
        }
    }
}
