using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Runtime.CompilerServices;
using System.Threading.Tasks;
using Omapi.Core;
using Omapi.Core.Bulk;
using Omapi.Core.Objects;

namespace PSOmapi
{
    /// <summary>
    /// <para type="synopsis">Gets dhcpd leases by IP address, MAC address, DHCP client identifier, or every address of a range.</para>
    /// </summary>
    /// <remarks>
    /// Objects piped in (-InputObject) are looked up by what they carry: addresses as text or [IPAddress], leases, and any
    /// object with an IPAddress, MacAddress or ClientId property (Import-Csv rows, ConvertFrom-Json objects); see
    /// <see cref="PipelineInput"/>. Many addresses (an array, pipeline input, or -Range) are looked up in bulk: many
    /// requests in flight over several connections of the session, each within the byte budget that keeps dhcpd 4.4.3
    /// from aborting; results stream out in input (address) order with flat memory. A single address typed at the prompt
    /// is one plain request.
    /// </remarks>
    [Cmdlet(VerbsCommon.Get, "OmapiLease", DefaultParameterSetName = IPAddressSet, HelpUri = ModuleLinks.HelpBase + "Get-OmapiLease.md")]
    [OutputType(typeof(OmapiLease))]
    public sealed class GetOmapiLeaseCommand : OmapiSessionCmdlet
    {
        private const string IPAddressSet = "IPAddress";
        private const string MacAddressSet = "MacAddress";
        private const string ClientIdSet = "ClientId";
        private const string InputObjectSet = "InputObject";
        private const int ProgressActivityId = 0x0A11;

        private readonly PipelineBulk<IPAddress, OmapiLease> _bulk;
        private HashSet<LeaseState>? _states;

        /// <summary>Creates the cmdlet.</summary>
        public GetOmapiLeaseCommand() => _bulk = new PipelineBulk<IPAddress, OmapiLease>(StopToken, r => Emit(r, skipNotFound: false), ex => ThrowError(ex, IPAddress, ErrorIds.LeaseNotFound));

        /// <summary>
        /// Leased addresses (IPv4): text, IPAddress objects, or a lease's IPAddress. (Not mandatory only because -Range shares
        /// its parameter set; one of the two is required.) Piped addresses bind to -InputObject.
        /// </summary>
        [Parameter(Position = 0, ParameterSetName = IPAddressSet)]
        [Alias("IP", "Address")]
        [ValidateNotNullOrEmpty]
        public IPAddress[] IPAddress { get; set; } = Array.Empty<IPAddress>();

        /// <summary>Client MAC addresses: 00:11:22:33:44:55, 00-11-22-33-44-55 or 001122334455.</summary>
        [Parameter(Mandatory = true, ParameterSetName = MacAddressSet)]
        [Alias("HardwareAddress")]
        [ValidateNotNullOrEmpty]
        public string[] MacAddress { get; set; } = Array.Empty<string>();

        /// <summary>DHCP client identifiers as hex (01:00:11:22:33:44:55) or text.</summary>
        [Parameter(Mandatory = true, ParameterSetName = ClientIdSet)]
        [ValidateNotNullOrEmpty]
        public string[] ClientId { get; set; } = Array.Empty<string>();

        /// <summary>
        /// What to look up, from the pipeline: addresses (text or IPAddress), leases, and objects with an IPAddress,
        /// MacAddress or ClientId property, such as the rows of Import-Csv and the objects of ConvertFrom-Json. An empty
        /// value (an empty CSV cell, a JSON null) is not given; the first of IPAddress, MacAddress and ClientId that is
        /// given is used, so a lease's row is looked up by its address.
        /// </summary>
        [Parameter(Mandatory = true, ParameterSetName = InputObjectSet, ValueFromPipeline = true)]
        [ValidateNotNull]
        public PSObject[] InputObject { get; set; } = Array.Empty<PSObject>();

        /// <summary>
        /// Address ranges to scan: CIDR (198.18.0.0/16) or first-last (10.1.1.10-10.1.2.200). Addresses without a lease
        /// object (outside every dhcpd range) are skipped silently; output is in address order. It shares the IPAddress
        /// parameter set: a fourth, separate set stopped PowerShell from binding piped objects by MacAddress or ClientId.
        /// </summary>
        [Parameter(ParameterSetName = IPAddressSet)]
        [ValidateNotNullOrEmpty]
        public string[] Range { get; set; } = Array.Empty<string>();

        /// <summary>Only leases in these states (e.g. Active, Abandoned).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public LeaseState[]? State { get; set; }

        /// <summary>
        /// Scans ranges of more than 65,536 addresses (a /16). Without it such a -Range is refused with RangeTooLarge, so that
        /// a typo (/8 for /24) does not start millions of lookups.
        /// </summary>
        [Parameter(ParameterSetName = IPAddressSet)]
        public SwitchParameter Force { get; set; }

        /// <summary>The most addresses -Range scans without -Force (a /16, as Register-OmapiNotify allows).</summary>
        public const long MaxRangeWithoutForce = 65536;

        /// <summary>How many connections bulk lookups may use (1..16, default 4); each keeps dhcpd's safe byte budget.</summary>
        [Parameter]
        [ValidateRange(1, 16)]
        public int ThrottleLimit { get; set; } = 4;

        /// <inheritdoc />
        protected override void BeginProcessing()
        {
            _states = State == null ? null : new HashSet<LeaseState>(State);
        }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            switch (ParameterSetName)
            {
                case IPAddressSet when Range.Length > 0:
                    if (IPAddress.Length > 0)
                    {
                        ThrowTerminatingError(OmapiErrors.Create(ErrorIds.InvalidArgument, ErrorCategory.InvalidArgument, "Give either -IPAddress or -Range, not both.", Range));
                    }

                    ScanRanges();
                    break;
                case IPAddressSet:
                    if (IPAddress.Length == 0)
                    {
                        ThrowTerminatingError(OmapiErrors.Create(ErrorIds.InvalidArgument, ErrorCategory.InvalidArgument, "Give the leases to get: -IPAddress, -MacAddress, -ClientId or -Range.", null));
                    }

                    LookUpAddresses(IPAddress);
                    break;
                case MacAddressSet:
                    foreach (string text in MacAddress)
                    {
                        LookUpMac(text);
                    }

                    break;
                case ClientIdSet:
                    foreach (string text in ClientId)
                    {
                        LookUpClientId(text);
                    }

                    break;
                default:
                    var addresses = new List<IPAddress>();
                    foreach (PSObject item in InputObject)
                    {
                        Read(item, addresses);
                    }

                    LookUpAddresses(addresses);
                    break;
            }
        }

        /// <summary>What one piped object stands for: its address, else its MAC address, else its client identifier.</summary>
        private void Read(PSObject item, List<IPAddress> addresses)
        {
            object value = item.BaseObject;
            switch (value)
            {
                case OmapiLease lease:
                    addresses.Add(lease.GetIPAddress().ToIPAddress());
                    return;
                case string _:
                case IPAddress _:
                case IPv4Address _:
                    PipelineInput.TryAddresses(this, value, addresses);
                    return;
            }

            if (PipelineInput.Property(item, "IPAddress", "IP", "Address") is object address)
            {
                PipelineInput.TryAddresses(this, address, addresses);
            }
            else if (PipelineInput.Property(item, "MacAddress", "HardwareAddress") is object mac)
            {
                LookUpMac(PipelineInput.Text(mac));
            }
            else if (PipelineInput.Property(item, "ClientId") is object clientId)
            {
                LookUpClientId(PipelineInput.Text(clientId));
            }
            else
            {
                WriteError(OmapiErrors.Create(ErrorIds.InvalidArgument, ErrorCategory.InvalidArgument, "Get-OmapiLease looks leases up by address, MAC address or client identifier: '" + item + "' (a " + value.GetType().FullName + ") is no address and has no IPAddress, MacAddress or ClientId property with a value.", value));
            }
        }

        private void LookUpMac(string text)
        {
            if (Inputs.TryMac(this, text, out byte[] mac)
                && TryRun(ct => Core.GetLeaseByHardwareAddressAsync(mac, HardwareAddress.Ethernet, ct), text, ErrorIds.LeaseNotFound, ErrorIds.ObjectAlreadyExists, out OmapiLease lease))
            {
                Emit(lease);
            }
        }

        private void LookUpClientId(string text)
        {
            if (Inputs.TryClientId(this, text, out byte[] clientId)
                && TryRun(ct => Core.GetLeaseByClientIdAsync(clientId, ct), text, ErrorIds.LeaseNotFound, ErrorIds.ObjectAlreadyExists, out OmapiLease lease))
            {
                Emit(lease);
            }
        }

        /// <inheritdoc />
        protected override void EndProcessing() => _bulk.Finish();

        /// <inheritdoc />
        protected override void ReleaseResources() => _bulk.Dispose();

        private void LookUpAddresses(IEnumerable<IPAddress> addresses)
        {
            IPAddress[] valid = addresses.Where(a => Inputs.TryIPv4(this, a)).ToArray();
            if (valid.Length == 0)
            {
                return;
            }

            if (!_bulk.Wants(valid.Length, MyInvocation.ExpectingInput))
            {
                // One address at the prompt: one plain request, no extra connections.
                foreach (IPAddress address in valid)
                {
                    // Synchronous: this thread reads its own reply (no thread hand-off), see OmapiSession.GetLease.
                    if (TryRun(ct => Task.FromResult(Core.GetLease(address, ct)), address, ErrorIds.LeaseNotFound, ErrorIds.ObjectAlreadyExists, out OmapiLease lease))
                    {
                        Emit(lease);
                    }
                }

                return;
            }

            _bulk.Add(valid, () => StartBulk(null, IPAddress));
        }

        private void ScanRanges()
        {
            var ranges = new List<AddressRange>();
            foreach (string text in Range)
            {
                try
                {
                    ranges.Add(AddressRange.Parse(text));
                }
                catch (FormatException ex)
                {
                    WriteError(new ErrorRecord(ex, ErrorIds.InvalidIPAddress, ErrorCategory.InvalidArgument, text));
                }
            }

            long total = ranges.Sum(r => r.Count);
            if (total > MaxRangeWithoutForce && !Force)
            {
                ThrowTerminatingError(OmapiErrors.Create(
                    ErrorIds.RangeTooLarge,
                    ErrorCategory.LimitsExceeded,
                    string.Format(CultureInfo.InvariantCulture, "-Range {0} holds {1:N0} addresses, more than the {2:N0} (a /16) a scan takes without -Force: one lookup each, roughly {3} at 10,000 to 60,000 lookups a second. Check the range (a /8 typed for a /24?), or add -Force to scan it anyway.", string.Join(", ", ranges.Select(r => r.Text)), total, MaxRangeWithoutForce, Duration(total)),
                    Range));
            }

            long done = 0;
            var progress = new ProgressThrottle();
            string activity = "Scanning " + string.Join(", ", ranges.Select(r => r.Text)) + " for leases";
            foreach (AddressRange range in ranges)
            {
                using (OmapiBulkOperation<IPAddress, OmapiLease> scan = StartBulk(range.Addresses(), Range))
                {
                    BulkDrain.Drain(
                        scan,
                        wait: true,
                        StopToken,
                        r =>
                        {
                            Emit(r, skipNotFound: true);
                            done++;

                            // Paced by time, never by results, however slow the host is to show a record.
                            if (progress.IsDue(done, total))
                            {
                                // A new record each time: hosts may keep the records they are given.
                                progress.Write(this, new ProgressRecord(ProgressActivityId, activity, string.Format(CultureInfo.InvariantCulture, "{0:N0} of {1:N0} addresses ({2})", done, total, r.Key))
                                {
                                    PercentComplete = (int)(done * 100 / Math.Max(1, total)),
                                });
                            }
                        },
                        ex => ThrowError(ex, Range, ErrorIds.LeaseNotFound));
                }
            }

            progress.Complete(this, new ProgressRecord(ProgressActivityId, activity, "Done") { PercentComplete = 100 });
        }

        /// <summary>How long a scan of <paramref name="addresses"/> takes at 60,000 and at 10,000 lookups a second, in words.</summary>
        private static string Duration(long addresses)
        {
            static string Words(double seconds) => seconds < 90
                ? ((int)Math.Ceiling(seconds)).ToString(CultureInfo.InvariantCulture) + " seconds"
                : seconds < 5400 ? ((int)Math.Ceiling(seconds / 60)).ToString(CultureInfo.InvariantCulture) + " minutes"
                : (seconds / 3600).ToString("0.#", CultureInfo.InvariantCulture) + " hours";
            return Words(addresses / 60000.0) + " to " + Words(addresses / 10000.0);
        }

        /// <summary>A lease lookup on <see cref="ThrottleLimit"/> connections: of <paramref name="keys"/>, or (null) of keys added later.</summary>
        private OmapiBulkOperation<IPAddress, OmapiLease> StartBulk(IEnumerable<IPAddress>? keys, object target)
        {
            var options = new OmapiBulkOptions { Connections = ThrottleLimit };
            Omapi.Core.OmapiSession session = Core;
            return StartBulk(ct => session.StartLeaseLookupAsync(keys, options, ct), target);
        }

        [MethodImpl(HotPath.Optimize)]
        private void Emit(OmapiBulkResult<IPAddress, OmapiLease> result, bool skipNotFound)
        {
            if (result.Succeeded)
            {
                Emit(result.Value!);
            }
            else if (!(skipNotFound && result.Error is OmapiNotFoundException))
            {
                WriteError(OmapiErrors.ToErrorRecord(result.Error!, result.Key, ErrorIds.LeaseNotFound, ErrorIds.ObjectAlreadyExists));
            }
        }

        [MethodImpl(HotPath.Optimize)]
        private void Emit(OmapiLease lease)
        {
            if (_states == null || _states.Contains(lease.GetState()))
            {
                WriteObject(lease);
            }
        }
    }
}
