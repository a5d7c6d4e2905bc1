using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using Omapi.Core.Objects;
using Omapi.Core.Protocol;

namespace Omapi.Core.Watch
{
    /// <summary>The key a watched object is found by.</summary>
    public enum OmapiWatchKey
    {
        /// <summary>A lease by its address (every address in a dhcpd range has a lease object, free ones too).</summary>
        LeaseIPAddress,
        /// <summary>The lease of a client MAC address.</summary>
        LeaseMacAddress,
        /// <summary>The lease of a DHCP client identifier.</summary>
        LeaseClientId,
        /// <summary>A host declaration by name.</summary>
        HostName,
        /// <summary>A host declaration by MAC address.</summary>
        HostMacAddress,
        /// <summary>A host declaration by DHCP client identifier.</summary>
        HostClientId,
    }

    /// <summary>
    /// One object to watch, named by a key that survives a dhcpd restart (an address, a MAC, a client id, a host name).
    /// Handles do not survive a restart (they are numbered per dhcpd process), so the watcher keeps the key and finds the
    /// object again by it whenever the handle cannot be trusted. Two targets are equal when they name the same key.
    /// </summary>
    public sealed class OmapiWatchTarget : IEquatable<OmapiWatchTarget>
    {
        /// <summary>The largest number of addresses one range may name. Every first lookup of a lease makes dhcpd allocate a
        /// handle it never frees, so a watch over a whole /8 would cost the server memory for good.</summary>
        public const int MaxRangeSize = 65536;

        private readonly IPAddress? _address;
        private readonly byte[]? _bytes;
        private readonly string? _name;

        private OmapiWatchTarget(OmapiWatchKey keyKind, IPAddress? address, byte[]? bytes, string? name, uint knownHandle)
        {
            KeyKind = keyKind;
            _address = address;
            _bytes = bytes;
            _name = name;
            KnownHandle = knownHandle;
            Key = keyKind switch
            {
                OmapiWatchKey.LeaseIPAddress => "lease " + address,
                OmapiWatchKey.LeaseMacAddress => "lease of MAC " + HardwareAddress.Format(bytes!),
                OmapiWatchKey.LeaseClientId => "lease of client id " + OmapiEncoding.ToHex(bytes!),
                OmapiWatchKey.HostName => "host " + name,
                OmapiWatchKey.HostMacAddress => "host with MAC " + HardwareAddress.Format(bytes!),
                _ => "host with client id " + OmapiEncoding.ToHex(bytes!),
            };
        }

        /// <summary>What the object is found by.</summary>
        public OmapiWatchKey KeyKind { get; }

        /// <summary>True for leases, false for hosts.</summary>
        public bool IsLease => KeyKind == OmapiWatchKey.LeaseIPAddress || KeyKind == OmapiWatchKey.LeaseMacAddress || KeyKind == OmapiWatchKey.LeaseClientId;

        /// <summary>The OMAPI object type: <c>lease</c> or <c>host</c>.</summary>
        public string ObjectType => IsLease ? "lease" : "host";

        /// <summary>The key as text, e.g. <c>lease 198.51.100.20</c> or <c>host pc1</c>; unique per target.</summary>
        public string Key { get; }

        /// <summary>The handle of an object the caller already holds (refreshed instead of looked up); 0 when none.</summary>
        public uint KnownHandle { get; }

        /// <summary>The lease of an address.</summary>
        public static OmapiWatchTarget ForLease(IPAddress address) =>
            new OmapiWatchTarget(OmapiWatchKey.LeaseIPAddress, ToIPv4(address), null, null, 0);

        /// <summary>The lease of a client MAC address (Ethernet).</summary>
        public static OmapiWatchTarget ForLeaseByMacAddress(byte[] macAddress) =>
            new OmapiWatchTarget(OmapiWatchKey.LeaseMacAddress, null, RequireBytes(macAddress, nameof(macAddress)), null, 0);

        /// <summary>The lease of a DHCP client identifier.</summary>
        public static OmapiWatchTarget ForLeaseByClientId(byte[] clientId) =>
            new OmapiWatchTarget(OmapiWatchKey.LeaseClientId, null, RequireBytes(clientId, nameof(clientId)), null, 0);

        /// <summary>A host by name (it need not exist yet: its creation is reported).</summary>
        public static OmapiWatchTarget ForHost(string name) =>
            new OmapiWatchTarget(OmapiWatchKey.HostName, null, null, string.IsNullOrEmpty(name) ? throw new ArgumentException("A host name is required.", nameof(name)) : name, 0);

        /// <summary>A host by MAC address (Ethernet).</summary>
        public static OmapiWatchTarget ForHostByMacAddress(byte[] macAddress) =>
            new OmapiWatchTarget(OmapiWatchKey.HostMacAddress, null, RequireBytes(macAddress, nameof(macAddress)), null, 0);

        /// <summary>A host by DHCP client identifier.</summary>
        public static OmapiWatchTarget ForHostByClientId(byte[] clientId) =>
            new OmapiWatchTarget(OmapiWatchKey.HostClientId, null, RequireBytes(clientId, nameof(clientId)), null, 0);

        /// <summary>A lease already read: watched by its address, refreshed by its handle.</summary>
        public static OmapiWatchTarget ForObject(OmapiLease lease)
        {
            if (lease == null)
            {
                throw new ArgumentNullException(nameof(lease));
            }

            return new OmapiWatchTarget(OmapiWatchKey.LeaseIPAddress, lease.GetIPAddress().ToIPAddress(), null, null, lease.GetHandle());
        }

        /// <summary>A host already read: watched by its name (else its MAC, else its client id), refreshed by its handle.</summary>
        public static OmapiWatchTarget ForObject(OmapiHost host)
        {
            if (host == null)
            {
                throw new ArgumentNullException(nameof(host));
            }

            if (!string.IsNullOrEmpty(host.Name))
            {
                return new OmapiWatchTarget(OmapiWatchKey.HostName, null, null, host.Name, host.GetHandle());
            }

            if (host.MacAddress != null)
            {
                return new OmapiWatchTarget(OmapiWatchKey.HostMacAddress, null, HardwareAddress.Parse(host.MacAddress), null, host.GetHandle());
            }

            byte[]? clientId = host.ClientId == null ? null : OmapiEncoding.TryParseHex(host.ClientId);
            if (clientId != null && clientId.Length > 0)
            {
                return new OmapiWatchTarget(OmapiWatchKey.HostClientId, null, clientId, null, host.GetHandle());
            }

            throw new ArgumentException("The host has no name, MAC address or client identifier to find it by.", nameof(host));
        }

        /// <summary>The leases of every address from <paramref name="first"/> to <paramref name="last"/> (at most <see cref="MaxRangeSize"/>).</summary>
        public static IReadOnlyList<OmapiWatchTarget> ForRange(IPAddress first, IPAddress last)
        {
            string text = ToIPv4(first) + "-" + ToIPv4(last);
            AddressRange range;
            try
            {
                range = AddressRange.Parse(text);
            }
            catch (FormatException ex)
            {
                throw new ArgumentException("The range " + text + " ends before it starts.", nameof(last), ex);
            }

            if (range.Count > MaxRangeSize)
            {
                throw new ArgumentException(string.Format(CultureInfo.InvariantCulture, "The range {0} holds {1} addresses; at most {2} can be watched at once (every lease looked up costs dhcpd a handle it never frees).", text, range.Count, MaxRangeSize), nameof(last));
            }

            var targets = new List<OmapiWatchTarget>((int)range.Count);
            foreach (IPAddress address in range.Addresses())
            {
                targets.Add(new OmapiWatchTarget(OmapiWatchKey.LeaseIPAddress, address, null, null, 0));
            }

            return targets;
        }

        /// <summary>
        /// Parses a range written as CIDR (<c>198.51.100.0/24</c>: every address of the block, network and broadcast
        /// included, since dhcpd simply has no lease object for those), as <c>first-last</c>
        /// (<c>198.51.100.10-198.51.100.250</c>), or as one address. Throws <see cref="FormatException"/> for anything else.
        /// </summary>
        public static (IPAddress First, IPAddress Last) ParseRange(string text)
        {
            AddressRange range = AddressRange.Parse(text);
            return (range.First, range.Last);
        }

        /// <inheritdoc />
        public bool Equals(OmapiWatchTarget? other) => other != null && KeyKind == other.KeyKind && string.Equals(Key, other.Key, StringComparison.Ordinal);

        /// <inheritdoc />
        public override bool Equals(object? obj) => Equals(obj as OmapiWatchTarget);

        /// <inheritdoc />
        public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Key);

        /// <inheritdoc />
        public override string ToString() => Key;

        /// <summary>The address of a <see cref="OmapiWatchKey.LeaseIPAddress"/> target (looked up in bulk), else null.</summary>
        internal IPAddress? LeaseAddress => KeyKind == OmapiWatchKey.LeaseIPAddress ? _address : null;

        /// <summary>The name of a <see cref="OmapiWatchKey.HostName"/> target (looked up in bulk), else null.</summary>
        internal string? HostName => _name;

        /// <summary>Looks the object up by its key (OPEN); throws what the session throws (not found, multiple matches ...).</summary>
        internal async Task<IOmapiObject> OpenAsync(OmapiSession session, CancellationToken cancellationToken)
        {
            switch (KeyKind)
            {
                case OmapiWatchKey.LeaseIPAddress:
                    return await session.GetLeaseAsync(_address!, cancellationToken).ConfigureAwait(false);
                case OmapiWatchKey.LeaseMacAddress:
                    return await session.GetLeaseByHardwareAddressAsync(_bytes!, HardwareAddress.Ethernet, cancellationToken).ConfigureAwait(false);
                case OmapiWatchKey.LeaseClientId:
                    return await session.GetLeaseByClientIdAsync(_bytes!, cancellationToken).ConfigureAwait(false);
                case OmapiWatchKey.HostName:
                    return await session.GetHostByNameAsync(_name!, cancellationToken).ConfigureAwait(false);
                case OmapiWatchKey.HostMacAddress:
                    return await session.GetHostByHardwareAddressAsync(_bytes!, HardwareAddress.Ethernet, cancellationToken).ConfigureAwait(false);
                default:
                    return await session.GetHostByClientIdAsync(_bytes!, cancellationToken).ConfigureAwait(false);
            }
        }

        /// <summary>True when <paramref name="value"/> is an object this key names (REFRESH does not check the type or key).</summary>
        internal bool Matches(IOmapiObject value)
        {
            switch (KeyKind)
            {
                case OmapiWatchKey.LeaseIPAddress:
                    return value is OmapiLease lease && lease.GetIPAddress().ToIPAddress().Equals(_address);
                case OmapiWatchKey.LeaseMacAddress:
                    return value is OmapiLease byMac && byMac.MacAddress != null && string.Equals(byMac.MacAddress, HardwareAddress.Format(_bytes!), StringComparison.OrdinalIgnoreCase);
                case OmapiWatchKey.LeaseClientId:
                    return value is OmapiLease byId && byId.GetClientIdBytes() is byte[] id && SameBytes(id, _bytes!);
                case OmapiWatchKey.HostName:
                    return value is OmapiHost host && string.Equals(host.Name, _name, StringComparison.Ordinal);
                case OmapiWatchKey.HostMacAddress:
                    return value is OmapiHost hostByMac && hostByMac.MacAddress != null && string.Equals(hostByMac.MacAddress, HardwareAddress.Format(_bytes!), StringComparison.OrdinalIgnoreCase);
                default:
                    return value is OmapiHost hostById && hostById.ClientId != null && string.Equals(hostById.ClientId, OmapiEncoding.ToHex(_bytes!), StringComparison.OrdinalIgnoreCase);
            }
        }

        private static bool SameBytes(byte[] a, byte[] b)
        {
            if (a.Length != b.Length)
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

        private static byte[] RequireBytes(byte[] value, string name)
        {
            if (value == null || value.Length == 0)
            {
                throw new ArgumentException("A value is required.", name);
            }

            return (byte[])value.Clone();
        }

        private static IPAddress ToIPv4(IPAddress address)
        {
            if (address == null)
            {
                throw new ArgumentNullException(nameof(address));
            }

            if (address.AddressFamily == AddressFamily.InterNetwork)
            {
                return address;
            }

            if (address.IsIPv4MappedToIPv6)
            {
                return address.MapToIPv4();
            }

            throw new ArgumentException("OMAPI is IPv4-only; '" + address + "' is not an IPv4 address.", nameof(address));
        }

    }
}
