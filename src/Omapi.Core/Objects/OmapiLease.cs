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
        private static readonly HashSet<string> KnownNames = new HashSet<string>(StringComparer.Ordinal)
        {
            "state", "ip-address", "dhcp-client-identifier", "client-hostname", "host", "subnet", "pool", "billing-class",
            "hardware-address", "hardware-type", "ends", "starts", "tstp", "tsfp", "atsfp", "cltt", "flags",
        };

        private OmapiLease(OmapiObject o, string server)
        {
            Server = server;
            Handle = o.Handle;
            IPAddress = OmapiEncoding.ToIPv4(o.Values.Get("ip-address") ?? Array.Empty<byte>(), "ip-address");
            State = (LeaseState)(o.UInt32("state") ?? 0);
            byte[]? mac = o.Raw("hardware-address");
            MacAddress = mac == null ? null : HardwareAddress.Format(mac);
            HardwareType = mac == null ? null : (int?)o.UInt32("hardware-type");
            ClientIdBytes = o.Raw("dhcp-client-identifier");
            ClientId = o.Hex("dhcp-client-identifier");
            ClientHostname = o.Text("client-hostname");
            Starts = o.Time("starts");
            Ends = o.Time("ends");
            Cltt = o.Time("cltt");
            Tstp = o.Time("tstp");
            Tsfp = o.Time("tsfp");
            Atsfp = o.Time("atsfp");
            byte[]? flags = o.Raw("flags");
            Flags = flags == null ? LeaseFlags.None : flags.Length switch
            {
                1 => (LeaseFlags)flags[0],
                4 => (LeaseFlags)OmapiEncoding.ReadUInt32(flags, 0),
                _ => throw new OmapiMalformedValueException("flags", flags, "a 1-byte flags value"),
            };
            SubnetHandle = o.UInt32("subnet");
            PoolHandle = o.UInt32("pool");
            HostHandle = o.UInt32("host");
            BillingClassHandle = o.UInt32("billing-class");
            var variables = new Dictionary<string, byte[]>(StringComparer.Ordinal);
            foreach (OmapiValue v in o.Values)
            {
                if (!KnownNames.Contains(v.Name))
                {
                    variables[v.Name] = v.Value;
                }
            }

            Variables = variables;
        }

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
        /// <summary>New binding state (dhcpd may move on at once, e.g. released → free).</summary>
        public LeaseState? State { get; set; }

        /// <summary>New end time (UTC).</summary>
        public DateTime? Ends { get; set; }

        /// <summary>New ephemeral flags (e.g. <see cref="LeaseFlags.Reserved"/>); only ephemeral bits change.</summary>
        public LeaseFlags? Flags { get; set; }

        /// <summary>The object values of the UPDATE.</summary>
        public OmapiValueList ToValues()
        {
            var values = new OmapiValueList();
            if (State is LeaseState state)
            {
                if (state < LeaseState.Free || state > LeaseState.Backup)
                {
                    throw new ArgumentOutOfRangeException(nameof(State), state, "A lease state must be Free..Backup (1..7).");
                }

                values.Add("state", (uint)state);
            }

            if (Ends is DateTime ends)
            {
                values.Add("ends", OmapiEncoding.FromTime(ends));
            }

            if (Flags is LeaseFlags flags)
            {
                values.Add("flags", new[] { (byte)flags });
            }

            if (values.Count == 0)
            {
                throw new ArgumentException("Nothing to change: set State, Ends or Flags.");
            }

            return values;
        }
    }
}
