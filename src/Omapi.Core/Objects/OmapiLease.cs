using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using Omapi.Core.Protocol;

namespace Omapi.Core.Objects
{
    /// <summary>Lease binding states (dhcpd's FTS_* values). 8 and 9 are not states in 4.4: see <see cref="LeaseFlags"/>.</summary>
    public enum LeaseState
    {
        /// <summary>Not a state dhcpd reports; shown when the server sent 0.</summary>
        Unknown = 0,
        /// <summary>Available to be leased.</summary>
        Free = 1,
        /// <summary>Leased to a client.</summary>
        Active = 2,
        /// <summary>The lease ran out.</summary>
        Expired = 3,
        /// <summary>The client released it.</summary>
        Released = 4,
        /// <summary>Marked unusable (e.g. an address conflict was seen).</summary>
        Abandoned = 5,
        /// <summary>Reset by the failover peer or operator.</summary>
        Reset = 6,
        /// <summary>Held for the failover secondary.</summary>
        Backup = 7,
    }

    /// <summary>The lease flags dhcpd reports and lets you change (EPHEMERAL_FLAGS).</summary>
    [Flags]
    public enum LeaseFlags
    {
        /// <summary>No flags.</summary>
        None = 0,
        /// <summary>STATIC_LEASE (never reported over OMAPI; listed for completeness).</summary>
        Static = 1,
        /// <summary>BOOTP_LEASE: the lease was given to a BOOTP client.</summary>
        Bootp = 2,
        /// <summary>RESERVED_LEASE: the address stays with this client.</summary>
        Reserved = 4,
        /// <summary>MS_NULL_TERMINATION.</summary>
        MsNullTermination = 8,
        /// <summary>UNICAST_BROADCAST_HACK.</summary>
        UnicastBroadcastHack = 64,
    }

    /// <summary>
    /// A dhcpd lease as OMAPI returns it. Its properties are what an administrator exchanges (CSV, JSON): the address as
    /// dotted text, the MAC as <c>00:11:22:33:44:55</c>, the client identifier as colon hex, the state and flags by name,
    /// times as instants with offset +00:00 (null when dhcpd reports 0, never set). The typed values are methods
    /// (<see cref="GetIPAddress"/>, <see cref="GetState"/>, <see cref="GetFlags"/>); in PowerShell the module's type data
    /// puts them under the property names.
    /// </summary>
    public sealed class OmapiLease : IOmapiObject
    {
        private static readonly IReadOnlyDictionary<string, byte[]> EmptyVariables = new Dictionary<string, byte[]>(StringComparer.Ordinal);

        private readonly uint _handle;
        private readonly IPv4Address _address;
        private readonly LeaseState _state;
        private readonly LeaseFlags _flags;
        private readonly byte[]? _clientId;
        private readonly uint? _subnet;
        private readonly uint? _pool;
        private readonly uint? _host;
        private readonly uint? _billingClass;
        private readonly IReadOnlyDictionary<string, byte[]> _variables;

        [MethodImpl(HotPath.Optimize)]
        private OmapiLease(OmapiObject o, string server)
        {
            Server = server;
            _handle = o.Handle;

            // One pass over the attributes (a lease reply has ~15); the last value of a name wins, as in dhcpd.
            byte[]? ip = null, state = null, mac = null, hardwareType = null, clientId = null, hostname = null, flags = null;
            byte[]? starts = null, ends = null, cltt = null, tstp = null, tsfp = null, atsfp = null;
            byte[]? subnet = null, pool = null, host = null, billing = null;
            Dictionary<string, byte[]>? variables = null;
            foreach (OmapiValue v in o.RawValues)
            {
                switch (v.Name)
                {
                    case "state": state = v.Value; break;
                    case "ip-address": ip = v.Value; break;
                    case "dhcp-client-identifier": clientId = v.Value; break;
                    case "client-hostname": hostname = v.Value; break;
                    case "host": host = v.Value; break;
                    case "subnet": subnet = v.Value; break;
                    case "pool": pool = v.Value; break;
                    case "billing-class": billing = v.Value; break;
                    case "hardware-address": mac = v.Value; break;
                    case "hardware-type": hardwareType = v.Value; break;
                    case "ends": ends = v.Value; break;
                    case "starts": starts = v.Value; break;
                    case "tstp": tstp = v.Value; break;
                    case "tsfp": tsfp = v.Value; break;
                    case "atsfp": atsfp = v.Value; break;
                    case "cltt": cltt = v.Value; break;
                    case "flags": flags = v.Value; break;
                    default:
                        variables ??= new Dictionary<string, byte[]>(StringComparer.Ordinal);
                        variables[v.Name] = v.Value;
                        break;
                }
            }

            _address = IPv4Address.FromIPAddress(OmapiEncoding.ToIPv4(ip ?? Array.Empty<byte>(), "ip-address"));
            IPAddress = _address.ToString();
            _state = (LeaseState)(UInt(state, "state") ?? 0);
            State = _state.ToString();
            mac = NullIfEmpty(mac);
            MacAddress = mac == null ? null : HardwareAddress.Format(mac);
            HardwareType = mac == null ? null : (int?)UInt(hardwareType, "hardware-type");
            _clientId = NullIfEmpty(clientId);
            ClientId = _clientId == null ? null : OmapiEncoding.ToHex(_clientId);
            ClientHostname = NullIfEmpty(hostname) is byte[] h ? OmapiEncoding.ToText(h) : null;
            Starts = Time(starts, "starts");
            Ends = Time(ends, "ends");
            Cltt = Time(cltt, "cltt");
            Tstp = Time(tstp, "tstp");
            Tsfp = Time(tsfp, "tsfp");
            Atsfp = Time(atsfp, "atsfp");
            flags = NullIfEmpty(flags);
            _flags = flags == null ? LeaseFlags.None : flags.Length switch
            {
                1 => (LeaseFlags)flags[0],
                4 => (LeaseFlags)OmapiEncoding.ReadUInt32(flags, 0),
                _ => throw new OmapiMalformedValueException("flags", flags, "a 1-byte flags value"),
            };
            Flags = _flags.ToString();
            _subnet = UInt(subnet, "subnet");
            _pool = UInt(pool, "pool");
            _host = UInt(host, "host");
            _billingClass = UInt(billing, "billing-class");
            _variables = variables ?? EmptyVariables;
        }

        private static byte[]? NullIfEmpty(byte[]? value) => value == null || value.Length == 0 ? null : value;

        private static uint? UInt(byte[]? value, string name) => NullIfEmpty(value) is byte[] v ? OmapiEncoding.ToUInt32(v, name) : (uint?)null;

        private static DateTimeOffset? Time(byte[]? value, string name) => NullIfEmpty(value) is byte[] v ? OmapiEncoding.ToTime(v, name) : null;

        /// <summary>The leased address as dotted text (<c>198.51.100.11</c>); <see cref="GetIPAddress"/> is the value.</summary>
        public string IPAddress { get; }

        /// <summary>The binding state by name (<c>Active</c>, <c>Free</c> ...); <see cref="GetState"/> is the value.</summary>
        public string State { get; }

        /// <summary>The client's hardware address as <c>00:11:22:33:44:55</c>, when known.</summary>
        public string? MacAddress { get; }

        /// <summary>The hardware type (1 = Ethernet), when a hardware address is known.</summary>
        public int? HardwareType { get; }

        /// <summary>The DHCP client identifier as colon hex, when the client sent one; <see cref="GetClientIdBytes"/> gives the bytes.</summary>
        public string? ClientId { get; }

        /// <summary>The hostname the client sent (option 12), when known.</summary>
        public string? ClientHostname { get; }

        /// <summary>When the lease started.</summary>
        public DateTimeOffset? Starts { get; }

        /// <summary>When the lease ends (<c>ends never</c> is reported as 2038-01-19 03:14:07 UTC).</summary>
        public DateTimeOffset? Ends { get; }

        /// <summary>The client's last transaction time.</summary>
        public DateTimeOffset? Cltt { get; }

        /// <summary>Time sent to the failover peer.</summary>
        public DateTimeOffset? Tstp { get; }

        /// <summary>Time the failover peer sent.</summary>
        public DateTimeOffset? Tsfp { get; }

        /// <summary>Actual time sent from the failover peer.</summary>
        public DateTimeOffset? Atsfp { get; }

        /// <summary>The ephemeral lease flags by name (<c>None</c>, <c>Reserved</c>, <c>Bootp, Reserved</c>); <see cref="GetFlags"/> is the value.</summary>
        public string Flags { get; }

        /// <summary>The server the lease came from.</summary>
        public string Server { get; }

        /// <summary>The leased address.</summary>
        public IPv4Address GetIPAddress() => _address;

        /// <summary>The binding state.</summary>
        public LeaseState GetState() => _state;

        /// <summary>The ephemeral lease flags.</summary>
        public LeaseFlags GetFlags() => _flags;

        /// <summary>The raw client identifier bytes, or null.</summary>
        public byte[]? GetClientIdBytes() => _clientId == null ? null : (byte[])_clientId.Clone();

        /// <summary>The lease's binding-scope variables (any attribute dhcpd returned that is not a lease field), as raw bytes.</summary>
        public IReadOnlyDictionary<string, byte[]> GetVariables() => _variables;

        /// <summary>The lease's OMAPI handle.</summary>
        public uint GetHandle() => _handle;

        /// <summary>Handle of the lease's subnet object, if dhcpd sent one.</summary>
        public uint? GetSubnetHandle() => _subnet;

        /// <summary>Handle of the lease's pool object (see <see cref="OmapiPool"/>), if dhcpd sent one.</summary>
        public uint? GetPoolHandle() => _pool;

        /// <summary>Handle of the host declaration linked to the lease, if any.</summary>
        public uint? GetHostHandle() => _host;

        /// <summary>Handle of the class the lease is billed to, if any.</summary>
        public uint? GetBillingClassHandle() => _billingClass;

        /// <summary>Reads a lease from a server object.</summary>
        public static OmapiLease FromObject(OmapiObject value, string server) => new OmapiLease(value ?? throw new ArgumentNullException(nameof(value)), server);

        /// <inheritdoc />
        public override string ToString() => IPAddress + " " + State;
    }

    /// <summary>What may be changed on a lease (the only attributes dhcpd 4.4 applies). Null members are left alone.</summary>
    public sealed class OmapiLeaseChanges
    {
        /// <summary>The flags dhcpd lets OMAPI change (EPHEMERAL_FLAGS): Bootp, Reserved, MsNullTermination, UnicastBroadcastHack.</summary>
        public const LeaseFlags ChangeableFlags = LeaseFlags.Bootp | LeaseFlags.Reserved | LeaseFlags.MsNullTermination | LeaseFlags.UnicastBroadcastHack;

        /// <summary>New binding state (dhcpd may move on at once, e.g. released → free).</summary>
        public LeaseState? State { get; set; }

        /// <summary>New end time (whole seconds; the offset says which instant).</summary>
        public DateTimeOffset? Ends { get; set; }

        /// <summary>New ephemeral flags (e.g. <see cref="LeaseFlags.Reserved"/>); only ephemeral bits change.</summary>
        public LeaseFlags? Flags { get; set; }

        /// <summary>
        /// The object values of the one UPDATE, in the order dhcpd must apply them: the end time and the flags first (either
        /// runs the lease's pending transition, which frees an Active lease), the state last, so that it stays.
        /// </summary>
        public OmapiValueList ToValues()
        {
            var values = new OmapiValueList();
            if (Ends is DateTimeOffset ends)
            {
                values.Add("ends", OmapiEncoding.FromTime(ends));
            }

            if (Flags is LeaseFlags flags)
            {
                values.Add("flags", new[] { (byte)flags });
            }

            if (State is LeaseState state)
            {
                if (state < LeaseState.Free || state > LeaseState.Backup)
                {
                    throw new ArgumentOutOfRangeException(nameof(State), state, "A lease state must be Free..Backup (1..7).");
                }

                values.Add("state", (uint)state);
            }

            if (values.Count == 0)
            {
                throw new ArgumentException("Nothing to change: set State, Ends or Flags.");
            }

            return values;
        }

        /// <summary>The changes in words, in the order they are applied: "end time 2030-01-01 08:00:00 UTC, state Active".</summary>
        public string Describe()
        {
            var parts = new List<string>();
            if (Ends is DateTimeOffset ends)
            {
                parts.Add("end time " + ends.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture) + " UTC");
            }

            if (Flags is LeaseFlags flags)
            {
                parts.Add("flags " + flags);
            }

            if (State is LeaseState state)
            {
                parts.Add("state " + state);
            }

            return string.Join(", ", parts);
        }
    }
}
