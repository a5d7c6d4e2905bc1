using System;
using System.Collections.Generic;
using System.Net;
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

    /// <summary>A dhcpd lease as OMAPI returns it. Times are UTC; null times were 0 (never set).</summary>
    public sealed class OmapiLease
    {
        private OmapiLease(OmapiObject o, string server)
        {
            Server = server;
            Handle = o.Handle;

            // One pass over the attributes (a lease reply has ~15); the last value of a name wins, as in dhcpd.
            byte[]? ip = null, state = null, mac = null, hardwareType = null, clientId = null, hostname = null, flags = null;
            byte[]? starts = null, ends = null, cltt = null, tstp = null, tsfp = null, atsfp = null;
            byte[]? subnet = null, pool = null, host = null, billing = null;
            Dictionary<string, byte[]>? variables = null;
            foreach (OmapiValue v in o.Values)
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

            IPAddress = OmapiEncoding.ToIPv4(ip ?? Array.Empty<byte>(), "ip-address");
            State = (LeaseState)(UInt(state, "state") ?? 0);
            mac = NullIfEmpty(mac);
            MacAddress = mac == null ? null : HardwareAddress.Format(mac);
            HardwareType = mac == null ? null : (int?)UInt(hardwareType, "hardware-type");
            ClientIdBytes = NullIfEmpty(clientId);
            ClientId = ClientIdBytes == null ? null : OmapiEncoding.ToHex(ClientIdBytes);
            ClientHostname = NullIfEmpty(hostname) is byte[] h ? OmapiEncoding.ToText(h) : null;
            Starts = Time(starts, "starts");
            Ends = Time(ends, "ends");
            Cltt = Time(cltt, "cltt");
            Tstp = Time(tstp, "tstp");
            Tsfp = Time(tsfp, "tsfp");
            Atsfp = Time(atsfp, "atsfp");
            flags = NullIfEmpty(flags);
            Flags = flags == null ? LeaseFlags.None : flags.Length switch
            {
                1 => (LeaseFlags)flags[0],
                4 => (LeaseFlags)OmapiEncoding.ReadUInt32(flags, 0),
                _ => throw new OmapiMalformedValueException("flags", flags, "a 1-byte flags value"),
            };
            SubnetHandle = UInt(subnet, "subnet");
            PoolHandle = UInt(pool, "pool");
            HostHandle = UInt(host, "host");
            BillingClassHandle = UInt(billing, "billing-class");
            Variables = variables ?? EmptyVariables;
        }

        private static readonly IReadOnlyDictionary<string, byte[]> EmptyVariables = new Dictionary<string, byte[]>(StringComparer.Ordinal);

        private static byte[]? NullIfEmpty(byte[]? value) => value == null || value.Length == 0 ? null : value;

        private static uint? UInt(byte[]? value, string name) => NullIfEmpty(value) is byte[] v ? OmapiEncoding.ToUInt32(v, name) : (uint?)null;

        private static DateTime? Time(byte[]? value, string name) => NullIfEmpty(value) is byte[] v ? OmapiEncoding.ToTime(v, name) : null;

        /// <summary>The leased address.</summary>
        public IPAddress IPAddress { get; }

        /// <summary>The binding state.</summary>
        public LeaseState State { get; }

        /// <summary>The client's hardware address as <c>00:11:22:33:44:55</c>, when known.</summary>
        public string? MacAddress { get; }

        /// <summary>The hardware type (1 = Ethernet), when a hardware address is known.</summary>
        public int? HardwareType { get; }

        /// <summary>The DHCP client identifier as colon hex, when the client sent one.</summary>
        public string? ClientId { get; }

        /// <summary>The raw client identifier bytes.</summary>
        public byte[]? ClientIdBytes { get; }

        /// <summary>The hostname the client sent (option 12), when known.</summary>
        public string? ClientHostname { get; }

        /// <summary>When the lease started (UTC).</summary>
        public DateTime? Starts { get; }

        /// <summary>When the lease ends (UTC).</summary>
        public DateTime? Ends { get; }

        /// <summary>Client's last transaction time (UTC).</summary>
        public DateTime? Cltt { get; }

        /// <summary>Time sent to the failover peer (UTC).</summary>
        public DateTime? Tstp { get; }

        /// <summary>Time the failover peer sent (UTC).</summary>
        public DateTime? Tsfp { get; }

        /// <summary>Actual time sent from the failover peer (UTC).</summary>
        public DateTime? Atsfp { get; }

        /// <summary>The ephemeral lease flags.</summary>
        public LeaseFlags Flags { get; }

        /// <summary>The lease's OMAPI handle.</summary>
        public uint Handle { get; }

        /// <summary>Handle of the lease's subnet object.</summary>
        public uint? SubnetHandle { get; }

        /// <summary>Handle of the lease's pool object (see <see cref="OmapiPool"/>).</summary>
        public uint? PoolHandle { get; }

        /// <summary>Handle of the host declaration linked to the lease, if any.</summary>
        public uint? HostHandle { get; }

        /// <summary>Handle of the class the lease is billed to, if any.</summary>
        public uint? BillingClassHandle { get; }

        /// <summary>The lease's binding-scope variables (any attribute dhcpd returned that is not a lease field).</summary>
        public IReadOnlyDictionary<string, byte[]> Variables { get; }

        /// <summary>The server the lease came from.</summary>
        public string Server { get; }

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

        /// <summary>New end time (UTC; whole seconds).</summary>
        public DateTime? Ends { get; set; }

        /// <summary>New ephemeral flags (e.g. <see cref="LeaseFlags.Reserved"/>); only ephemeral bits change.</summary>
        public LeaseFlags? Flags { get; set; }

        /// <summary>
        /// The object values of the one UPDATE, in the order dhcpd must apply them: the end time and the flags first (either
        /// runs the lease's pending transition, which frees an Active lease), the state last, so that it stays.
        /// </summary>
        public OmapiValueList ToValues()
        {
            var values = new OmapiValueList();
            if (Ends is DateTime ends)
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
            if (Ends is DateTime ends)
            {
                parts.Add("end time " + (ends.Kind == DateTimeKind.Local ? ends.ToUniversalTime() : ends).ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture) + " UTC");
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
