using System;
using Omapi.Core.Protocol;

namespace Omapi.Core.Objects
{
    /// <summary>DHCP failover states (<c>enum failover_state</c>).</summary>
    public enum FailoverState
    {
        /// <summary>Unknown.</summary>
        Unknown = 0,
        /// <summary>Startup.</summary>
        Startup = 1,
        /// <summary>Normal.</summary>
        Normal = 2,
        /// <summary>Communications interrupted.</summary>
        CommunicationsInterrupted = 3,
        /// <summary>Partner down: this server serves the whole pool.</summary>
        PartnerDown = 4,
        /// <summary>Potential conflict.</summary>
        PotentialConflict = 5,
        /// <summary>Recover.</summary>
        Recover = 6,
        /// <summary>Paused.</summary>
        Paused = 7,
        /// <summary>Shutdown.</summary>
        Shutdown = 8,
        /// <summary>Recover done.</summary>
        RecoverDone = 9,
        /// <summary>Resolution interrupted.</summary>
        ResolutionInterrupted = 10,
        /// <summary>Conflict done.</summary>
        ConflictDone = 11,
        /// <summary>Recover wait.</summary>
        RecoverWait = 254,
    }

    /// <summary>Which side of the failover pair a server is.</summary>
    public enum FailoverRole
    {
        /// <summary>Primary.</summary>
        Primary = 0,
        /// <summary>Secondary.</summary>
        Secondary = 1,
    }

    /// <summary>
    /// A failover peer's state. dhcpd's <c>partner-address</c> and <c>local-address</c> are not addresses but pointer
    /// bytes (a dhcpd bug), so they are kept only as raw bytes.
    /// </summary>
    public sealed class OmapiFailoverState
    {
        private OmapiFailoverState(OmapiObject o, string server)
        {
            Name = o.Text("name");
            PartnerAddressRaw = o.Raw("partner-address");
            LocalAddressRaw = o.Raw("local-address");
            PartnerPort = (int?)o.UInt32("partner-port");
            LocalPort = (int?)o.UInt32("local-port");
            MaxOutstandingUpdates = (int?)o.UInt32("max-outstanding-updates");
            Mclt = (int?)o.UInt32("mclt");
            LoadBalanceMaxSecs = (int?)o.UInt32("load-balance-max-secs");
            PartnerState = (FailoverState)(o.UInt32("partner-state") ?? 0);
            LocalState = (FailoverState)(o.UInt32("local-state") ?? 0);
            PartnerStos = o.Time("partner-stos");
            LocalStos = o.Time("local-stos");
            Role = (FailoverRole)(o.UInt32("hierarchy") ?? 0);
            LastPacketSent = o.Time("last-packet-sent");
            LastTimestampReceived = o.Time("last-timestamp-received");
            Skew = (int?)o.UInt32("skew");
            MaxResponseDelay = (int?)o.UInt32("max-response-delay");
            CurrentUnackedUpdates = (int?)o.UInt32("cur-unacked-updates");
            Handle = o.Handle;
            Server = server;
        }

        /// <summary>The peer name from <c>failover peer "name"</c>.</summary>
        public string? Name { get; }

        /// <summary>This server's failover state.</summary>
        public FailoverState LocalState { get; }

        /// <summary>The partner's state as last reported.</summary>
        public FailoverState PartnerState { get; }

        /// <summary>Primary or secondary.</summary>
        public FailoverRole Role { get; }

        /// <summary>When the local state began (UTC).</summary>
        public DateTime? LocalStos { get; }

        /// <summary>When the partner's state began (UTC).</summary>
        public DateTime? PartnerStos { get; }

        /// <summary>The partner's port.</summary>
        public int? PartnerPort { get; }

        /// <summary>The local port.</summary>
        public int? LocalPort { get; }

        /// <summary>Maximum client lead time, seconds.</summary>
        public int? Mclt { get; }

        /// <summary>max-unacked-updates.</summary>
        public int? MaxOutstandingUpdates { get; }

        /// <summary>load balance max seconds.</summary>
        public int? LoadBalanceMaxSecs { get; }

        /// <summary>Last packet sent (UTC).</summary>
        public DateTime? LastPacketSent { get; }

        /// <summary>Last timestamp received (UTC).</summary>
        public DateTime? LastTimestampReceived { get; }

        /// <summary>Clock skew to the partner, seconds.</summary>
        public int? Skew { get; }

        /// <summary>max-response-delay, seconds.</summary>
        public int? MaxResponseDelay { get; }

        /// <summary>Updates not yet acknowledged.</summary>
        public int? CurrentUnackedUpdates { get; }

        /// <summary>The raw <c>partner-address</c> bytes: NOT an IP address in dhcpd 4.4 (pointer bytes).</summary>
#pragma warning disable CA1819
        public byte[]? PartnerAddressRaw { get; }

        /// <summary>The raw <c>local-address</c> bytes: NOT an IP address in dhcpd 4.4 (pointer bytes).</summary>
        public byte[]? LocalAddressRaw { get; }
#pragma warning restore CA1819

        /// <summary>The object's OMAPI handle.</summary>
        public uint Handle { get; }

        /// <summary>The server.</summary>
        public string Server { get; }

        /// <summary>Reads a failover-state object.</summary>
        public static OmapiFailoverState FromObject(OmapiObject value, string server) => new OmapiFailoverState(value ?? throw new ArgumentNullException(nameof(value)), server);

        /// <inheritdoc />
        public override string ToString() => (Name ?? "failover") + " " + LocalState;
    }
}
