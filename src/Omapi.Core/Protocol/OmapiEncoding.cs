using System;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;

namespace Omapi.Core.Protocol
{
    /// <summary>Value encodings dhcpd produces and expects (omapi-protocol.md section 2.4).</summary>
    public static class OmapiEncoding
    {
        private static readonly UTF8Encoding StrictUtf8 = new UTF8Encoding(false, true);
        private static readonly DateTime Epoch = new DateTime(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc);

        /// <summary>A 4-byte big-endian integer.</summary>
        public static byte[] FromUInt32(uint value) =>
            new[] { (byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value };

        /// <summary>Reads a 4-byte big-endian integer; any other length is a <see cref="OmapiMalformedValueException"/>.</summary>
        public static uint ToUInt32(byte[] value, string name)
        {
            if (value == null || value.Length != 4)
            {
                throw new OmapiMalformedValueException(name, value, "a 4-byte integer");
            }

            return ReadUInt32(value, 0);
        }

        /// <summary>A string as UTF-8 bytes, no terminator (an empty string becomes OMAPI null).</summary>
        public static byte[] FromString(string value) =>
            Encoding.UTF8.GetBytes(value ?? throw new ArgumentNullException(nameof(value)));

        /// <summary>Decodes a string value: UTF-8 when valid, otherwise Latin-1 so that no byte is lost.</summary>
        public static string ToText(byte[] value)
        {
            if (value == null)
            {
                throw new ArgumentNullException(nameof(value));
            }

            try
            {
                return StrictUtf8.GetString(value);
            }
            catch (DecoderFallbackException)
            {
                return Latin1ToString(value, 0, value.Length);
            }
        }

        /// <summary>An IPv4 address as its 4 raw bytes. OMAPI is IPv4-only.</summary>
        [MethodImpl(HotPath.Optimize)]
        public static byte[] FromIPv4(IPAddress address)
        {
            if (address == null)
            {
                throw new ArgumentNullException(nameof(address));
            }

            if (address.AddressFamily != AddressFamily.InterNetwork)
            {
                if (address.IsIPv4MappedToIPv6)
                {
                    return address.MapToIPv4().GetAddressBytes();
                }

                throw new ArgumentException("OMAPI is IPv4-only (dhcpd's OMAPI objects hold IPv4 addresses); '" + address + "' is not an IPv4 address.", nameof(address));
            }

            return address.GetAddressBytes();
        }

        /// <summary>Reads a 4-byte IPv4 address.</summary>
        public static IPAddress ToIPv4(byte[] value, string name)
        {
            if (value == null || value.Length != 4)
            {
                throw new OmapiMalformedValueException(name, value, "a 4-byte IPv4 address");
            }

            return new IPAddress(value);
        }

        /// <summary>Reads a time (u32 seconds since the Unix epoch) as an instant with offset +00:00, as dhcpd keeps it; 0 means "not set" and gives null.</summary>
        public static DateTimeOffset? ToTime(byte[] value, string name)
        {
            uint seconds = ToUInt32(value, name);
            return seconds == 0 ? (DateTimeOffset?)null : new DateTimeOffset(Epoch.AddSeconds(seconds), TimeSpan.Zero);
        }

        /// <summary>
        /// An instant as u32 seconds since the Unix epoch (dhcpd truncates its 64-bit TIME to 32 bits; fractions of a second
        /// are dropped). The offset says which instant: 12:00+09:00 and 03:00+00:00 are the same.
        /// </summary>
        public static byte[] FromTime(DateTimeOffset time)
        {
            double seconds = Math.Floor((time.UtcDateTime - Epoch).TotalSeconds);
            if (seconds < 0 || seconds > uint.MaxValue)
            {
                throw new ArgumentOutOfRangeException(nameof(time), time, "OMAPI times are 32-bit seconds since 1970-01-01 UTC.");
            }

            return FromUInt32((uint)seconds);
        }

        private const string HexDigits = "0123456789abcdef";

        /// <summary>Formats bytes as lower-case colon hex, e.g. <c>00:11:22:33:44:55</c> (empty for no bytes).</summary>
        public static string ToHex(byte[] value)
        {
            if (value == null)
            {
                throw new ArgumentNullException(nameof(value));
            }

            if (value.Length == 0)
            {
                return string.Empty;
            }

            // Every lease's MAC and client id pass here: one char array, no string per byte.
            var chars = new char[(value.Length * 3) - 1];
            for (int i = 0; i < value.Length; i++)
            {
                int at = i * 3;
                if (i > 0)
                {
                    chars[at - 1] = ':';
                }

                chars[at] = HexDigits[value[i] >> 4];
                chars[at + 1] = HexDigits[value[i] & 0xF];
            }

            return new string(chars);
        }

        /// <summary>
        /// Parses hex bytes written as <c>00:11:22</c>, <c>00-11-22</c>, <c>001122</c> or <c>0011.2233.4455</c>
        /// (single-digit groups such as <c>1:0:a</c> are accepted with separators). Returns null when the text is not hex.
        /// </summary>
        public static byte[]? TryParseHex(string text)
        {
            if (string.IsNullOrWhiteSpace(text))
            {
                return null;
            }

            string s = text.Trim();
            if (s.IndexOf(':') >= 0 || s.IndexOf('-') >= 0)
            {
                char sep = s.IndexOf(':') >= 0 ? ':' : '-';
                if (sep == ':' && s.IndexOf('-') >= 0)
                {
                    return null;
                }

                string[] parts = s.Split(sep);
                var result = new byte[parts.Length];
                for (int i = 0; i < parts.Length; i++)
                {
                    if (parts[i].Length < 1 || parts[i].Length > 2 || !byte.TryParse(parts[i], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out result[i]))
                    {
                        return null;
                    }
                }

                return result;
            }

            s = s.Replace(".", string.Empty);
            if (s.Length == 0 || s.Length % 2 != 0)
            {
                return null;
            }

            var bytes = new byte[s.Length / 2];
            for (int i = 0; i < bytes.Length; i++)
            {
                if (!byte.TryParse(s.Substring(i * 2, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out bytes[i]))
                {
                    return null;
                }
            }

            return bytes;
        }

        internal static bool BytesEqual(byte[]? a, byte[]? b)
        {
            if (ReferenceEquals(a, b))
            {
                return true;
            }

            if (a == null || b == null || a.Length != b.Length)
            {
                return false;
            }

            for (int i = 0; i < a.Length; i++)
            {
                if (a[i] != b[i])
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>Constant-time comparison for signatures.</summary>
        internal static bool FixedTimeEquals(byte[] a, int aOffset, byte[] b, int bOffset, int count)
        {
            int diff = 0;
            for (int i = 0; i < count; i++)
            {
                diff |= a[aOffset + i] ^ b[bOffset + i];
            }

            return diff == 0;
        }

        internal static uint ReadUInt32(byte[] buffer, int offset) =>
            ((uint)buffer[offset] << 24) | ((uint)buffer[offset + 1] << 16) | ((uint)buffer[offset + 2] << 8) | buffer[offset + 3];

        internal static ushort ReadUInt16(byte[] buffer, int offset) =>
            (ushort)((buffer[offset] << 8) | buffer[offset + 1]);

        internal static void WriteUInt32(byte[] buffer, int offset, uint value)
        {
            buffer[offset] = (byte)(value >> 24);
            buffer[offset + 1] = (byte)(value >> 16);
            buffer[offset + 2] = (byte)(value >> 8);
            buffer[offset + 3] = (byte)value;
        }

        internal static void WriteUInt16(byte[] buffer, int offset, ushort value)
        {
            buffer[offset] = (byte)(value >> 8);
            buffer[offset + 1] = (byte)value;
        }

        internal static string Latin1ToString(byte[] buffer, int offset, int count)
        {
            var chars = new char[count];
            for (int i = 0; i < count; i++)
            {
                chars[i] = (char)buffer[offset + i];
            }

            return new string(chars);
        }
    }
}
