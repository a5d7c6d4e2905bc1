using System;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using Omapi.Core;
using Omapi.Core.Objects;

namespace PSOmapi
{
    /// <summary>
    /// <para type="synopsis">Changes what dhcpd lets you change on a lease: its state, its end time and its Reserved flag.</para>
    /// <para type="description">Leases are found by IP address, or piped from Get-OmapiLease. dhcpd applies a state change
    /// through its normal lease logic and may move the lease on at once: without failover a lease set to Released becomes
    /// Free straight away, and a lease whose end time has passed expires (give -Ends in the future with -State). dhcpd
    /// moves a lease to its pending next state (an Active lease to Free) when its end time or flags change, so after such
    /// a change the cmdlet applies the lease's own state again unless -State is given. The cmdlet re-reads the lease and
    /// warns when dhcpd did not keep the expected state; -PassThru returns it.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.Set, "OmapiLease", DefaultParameterSetName = IPAddressSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = ModuleLinks.HelpBase + "Set-OmapiLease.md")]
    [OutputType(typeof(OmapiLease))]
    public sealed class SetOmapiLeaseCommand : OmapiSessionCmdlet
    {
        private const string IPAddressSet = "IPAddress";
        private const string InputObjectSet = "InputObject";

        /// <summary>Leased addresses (IPv4); every address in a range has a lease object, free ones too.</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = IPAddressSet, ValueFromPipelineByPropertyName = true)]
        [Alias("IP", "Address")]
        [ValidateNotNullOrEmpty]
        public IPAddress[] IPAddress { get; set; } = Array.Empty<IPAddress>();

        /// <summary>Leases as Get-OmapiLease returned them (changed by their handle).</summary>
        [Parameter(Mandatory = true, ParameterSetName = InputObjectSet, ValueFromPipeline = true)]
        [ValidateNotNullOrEmpty]
        public OmapiLease[] InputObject { get; set; } = Array.Empty<OmapiLease>();

        /// <summary>
        /// The new binding state. dhcpd may move the lease on at once: Released becomes Free when there is no failover, and
        /// a lease whose end time has passed (every lease never handed out) is expired straight away, so an Active or
        /// Abandoned state only stays with an end time in the future: give -Ends in the same call (the end time is applied first).
        /// </summary>
        [Parameter]
        [ValidateSet("Free", "Active", "Expired", "Released", "Abandoned", "Reset", "Backup", IgnoreCase = true)]
        public LeaseState? State { get; set; }

        /// <summary>
        /// The new end time, an instant: a DateTimeOffset, a DateTime (Get-Date; a time without a zone is local time, one
        /// from Get-Date -AsUTC or [DateTime]::UtcNow is UTC), or text, read as Get-Date reads it ('2030-01-01 12:00' is
        /// local time; '2030-01-01T12:00Z' or '2030-01-01 12:00 +09:00' say their zone). dhcpd stores whole seconds. dhcpd
        /// applies an end time through its lease transition, which would move an Active lease to Free: the cmdlet applies the
        /// lease's own state again afterwards, so the lease keeps its state unless -State is given (applied after the end time).
        /// </summary>
        [Parameter]
        public DateTimeOffset? Ends { get; set; }

        /// <summary>
        /// Sets ($true) or clears ($false) the lease's Reserved flag (the address stays with its client); the other flags
        /// are kept. As with -Ends, the lease keeps its state unless -State is given (dhcpd would move an Active lease to
        /// Free on a flags change; the cmdlet applies the state again).
        /// </summary>
        [Parameter]
        public bool? Reserved { get; set; }

        /// <summary>Returns the lease as dhcpd reports it after the change.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            if (State == null && Ends == null && Reserved == null)
            {
                object input = ParameterSetName == InputObjectSet ? InputObject : (object)IPAddress;
                ThrowTerminatingError(OmapiErrors.Create(ErrorIds.InvalidArgument, ErrorCategory.InvalidArgument, "Nothing to change: give -State, -Ends or -Reserved.", input));
            }

            string server = ResolveSession().Server;
            OmapiSession session = Core;
            string action = DescribeChanges();
            if (ParameterSetName == InputObjectSet)
            {
                foreach (OmapiLease lease in InputObject)
                {
                    if (CheckSameServer(lease.Server, lease) && ShouldProcess("lease " + lease.IPAddress + " on " + server, action))
                    {
                        Change(session, lease, lease.GetHandle(), lease);
                    }
                }

                return;
            }

            foreach (IPAddress address in IPAddress)
            {
                if (!Inputs.TryIPv4(this, address) || !ShouldProcess("lease " + address + " on " + server, action))
                {
                    continue;
                }

                if (TryRun(ct => session.GetLeaseAsync(address, ct), address, ErrorIds.LeaseNotFound, ErrorIds.ObjectAlreadyExists, out OmapiLease lease))
                {
                    Change(session, lease, lease.GetHandle(), address);
                }
            }
        }

        private void Change(OmapiSession session, OmapiLease lease, uint handle, object input)
        {
            // A piped lease may be stale: re-read it, since its flags and state are the starting point. A lease just looked up is current.
            if (ParameterSetName == InputObjectSet && !TryRun(ct => session.RefreshLeaseAsync(handle, ct), input, ErrorIds.LeaseNotFound, ErrorIds.ObjectAlreadyExists, out lease))
            {
                return;
            }

            if ((Ends != null || Reserved != null) && lease.ClientHostname != null)
            {
                WriteWarning("dhcpd drops the client hostname '" + lease.ClientHostname + "' of lease " + lease.IPAddress + " when its end time or flags change: it runs the lease through its expiry, which clears it, and OMAPI cannot set it back. The lease keeps its client and state; the hostname returns when the client renews.");
            }

            if (!TryRun(ct => session.SetLeaseAsync(lease, State, Ends, Reserved, ct), input, ErrorIds.LeaseNotFound, ErrorIds.ObjectAlreadyExists, out OmapiWriteResult<OmapiLease> result))
            {
                return;
            }

            OmapiLease after = Report(result);
            LeaseState expected = State ?? lease.GetState();
            if (after.GetState() != expected)
            {
                WriteWarning(State != null
                    ? "dhcpd moved lease " + after.IPAddress + " on from " + expected + " to " + after.State + " at once (e.g. Released becomes Free without failover, and a lease whose end time has passed expires)."
                    : "dhcpd did not keep lease " + after.IPAddress + " in state " + expected + " after the change: it is now " + after.State + " (a lease whose end time has passed expires at once).");
            }

            if (PassThru)
            {
                WriteObject(after);
            }
        }

        private string DescribeChanges()
        {
            var parts = new List<string>();
            if (State is LeaseState state)
            {
                parts.Add("state " + state);
            }

            if (Ends is DateTimeOffset ends)
            {
                parts.Add("ends " + ends.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC");
            }

            if (Reserved is bool reserved)
            {
                parts.Add(reserved ? "set the Reserved flag" : "clear the Reserved flag");
            }

            return "Set " + string.Join("; ", parts);
        }
    }
}
