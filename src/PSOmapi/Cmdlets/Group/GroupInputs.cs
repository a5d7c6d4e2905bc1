using System.Management.Automation;

namespace PSOmapi
{
    /// <summary>Checks New-OmapiGroup's inputs for what dhcpd accepts but then mishandles (crash, loss at restart).</summary>
    internal static class GroupInputs
    {
        /// <summary>
        /// dhcpd writes a group's name to its leases file unquoted (<c>group NAME { ... }</c>), and at its next start reads
        /// it back as one identifier token. A name that is not one (a space, a dot, a leading underscore, only digits,
        /// non-ASCII letters ...) makes that record unreadable: the group silently disappears at the restart (observed
        /// on 4.4.3-P1 with "my group", "a.b", "123", "_a", "x+y"). Such names are refused before anything is sent.
        /// </summary>
        internal static bool TryValidateName(Cmdlet cmdlet, string name)
        {
            bool valid = name.Length > 0 && IsAsciiLetterOrDigit(name[0]);
            bool digitsOnly = true;
            foreach (char c in name)
            {
                valid &= IsAsciiLetterOrDigit(c) || c == '-' || c == '_';
                digitsOnly &= c >= '0' && c <= '9';
            }

            if (valid && !digitsOnly)
            {
                return true;
            }

            cmdlet.WriteError(OmapiErrors.Create(
                ErrorIds.InvalidArgument,
                ErrorCategory.InvalidArgument,
                "'" + name + "' cannot be used as a group name: dhcpd writes group names unquoted to its leases file and cannot read this one back, so the group would disappear at its next restart. Use ASCII letters, digits, '-' and '_', starting with a letter or digit and not only digits.",
                name));
            return false;
        }

        private static bool IsAsciiLetterOrDigit(char c) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }
}
