using System;
using System.Management.Automation;
using System.Net;
using Omapi.Core.Bulk;
using Omapi.Core.Objects;

namespace PSOmapi
{
    /// <summary>
    /// <para type="synopsis">Gets dhcpd host declarations by name, MAC address, DHCP client identifier, or the IP address of a lease.</para>
    /// <para type="description">Finds hosts created over OMAPI and hosts declared in dhcpd.conf. dhcpd never returns a host's
    /// statements or group, so the output shows name, MAC address, hardware type, client identifier and fixed addresses.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "OmapiHost", DefaultParameterSetName = NameSet, HelpUri = ModuleLinks.HelpBase + "Get-OmapiHost.md")]
    [OutputType(typeof(OmapiHost))]
    public sealed class GetOmapiHostCommand : OmapiSessionCmdlet
    {
        private const string NameSet = "Name";
        private const string MacAddressSet = "MacAddress";
        private const string ClientIdSet = "ClientId";
        private const string IPAddressSet = "IPAddress";

        /// <summary>Connections a bulk lookup of many names uses (Get-OmapiLease's -ThrottleLimit default).</summary>
        private const int BulkConnections = 4;

        private OmapiBulkOperation<string, OmapiHost>? _bulk;

        /// <summary>
        /// Host names (exact, case-sensitive as dhcpd compares them). From the pipeline too. Because names bind by value,
        /// PowerShell converts a piped object to a name before it converts an IPAddress property given as text: an
        /// Import-Csv row with only an IPAddress column is taken as a name. Pass such addresses with the parameter, e.g.
        /// <c>Import-Csv x.csv | ForEach-Object { Get-OmapiHost -IPAddress $_.IPAddress }</c>.
        /// </summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = NameSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string[] Name { get; set; } = Array.Empty<string>();

        /// <summary>
        /// Ethernet MAC addresses: 00:11:22:33:44:55, 00-11-22-33-44-55 or 001122334455. Finds hosts whose hardware type is
        /// 1 (Ethernet), which is what dhcpd.conf's <c>hardware ethernet</c> and New-OmapiHost set.
        /// </summary>
        [Parameter(Mandatory = true, ParameterSetName = MacAddressSet, ValueFromPipelineByPropertyName = true)]
        [Alias("HardwareAddress")]
        [ValidateNotNullOrEmpty]
        public string[] MacAddress { get; set; } = Array.Empty<string>();

        /// <summary>DHCP client identifiers as hex (01:00:11:22:33:44:55) or text.</summary>
        [Parameter(Mandatory = true, ParameterSetName = ClientIdSet, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string[] ClientId { get; set; } = Array.Empty<string>();

        /// <summary>
        /// IPv4 addresses of LEASES. dhcpd resolves the address to its lease, takes that lease's MAC address and returns
        /// the host with that MAC. A host's fixed-address is NOT a lookup key: an address that only appears as a host's
        /// fixed-address (and has no lease with that host's MAC) finds nothing. Use -Name or -MacAddress for such hosts.
        /// </summary>
        [Parameter(Mandatory = true, ParameterSetName = IPAddressSet, ValueFromPipelineByPropertyName = true)]
        [Alias("IP", "Address")]
        [ValidateNotNullOrEmpty]
        public IPAddress[] IPAddress { get; set; } = Array.Empty<IPAddress>();

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            Omapi.Core.OmapiSession session = Core;
            switch (ParameterSetName)
            {
                case MacAddressSet:
                    foreach (string text in MacAddress)
                    {
                        if (Inputs.TryMac(this, text, out byte[] mac))
                        {
                            Output(TryRun(ct => session.GetHostByHardwareAddressAsync(mac, HardwareAddress.Ethernet, ct), text, ErrorIds.HostNotFound, ErrorIds.HostAlreadyExists, out OmapiHost host), host);
                        }
                    }

                    break;
                case ClientIdSet:
                    foreach (string text in ClientId)
                    {
                        if (Inputs.TryClientId(this, text, out byte[] clientId))
                        {
                            Output(TryRun(ct => session.GetHostByClientIdAsync(clientId, ct), text, ErrorIds.HostNotFound, ErrorIds.HostAlreadyExists, out OmapiHost host), host);
                        }
                    }

                    break;
                case IPAddressSet:
                    foreach (IPAddress address in IPAddress)
                    {
                        if (Inputs.TryIPv4(this, address))
                        {
                            LookUpByAddress(session, address);
                        }
                    }

                    break;
                default:
                    if (_bulk == null && !MyInvocation.ExpectingInput && Name.Length < 2)
                    {
                        // One name at the prompt: one plain request, no extra connections.
                        foreach (string name in Name)
                        {
                            Output(TryRun(ct => session.GetHostByNameAsync(name, ct), name, ErrorIds.HostNotFound, ErrorIds.HostAlreadyExists, out OmapiHost host), host);
                        }

                        break;
                    }

                    LookUpNamesInBulk(session);
                    break;
            }
        }

        /// <inheritdoc />
        protected override void EndProcessing() => BulkDrain.Finish(ref _bulk, StopToken, Emit, Stopped);

        /// <inheritdoc />
        protected override void ReleaseResources()
        {
            _bulk?.Dispose();
            _bulk = null;
        }

        /// <summary>
        /// Many names (an array or pipeline input): the same bulk machinery as Get-OmapiLease - several requests in flight
        /// on several connections, each within dhcpd's byte budget, read by this thread, results in input order.
        /// </summary>
        private void LookUpNamesInBulk(Omapi.Core.OmapiSession session)
        {
            if (_bulk == null)
            {
                var options = new OmapiBulkOptions { Connections = BulkConnections };
                try
                {
                    _bulk = Run(ct => session.StartHostLookupAsync(null, options, ct));
                }
                catch (Exception ex) when (IsReportable(ex))
                {
                    ThrowError(ex, Name, ErrorIds.HostNotFound, ErrorIds.HostAlreadyExists);
                    return;
                }
            }

            foreach (string name in Name)
            {
                _bulk.Add(name);
            }

            // Stream what is ready now; the rest follows with later input or in EndProcessing.
            BulkDrain.Drain(_bulk, wait: false, StopToken, Emit, Stopped);
        }

        /// <summary>
        /// One host by IP address. dhcpd finds it through the address's lease, so when it finds none the error says what
        /// was searched (the lease is looked up, one more request on this error path only) and how to find a reservation
        /// by its fixed address.
        /// </summary>
        private void LookUpByAddress(Omapi.Core.OmapiSession session, IPAddress address)
        {
            try
            {
                WriteObject(Run(ct => session.GetHostByIPAddressAsync(address, ct)));
            }
            catch (Omapi.Core.OmapiNotFoundException ex)
            {
                string searched;
                try
                {
                    AddressHolder holder = Run(ct => AddressHolder.FindAsync(session, address, lookUpHost: false, ct));
                    searched = holder.Lease == null ? holder.DescribeLease()
                        : string.IsNullOrEmpty(holder.Lease.MacAddress) ? holder.DescribeLease() + " carries no MAC address to look a host up by"
                        : holder.DescribeLease() + " carries MAC " + holder.Lease.MacAddress + ", and no host has that MAC address";
                }
                catch (Exception lookupError) when (IsReportable(lookupError))
                {
                    searched = "its lease could not be read to say more (" + lookupError.Message + ")";
                }

                string message = "No host found for " + address + ". dhcpd looks a host up by IP address through the lease: it takes the lease of the address, then the host with that lease's MAC address; "
                    + searched + ". " + FixedAddressAdvice(address);
                WriteError(new ErrorRecord(ex, ErrorIds.HostNotFound, ErrorCategory.ObjectNotFound, address)
                {
                    ErrorDetails = new ErrorDetails(message) { RecommendedAction = FixedAddressAdvice(address) },
                });
            }
            catch (Exception ex) when (IsReportable(ex))
            {
                WriteError(OmapiErrors.ToErrorRecord(ex, address, ErrorIds.HostNotFound, ErrorIds.HostAlreadyExists));
            }
        }

        /// <summary>How to find a reservation by its fixed address, which OMAPI cannot look up.</summary>
        internal static string FixedAddressAdvice(IPAddress address) =>
            "A host's fixed address is not a lookup key: to find the reservation of " + address + ", search dhcpd.conf and dhcpd's leases file (where hosts created over OMAPI are kept) for the host block with 'fixed-address " + address + "', then use Get-OmapiHost -Name or -MacAddress.";

        private void Stopped(Exception ex) => ThrowError(ex, Name, ErrorIds.HostNotFound, ErrorIds.HostAlreadyExists);

        private void Emit(OmapiBulkResult<string, OmapiHost> result)
        {
            if (result.Succeeded)
            {
                WriteObject(result.Value);
            }
            else
            {
                WriteError(OmapiErrors.ToErrorRecord(result.Error!, result.Key, ErrorIds.HostNotFound, ErrorIds.HostAlreadyExists));
            }
        }

        private void Output(bool found, OmapiHost host)
        {
            if (found)
            {
                WriteObject(host);
            }
        }
    }
}
