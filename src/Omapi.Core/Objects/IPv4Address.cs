using System;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace Omapi.Core.Objects
{
    /// <summary>
    /// An IPv4 address as a value: compares and sorts by its number (198.51.100.95 before 198.51.100.100), prints as dotted
    /// text, parses from it, and converts to <see cref="IPAddress"/> where one is needed. PowerShell's typed views of the
    /// objects' addresses (see PSOmapi.Types.ps1xml) are of this type, so that <c>Sort-Object IPAddress</c> sorts by value and
    /// <c>-eq '198.51.100.10'</c> compares with text.
    /// </summary>
    public readonly struct IPv4Address : IComparable, IComparable<IPv4Address>, IEquatable<IPv4Address>
    {
        private readonly uint _value;

        /// <summary>The address whose number (in network order, a.b.c.d = a·2²⁴ + b·2¹⁶ + c·2⁸ + d) is <paramref name="value"/>.</summary>
        public IPv4Address(uint value) => _value = value;

        /// <summary>Parses dotted text (<c>198.51.100.10</c>): four decimal numbers 0..255. Throws <see cref="FormatException"/> otherwise.</summary>
        public static IPv4Address Parse(string text) =>
            TryParse(text, out IPv4Address address)
                ? address
                : throw new FormatException("'" + text + "' is not an IPv4 address: write it as four numbers 0..255 separated by dots, e.g. 198.51.100.10.");

        /// <summary>Parses dotted text (<c>198.51.100.10</c>, surrounding white space allowed); false for anything else.</summary>
        public static bool TryParse(string? text, out IPv4Address address)
        {
            address = default;
            if (text == null)
            {
                return false;
            }

            string[] parts = text.Trim().Split('.');
            if (parts.Length != 4)
            {
                return false;
            }

            uint value = 0;
            foreach (string part in parts)
            {
                if (part.Length == 0 || part.Length > 3 || !uint.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out uint octet) || octet > 255)
                {
                    return false;
                }

                value = (value << 8) | octet;
            }

            address = new IPv4Address(value);
            return true;
        }

        /// <summary>The address of an IPv4 (or IPv4-mapped IPv6) <see cref="IPAddress"/>; <see cref="ArgumentException"/> for any other.</summary>
        public static IPv4Address FromIPAddress(IPAddress address)
        {
            if (address == null)
            {
                throw new ArgumentNullException(nameof(address));
            }

            if (address.AddressFamily != AddressFamily.InterNetwork && !address.IsIPv4MappedToIPv6)
            {
                throw new ArgumentException("'" + address + "' is not an IPv4 address.", nameof(address));
            }

            byte[] b = (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).GetAddressBytes();
            return new IPv4Address(((uint)b[0] << 24) | ((uint)b[1] << 16) | ((uint)b[2] << 8) | b[3]);
        }

        /// <summary>The address as a number (see the constructor).</summary>
        public uint ToUInt32() => _value;

        /// <summary>The address as an <see cref="IPAddress"/>.</summary>
        [MethodImpl(HotPath.Optimize)]
        public IPAddress ToIPAddress() => new IPAddress(GetAddressBytes());

        /// <summary>The four bytes in network order.</summary>
        [MethodImpl(HotPath.Optimize)]
        public byte[] GetAddressBytes() => new[] { (byte)(_value >> 24), (byte)(_value >> 16), (byte)(_value >> 8), (byte)_value };

        /// <summary>Dotted text: <c>198.51.100.10</c>.</summary>
        public override string ToString() => string.Format(
            CultureInfo.InvariantCulture, "{0}.{1}.{2}.{3}", _value >> 24, (_value >> 16) & 0xff, (_value >> 8) & 0xff, _value & 0xff);

        /// <inheritdoc />
        public int CompareTo(IPv4Address other) => _value.CompareTo(other._value);

        /// <summary>Compares with another <see cref="IPv4Address"/> (null sorts first); anything else is an <see cref="ArgumentException"/>.</summary>
        public int CompareTo(object? obj) => obj switch
        {
            null => 1,
            IPv4Address other => CompareTo(other),
            _ => throw new ArgumentException("An IPv4Address compares only with another IPv4Address.", nameof(obj)),
        };

        /// <inheritdoc />
        public bool Equals(IPv4Address other) => _value == other._value;

        /// <inheritdoc />
        public override bool Equals(object? obj) => obj is IPv4Address other && Equals(other);

        /// <inheritdoc />
        public override int GetHashCode() => _value.GetHashCode();

        /// <summary>The address as an <see cref="IPAddress"/> (what the module's -IPAddress parameters take).</summary>
        public static implicit operator IPAddress(IPv4Address address) => address.ToIPAddress();

        /// <summary>The address of an IPv4 <see cref="IPAddress"/> (see <see cref="FromIPAddress"/>).</summary>
        public static explicit operator IPv4Address(IPAddress address) => FromIPAddress(address);

        /// <summary>Equal addresses.</summary>
        public static bool operator ==(IPv4Address left, IPv4Address right) => left.Equals(right);

        /// <summary>Different addresses.</summary>
        public static bool operator !=(IPv4Address left, IPv4Address right) => !left.Equals(right);

        /// <summary>Orders by number.</summary>
        public static bool operator <(IPv4Address left, IPv4Address right) => left._value < right._value;

        /// <summary>Orders by number.</summary>
        public static bool operator <=(IPv4Address left, IPv4Address right) => left._value <= right._value;

        /// <summary>Orders by number.</summary>
        public static bool operator >(IPv4Address left, IPv4Address right) => left._value > right._value;

        /// <summary>Orders by number.</summary>
        public static bool operator >=(IPv4Address left, IPv4Address right) => left._value >= right._value;
    }
}
