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
    /// A failover peer's state: states and role by name (<see cref="GetLocalState"/>, <see cref="GetPartnerState"/> and
    /// <see cref="GetRole"/> give the values), times as instants with offset +00:00. dhcpd's <c>partner-address</c> and
    /// <c>local-address</c> are not addresses but pointer bytes (a dhcpd bug), so they are kept only as raw bytes
    /// (<see cref="GetPartnerAddressBytes"/>, <see cref="GetLocalAddressBytes"/>).
    /// </summary>
    public sealed class OmapiFailoverState : IOmapiObject
    {
        private readonly uint _handle;
        private readonly FailoverState _localState;
        private readonly FailoverState _partnerState;
        private readonly FailoverRole _role;
        private readonly byte[]? _partnerAddress;
        private readonly byte[]? _localAddress;

        private OmapiFailoverState(OmapiObject o, string server)
        {
            Name = o.Text("name");
            _partnerAddress = o.Raw("partner-address");
            _localAddress = o.Raw("local-address");
            PartnerPort = (int?)o.UInt32("partner-port");
            LocalPort = (int?)o.UInt32("local-port");
            MaxOutstandingUpdates = (int?)o.UInt32("max-outstanding-updates");
            Mclt = (int?)o.UInt32("mclt");
            LoadBalanceMaxSecs = (int?)o.UInt32("load-balance-max-secs");
            _partnerState = (FailoverState)(o.UInt32("partner-state") ?? 0);
            _localState = (FailoverState)(o.UInt32("local-state") ?? 0);
            PartnerState = _partnerState.ToString();
            LocalState = _localState.ToString();
            PartnerStos = o.Time("partner-stos");
            LocalStos = o.Time("local-stos");
            _role = (FailoverRole)(o.UInt32("hierarchy") ?? 0);
            Role = _role.ToString();
            LastPacketSent = o.Time("last-packet-sent");
            LastTimestampReceived = o.Time("last-timestamp-received");
            Skew = (int?)o.UInt32("skew");
            MaxResponseDelay = (int?)o.UInt32("max-response-delay");
            CurrentUnackedUpdates = (int?)o.UInt32("cur-unacked-updates");
            _handle = o.Handle;
            Server = server;
        }

        /// <summary>The peer name from <c>failover peer "name"</c>.</summary>
        public string? Name { get; }

        /// <summary>This server's failover state by name (<c>Normal</c>, <c>PartnerDown</c> ...).</summary>
        public string LocalState { get; }

        /// <summary>The partner's state as last reported, by name.</summary>
        public string PartnerState { get; }

        /// <summary><c>Primary</c> or <c>Secondary</c>.</summary>
        public string Role { get; }

        /// <summary>When the local state began.</summary>
        public DateTimeOffset? LocalStos { get; }

        /// <summary>When the partner's state began.</summary>
        public DateTimeOffset? PartnerStos { get; }

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

        /// <summary>Last packet sent.</summary>
        public DateTimeOffset? LastPacketSent { get; }

        /// <summary>Last timestamp received.</summary>
        public DateTimeOffset? LastTimestampReceived { get; }

        /// <summary>Clock skew to the partner, seconds.</summary>
        public int? Skew { get; }

        /// <summary>max-response-delay, seconds.</summary>
        public int? MaxResponseDelay { get; }

        /// <summary>Updates not yet acknowledged.</summary>
        public int? CurrentUnackedUpdates { get; }

        /// <summary>The server.</summary>
        public string Server { get; }

        /// <summary>This server's failover state.</summary>
        public FailoverState GetLocalState() => _localState;

        /// <summary>The partner's state as last reported.</summary>
        public FailoverState GetPartnerState() => _partnerState;

        /// <summary>Primary or secondary.</summary>
        public FailoverRole GetRole() => _role;

        /// <summary>The raw <c>partner-address</c> bytes: NOT an IP address in dhcpd 4.4 (pointer bytes).</summary>
        public byte[]? GetPartnerAddressBytes() => (byte[]?)_partnerAddress?.Clone();

        /// <summary>The raw <c>local-address</c> bytes: NOT an IP address in dhcpd 4.4 (pointer bytes).</summary>
        public byte[]? GetLocalAddressBytes() => (byte[]?)_localAddress?.Clone();

        /// <summary>The object's OMAPI handle.</summary>
        public uint GetHandle() => _handle;

        /// <summary>Reads a failover-state object.</summary>
        public static OmapiFailoverState FromObject(OmapiObject value, string server) => new OmapiFailoverState(value ?? throw new ArgumentNullException(nameof(value)), server);

        /// <inheritdoc />
        public override string ToString() => (Name ?? "failover") + " " + LocalState;
    }
}
