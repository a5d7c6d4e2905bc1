using System;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using Omapi.Core;
using Omapi.Core.Objects;

namespace PSOmapi
{
    /// <summary>
    /// What dhcpd 4.4 can tell over OMAPI about who holds an IPv4 address: the address's lease (only addresses inside a
    /// range of dhcpd.conf have one) and the host dhcpd finds for the address, which is the host whose MAC address that
    /// lease carries (dhcpd_host_lookup by ip-address: address, then lease, then the lease's MAC, then host). A host's
    /// fixed address is no lookup key in dhcpd, so a reservation by fixed address alone cannot be found over OMAPI.
    /// At most two lookups, one after the other, through the session's own lookup helpers (its send window applies).
    /// </summary>
    internal sealed class AddressHolder
    {
        private AddressHolder(IPAddress address, OmapiLease? lease, OmapiHost? host)
        {
            Address = address;
            Lease = lease;
            Host = host;
        }

        /// <summary>The address asked about.</summary>
        internal IPAddress Address { get; }

        /// <summary>The address's lease; null when it has none (the address is outside every range).</summary>
        internal OmapiLease? Lease { get; }

        /// <summary>The host with the lease's MAC address, when the host was looked up and there is one.</summary>
        internal OmapiHost? Host { get; }

        /// <summary>True when the lease is Active: the address is leased to the lease's client now.</summary>
        internal bool IsLeased => Lease != null && IsActive(Lease);

        /// <summary>True when <see cref="Host"/> has the address among its fixed addresses.</summary>
        internal bool HostReservesAddress => Host != null && Host.IPAddress.Any(a => string.Equals(a?.ToString(), Address.ToString(), StringComparison.Ordinal));

        /// <summary>
        /// Looks the address's lease up and, with <paramref name="lookUpHost"/> when the lease carries a MAC address, the
        /// host dhcpd finds for the address. Not-found answers are results (null); other failures are thrown.
        /// </summary>
        internal static async Task<AddressHolder> FindAsync(OmapiSession session, IPAddress address, bool lookUpHost, CancellationToken cancellationToken)
        {
            OmapiLease? lease;
            try
            {
                lease = await session.GetLeaseAsync(address, cancellationToken).ConfigureAwait(false);
            }
            catch (OmapiNotFoundException)
            {
                return new AddressHolder(address, null, null);
            }

            OmapiHost? host = null;
            if (lookUpHost && !string.IsNullOrEmpty(lease.MacAddress))
            {
                try
                {
                    host = await session.GetHostByIPAddressAsync(address, cancellationToken).ConfigureAwait(false);
                }
                catch (OmapiNotFoundException)
                {
                    // No host has the lease's MAC address.
                }
            }

            return new AddressHolder(address, lease, host);
        }

        /// <summary>The lease in words: "the lease of 198.51.100.12 (Active, MAC 00:11:22:33:44:56, client hostname 'bravo')".</summary>
        internal string DescribeLease()
        {
            if (Lease == null)
            {
                return Address + " has no lease (it is outside every range of dhcpd.conf)";
            }

            string details = Lease.State.ToString();
            details += string.IsNullOrEmpty(Lease.MacAddress) ? ", no MAC address" : ", MAC " + Lease.MacAddress;
            if (!string.IsNullOrEmpty(Lease.ClientHostname))
            {
                details += ", client hostname '" + Lease.ClientHostname + "'";
            }

            return string.Format(CultureInfo.InvariantCulture, "the lease of {0} ({1})", Address, details);
        }

        // By name, so that it reads the same whether State is the enum or its text.
        private static bool IsActive(OmapiLease lease) => string.Equals(lease.State.ToString(), nameof(LeaseState.Active), StringComparison.Ordinal);
    }
}
