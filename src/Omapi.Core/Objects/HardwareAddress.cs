using System;
using Omapi.Core.Protocol;

namespace Omapi.Core.Objects
{
    /// <summary>Parsing and formatting of MAC (hardware) addresses and client identifiers.</summary>
    public static class HardwareAddress
    {
        /// <summary>The hardware type of Ethernet (ARP hardware type 1), dhcpd's default for lookups.</summary>
        public const int Ethernet = 1;

        /// <summary>The longest hardware address dhcpd stores.</summary>
        public const int MaxLength = 20;

        /// <summary>
        /// Parses a MAC address written as <c>00:11:22:33:44:55</c>, <c>00-11-22-33-44-55</c>, <c>001122334455</c> or
        /// <c>0011.2233.4455</c>. Throws <see cref="FormatException"/> with the accepted forms otherwise.
        /// </summary>
        public static byte[] ParseMac(string text)
        {
            byte[]? bytes = OmapiEncoding.TryParseHex(text);
            if (bytes == null || bytes.Length != 6)
            {
                throw new FormatException("'" + text + "' is not a MAC address. Write it as 00:11:22:33:44:55, 00-11-22-33-44-55 or 001122334455.");
            }

            return bytes;
        }

        /// <summary>Like <see cref="ParseMac"/>, but any hardware address of 1 to 20 bytes (e.g. InfiniBand) is accepted.</summary>
        public static byte[] Parse(string text)
        {
            byte[]? bytes = OmapiEncoding.TryParseHex(text);
            if (bytes == null || bytes.Length == 0 || bytes.Length > MaxLength)
            {
                throw new FormatException("'" + text + "' is not a hardware address. Write it as hex bytes: 00:11:22:33:44:55, 00-11-22-33-44-55 or 001122334455 (at most 20 bytes).");
            }

            return bytes;
        }

        /// <summary>Formats as <c>00:11:22:33:44:55</c>.</summary>
        public static string Format(byte[] address) => OmapiEncoding.ToHex(address ?? throw new ArgumentNullException(nameof(address)));

        /// <summary>
        /// Parses a DHCP client identifier: hex bytes (<c>01:00:11:22:33:44:55</c>, dashes, or plain hex of even length such as
        /// <c>01001122334455</c>) give those bytes; any other text is taken as its UTF-8 bytes (as omshell does with a quoted
        /// string). Text that is itself even-length hex (e.g. "beef") is read as hex.
        /// </summary>
        public static byte[] ParseClientId(string text)
        {
            if (string.IsNullOrEmpty(text))
            {
                throw new FormatException("A client identifier cannot be empty (OMAPI sends an empty value as 'unset').");
            }

            return OmapiEncoding.TryParseHex(text) ?? OmapiEncoding.FromString(text);
        }
    }
}
