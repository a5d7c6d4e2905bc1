using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Omapi.Core.Objects;

namespace PSOmapi
{
    /// <summary>
    /// How PSOmapi.Format.ps1xml renders the values that need more than their text in an 80-column table. Public only
    /// because the views call it; the objects' properties are unchanged by it.
    /// </summary>
    public static class OmapiFormat
    {
        /// <summary>An instant in the local time zone, to the minute (<c>2037-12-31 09:00</c>), as tables show times; empty for none.</summary>
        public static string LocalTime(DateTimeOffset? time) =>
            time is DateTimeOffset t ? t.ToLocalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) : string.Empty;

        /// <summary>An instant's local time of day (<c>09:00:01</c>), as the notification table shows it.</summary>
        public static string LocalTimeOfDay(DateTimeOffset time) => time.ToLocalTime().ToString("HH:mm:ss", CultureInfo.InvariantCulture);

        /// <summary>
        /// Lease flags as letters in fixed places, like Get-ChildItem's Mode column: B (Bootp), R (Reserved), N
        /// (MsNullTermination), U (UnicastBroadcastHack), '-' where unset (<c>-R--</c>). Four characters whatever is set, so
        /// the lease table never cuts them; the Flags property has the names.
        /// </summary>
        public static string LeaseFlags(LeaseFlags flags) => new string(new[]
        {
            (flags & Omapi.Core.Objects.LeaseFlags.Bootp) != 0 ? 'B' : '-',
            (flags & Omapi.Core.Objects.LeaseFlags.Reserved) != 0 ? 'R' : '-',
            (flags & Omapi.Core.Objects.LeaseFlags.MsNullTermination) != 0 ? 'N' : '-',
            (flags & Omapi.Core.Objects.LeaseFlags.UnicastBroadcastHack) != 0 ? 'U' : '-',
        });

        /// <summary>A host's fixed addresses in one table cell: the first, and how many more (<c>198.51.100.5 +1</c>).</summary>
        public static string Addresses(IPv4AddressList? addresses) => addresses == null || addresses.Count == 0
            ? string.Empty
            : addresses[0] + (addresses.Count > 1 ? " +" + (addresses.Count - 1).ToString(CultureInfo.InvariantCulture) : string.Empty);

        /// <summary>A raw object's values on one line: <c>name="pc1"; hardware-type=00:00:00:01</c>.</summary>
        public static string Values(IReadOnlyDictionary<string, string?>? values) =>
            values == null ? string.Empty : string.Join("; ", values.Select(v => v.Key + "=" + (v.Value ?? "(null)")));

        /// <summary>What a notification says: its changes (<c>State: Free -> Active</c>), or for connection events their message.</summary>
        public static string Changes(OmapiChangeEventArgs change) => change == null
            ? string.Empty
            : change.Changes.Count > 0 ? string.Join("; ", change.Changes.Select(c => c.ToString())) : change.Message ?? string.Empty;
    }
}
