using System.Globalization;

namespace Omapi.Core.Protocol
{
    /// <summary>
    /// Checks dhcpd.conf statement text before it is sent as a host's or group's <c>statements</c>.
    /// dhcpd 4.4.3-P1 crashes (segmentation fault: the whole DHCP server exits) on statements where an empty statement
    /// follows one that lacks its value, e.g. <c>default-lease-time;;</c> or <c>option routers; ;</c> (seen for hosts and
    /// groups). An empty statement is never useful, so any is refused.
    /// </summary>
    public static class OmapiStatements
    {
        /// <summary>Returns why the text must not be sent, or null when it may be.</summary>
        public static string? FindHazard(string statements)
        {
            if (statements == null)
            {
                return null;
            }

            bool quoted = false;
            char previous = '\0';
            for (int i = 0; i < statements.Length; i++)
            {
                char c = statements[i];
                if (quoted)
                {
                    if (c == '\\')
                    {
                        i++;
                    }
                    else if (c == '"')
                    {
                        quoted = false;
                        previous = c;
                    }

                    continue;
                }

                if (c == '"')
                {
                    quoted = true;
                }
                else if (c == ';' && (previous == ';' || previous == '\0'))
                {
                    return string.Format(
                        CultureInfo.InvariantCulture,
                        "The statements contain an empty statement (';;' or a leading ';', at offset {0}). dhcpd 4.4 crashes on some of these (e.g. 'default-lease-time;;'), so they are not sent: remove the extra semicolon and check that every statement has its value.",
                        i);
                }

                if (!char.IsWhiteSpace(c))
                {
                    previous = c;
                }
            }

            return null;
        }

        /// <summary>Throws <see cref="OmapiUnsafeStatementsException"/> when <see cref="FindHazard"/> finds a reason.</summary>
        public static void EnsureSafe(string statements)
        {
            string? hazard = FindHazard(statements);
            if (hazard != null)
            {
                throw new OmapiUnsafeStatementsException(hazard);
            }
        }

        /// <summary>Checks every <c>statements</c> value in an object-value list.</summary>
        internal static void EnsureSafe(OmapiValueList values)
        {
            foreach (OmapiValue v in values)
            {
                if (v.Name == "statements" && !v.IsNull)
                {
                    EnsureSafe(OmapiEncoding.ToText(v.Value));
                }
            }
        }
    }
}
