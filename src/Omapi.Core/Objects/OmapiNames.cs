using System.Globalization;

namespace Omapi.Core.Objects
{
    /// <summary>
    /// Which names dhcpd 4.4.3 can write to its leases file and read back at its next start. dhcpd writes host names
    /// unquoted (<c>host NAME {</c>) and reads them with its configuration lexer as a dotted sequence of identifier or number
    /// tokens; it refuses to write names with a quote, a backslash or a character that is not printable ASCII (the host is
    /// then in its memory but the create reports ISC_R_IOERROR). Any other name is written but is unreadable at the next
    /// start, and the reservation silently disappears. Found on 4.4.3-P1 by creating a host for each character class and
    /// restarting dhcpd (tests: HostNameRestartTests).
    /// </summary>
    public static class OmapiNames
    {
        /// <summary>dhcpd's lexer reads at most 1,499 characters into one token.</summary>
        public const int LongestHostNameLabel = 1499;

        /// <summary>
        /// Null when dhcpd can keep a host of this name across a restart; otherwise why not, for an error message. A host
        /// name is one or more parts separated by single dots (with an optional trailing dot); each part is ASCII letters,
        /// digits, '-' and '_', does not start with '_', and has at most 1,499 characters.
        /// </summary>
        public static string? HostNameProblem(string? name)
        {
            if (string.IsNullOrEmpty(name))
            {
                return "a host name cannot be empty";
            }

            string body = name!.EndsWith(".", System.StringComparison.Ordinal) ? name.Substring(0, name.Length - 1) : name;
            int start = 0;
            while (true)
            {
                int dot = body.IndexOf('.', start);
                int end = dot < 0 ? body.Length : dot;
                int length = end - start;
                if (length == 0)
                {
                    return "it has an empty part (a leading dot or two dots in a row)";
                }

                if (body[start] == '_')
                {
                    return "a part of it starts with '_'";
                }

                if (length > LongestHostNameLabel)
                {
                    return string.Format(CultureInfo.InvariantCulture, "a part of it is {0} characters long (dhcpd reads at most {1})", length, LongestHostNameLabel);
                }

                for (int i = start; i < end; i++)
                {
                    char c = body[i];
                    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
                    {
                        return c == ' ' ? "it contains a space" : "it contains " + Describe(c);
                    }
                }

                if (dot < 0)
                {
                    return null;
                }

                start = dot + 1;
            }
        }

        /// <summary>Throws <see cref="OmapiInvalidNameException"/> when <see cref="HostNameProblem"/> finds one.</summary>
        public static void CheckHostName(string? name)
        {
            if (HostNameProblem(name) is string problem)
            {
                throw new OmapiInvalidNameException("host", name ?? string.Empty, problem);
            }
        }

        private static string Describe(char c) => c < 0x20 || c == 0x7f
            ? string.Format(CultureInfo.InvariantCulture, "the control character U+{0:X4}", (int)c)
            : c > 0x7e ? string.Format(CultureInfo.InvariantCulture, "the non-ASCII character '{0}'", c) : "'" + c + "'";
    }
}
