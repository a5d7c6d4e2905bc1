using System;
using System.Management.Automation;
using Omapi.Core.Objects;
using Omapi.Core.Protocol;

namespace PSOmapi
{
    /// <summary>
    /// The inputs of the class and subclass cmdlets: reading -HashString, and refusing what dhcpd accepts over OMAPI but
    /// then writes to its leases file in a form it cannot read back at its next start.
    /// </summary>
    internal static class ClassInputs
    {
        /// <summary>
        /// Hex bytes (01:00:11:22:33:44:77, 01-00-11-22-33-44-77, or plain hex of even length such as 01001122334477)
        /// give those bytes, as dhcpd.conf writes a subclass key; any other text is taken as its UTF-8 bytes (the form
        /// of a match on a text option, e.g. a vendor class). These are the semantics of HardwareAddress.ParseClientId.
        /// </summary>
        internal static bool TryParseHashString(Cmdlet cmdlet, string text, out byte[] hashString)
        {
            try
            {
                hashString = OmapiEncoding.TryParseHex(text) ?? HardwareAddress.ParseClientId(text);
                return true;
            }
            catch (FormatException ex)
            {
                cmdlet.WriteError(OmapiErrors.Create(ErrorIds.InvalidArgument, ErrorCategory.InvalidArgument, "'" + text + "' cannot be used as a subclass hash string: " + ex.Message + " Write it as hex bytes (01:00:11:22:33:44:77) or as the text the class matches.", text, ex));
                hashString = Array.Empty<byte>();
                return false;
            }
        }

        /// <summary>
        /// dhcpd writes a class name in double quotes without escaping (<c>class "NAME" { ... }</c>): a name with a double
        /// quote makes the record unreadable and the class disappears at the next restart (observed on 4.4.3-P1), and a
        /// backslash would be read back as an escape. Such names are refused before anything is sent.
        /// </summary>
        internal static bool TryValidateName(Cmdlet cmdlet, string name)
        {
            if (name.IndexOf('"') < 0 && name.IndexOf('\\') < 0)
            {
                return true;
            }

            cmdlet.WriteError(OmapiErrors.Create(ErrorIds.InvalidArgument, ErrorCategory.InvalidArgument, "'" + name + "' cannot be used as a class name: dhcpd writes class names to its leases file in double quotes without escaping, so a name with '\"' or '\\' could not be read back and the class would disappear at its next restart.", name));
            return false;
        }

        /// <summary>
        /// dhcpd writes a hash string of printable characters as quoted text without escaping (<c>subclass "c" "a b"</c>):
        /// one holding a double quote or backslash could not be read back at the next restart (observed for '"'). Such hash
        /// strings are refused before anything is sent.
        /// </summary>
        internal static bool TryValidateHashString(Cmdlet cmdlet, string text, byte[] hashString)
        {
            bool printable = true;
            bool quoteOrBackslash = false;
            foreach (byte b in hashString)
            {
                printable &= b >= 0x20 && b < 0x7f;
                quoteOrBackslash |= b == (byte)'"' || b == (byte)'\\';
            }

            if (!printable || !quoteOrBackslash)
            {
                return true;
            }

            cmdlet.WriteError(OmapiErrors.Create(ErrorIds.InvalidArgument, ErrorCategory.InvalidArgument, "'" + text + "' cannot be used as a subclass hash string: dhcpd writes printable hash strings to its leases file in double quotes without escaping, so one with '\"' or '\\' could not be read back and the subclass would disappear at its next restart.", text));
            return false;
        }

        /// <summary>How a subclass is named in -WhatIf and confirmation messages: its key as hex, as dhcpd.conf writes it.</summary>
        internal static string DescribeSubclass(string className, byte[] hashString, string server) =>
            "subclass " + OmapiEncoding.ToHex(hashString) + " of class '" + className + "' on " + server;
    }
}
