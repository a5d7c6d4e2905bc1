using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Net;
using Omapi.Core.Bulk;
using Omapi.Core.Objects;

namespace PSOmapi
{
    /// <summary>
    /// <para type="synopsis">Gets dhcpd host declarations by name, MAC address, DHCP client identifier, or the IP address of a lease.</para>
    /// <para type="description">Finds hosts created over OMAPI and hosts declared in dhcpd.conf. dhcpd never returns a host's
    /// statements or group, so the output shows name, MAC address, hardware type, client identifier and fixed addresses.
    /// Objects piped in are looked up by what they carry: names as text, hosts, and any object with a Name, IPAddress,
    /// MacAddress or ClientId property (Import-Csv rows, ConvertFrom-Json objects).</para>
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "OmapiHost", DefaultParameterSetName = NameSet, HelpUri = ModuleLinks.HelpBase + "Get-OmapiHost.md")]
    [OutputType(typeof(OmapiHost))]
    public sealed class GetOmapiHostCommand : OmapiSessionCmdlet
    {
        private const string NameSet = "Name";
        private const string MacAddressSet = "MacAddress";
        private const string ClientIdSet = "ClientId";
        private const string IPAddressSet = "IPAddress";
        private const string InputObjectSet = "InputObject";

        /// <summary>Connections a bulk lookup of many names uses (Get-OmapiLease's -ThrottleLimit default).</summary>
        private const int BulkConnections = 4;

        private readonly PipelineBulk<string, OmapiHost> _bulk;

        /// <summary>Creates the cmdlet.</summary>
        public GetOmapiHostCommand() => _bulk = new PipelineBulk<string, OmapiHost>(StopToken, Emit, Stopped);

        /// <summary>Host names (exact, case-sensitive as dhcpd compares them). Piped names bind to -InputObject.</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = NameSet)]
        [ValidateNotNullOrEmpty]
        public string[] Name { get; set; } = Array.Empty<string>();

        /// <summary>
        /// Ethernet MAC addresses: 00:11:22:33:44:55, 00-11-22-33-44-55 or 001122334455. Finds hosts whose hardware type is
        /// 1 (Ethernet), which is what dhcpd.conf's <c>hardware ethernet</c> and New-OmapiHost set.
        /// </summary>
        [Parameter(Mandatory = true, ParameterSetName = MacAddressSet)]
        [Alias("HardwareAddress")]
        [ValidateNotNullOrEmpty]
        public string[] MacAddress { get; set; } = Array.Empty<string>();

        /// <summary>DHCP client identifiers as hex (01:00:11:22:33:44:55) or text.</summary>
        [Parameter(Mandatory = true, ParameterSetName = ClientIdSet)]
        [ValidateNotNullOrEmpty]
        public string[] ClientId { get; set; } = Array.Empty<string>();

        /// <summary>
        /// IPv4 addresses of LEASES. dhcpd resolves the address to its lease, takes that lease's MAC address and returns
        /// the host with that MAC. A host's fixed-address is NOT a lookup key: an address that only appears as a host's
        /// fixed-address (and has no lease with that host's MAC) finds nothing. Use -Name or -MacAddress for such hosts.
        /// </summary>
        [Parameter(Mandatory = true, ParameterSetName = IPAddressSet)]
        [Alias("IP", "Address")]
        [ValidateNotNullOrEmpty]
        public IPAddress[] IPAddress { get; set; } = Array.Empty<IPAddress>();

        /// <summary>
        /// What to look up, from the pipeline: host names as text, hosts, and objects with a Name, IPAddress, MacAddress or
        /// ClientId property, such as the rows of Import-Csv and the objects of ConvertFrom-Json. An empty value (an empty CSV
        /// cell, a JSON null) is not given; the first of Name, IPAddress, MacAddress and ClientId that is given is used, so a
        /// host's row is looked up by its name and a lease's row by its address.
        /// </summary>
        [Parameter(Mandatory = true, ParameterSetName = InputObjectSet, ValueFromPipeline = true)]
        [ValidateNotNull]
        public PSObject[] InputObject { get; set; } = Array.Empty<PSObject>();

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            Omapi.Core.OmapiSession session = Core;
            switch (ParameterSetName)
            {
                case MacAddressSet:
                    foreach (string text in MacAddress)
                    {
                        LookUpMac(session, text);
                    }

                    break;
                case ClientIdSet:
                    foreach (string text in ClientId)
                    {
                        LookUpClientId(session, text);
                    }

                    break;
                case IPAddressSet:
                    foreach (IPAddress address in IPAddress)
                    {
                        LookUpAddress(session, address);
                    }

                    break;
                case InputObjectSet:
                    var names = new List<string>();
                    foreach (PSObject item in InputObject)
                    {
                        Read(session, item, names);
                    }

                    if (names.Count > 0)
                    {
                        LookUpNamesInBulk(session, names);
                    }

                    break;
                default:
                    if (!_bulk.Wants(Name.Length, MyInvocation.ExpectingInput))
                    {
                        // One name at the prompt: one plain request, no extra connections.
                        foreach (string name in Name)
                        {
                            Output(TryRun(ct => session.GetHostByNameAsync(name, ct), name, ErrorIds.HostNotFound, ErrorIds.HostAlreadyExists, out OmapiHost host), host);
                        }

                        break;
                    }

                    LookUpNamesInBulk(session, Name);
                    break;
            }
        }

        /// <summary>What one piped object stands for: its name, else its address, else its MAC address, else its client identifier.</summary>
        private void Read(Omapi.Core.OmapiSession session, PSObject item, List<string> names)
        {
            object value = item.BaseObject;
            switch (value)
            {
                case string text:
                    names.Add(text);
                    return;
                case OmapiHost host when host.Name != null:
                    names.Add(host.Name);
                    return;
                case IPAddress _:
                case IPv4Address _:
                    LookUpAddresses(session, value);
                    return;
            }

            if (PipelineInput.Property(item, "Name") is object name)
            {
                names.Add(PipelineInput.Text(name));
            }
            else if (PipelineInput.Property(item, "IPAddress", "IP", "Address") is object address)
            {
                LookUpAddresses(session, address);
            }
            else if (PipelineInput.Property(item, "MacAddress", "HardwareAddress") is object mac)
            {
                LookUpMac(session, PipelineInput.Text(mac));
            }
            else if (PipelineInput.Property(item, "ClientId") is object clientId)
            {
                LookUpClientId(session, PipelineInput.Text(clientId));
            }
            else
            {
                WriteError(OmapiErrors.Create(ErrorIds.InvalidArgument, ErrorCategory.InvalidArgument, "Get-OmapiHost looks hosts up by name, lease address, MAC address or client identifier: '" + item + "' (a " + value.GetType().FullName + ") is no name and has no Name, IPAddress, MacAddress or ClientId property with a value.", value));
            }
        }

        private void LookUpAddresses(Omapi.Core.OmapiSession session, object value)
        {
            var addresses = new List<IPAddress>();
            PipelineInput.TryAddresses(this, value, addresses);
            foreach (IPAddress address in addresses)
            {
                LookUpAddress(session, address);
            }
        }

        private void LookUpAddress(Omapi.Core.OmapiSession session, IPAddress address)
        {
            if (Inputs.TryIPv4(this, address))
            {
                LookUpByAddress(session, address);
            }
        }

        private void LookUpMac(Omapi.Core.OmapiSession session, string text)
        {
            if (Inputs.TryMac(this, text, out byte[] mac))
            {
                Output(TryRun(ct => session.GetHostByHardwareAddressAsync(mac, HardwareAddress.Ethernet, ct), text, ErrorIds.HostNotFound, ErrorIds.HostAlreadyExists, out OmapiHost host), host);
            }
        }

        private void LookUpClientId(Omapi.Core.OmapiSession session, string text)
        {
            if (Inputs.TryClientId(this, text, out byte[] clientId))
            {
                Output(TryRun(ct => session.GetHostByClientIdAsync(clientId, ct), text, ErrorIds.HostNotFound, ErrorIds.HostAlreadyExists, out OmapiHost host), host);
            }
        }

        /// <inheritdoc />
        protected override void EndProcessing() => _bulk.Finish();

        /// <inheritdoc />
        protected override void ReleaseResources() => _bulk.Dispose();

        /// <summary>
        /// Many names (an array or pipeline input): the same bulk machinery as Get-OmapiLease - several requests in flight
        /// on several connections, each within dhcpd's byte budget, read by this thread, results in input order.
        /// </summary>
        private void LookUpNamesInBulk(Omapi.Core.OmapiSession session, IEnumerable<string> names) =>
            _bulk.Add(names, () => StartBulk(ct => session.StartHostLookupAsync(null, new OmapiBulkOptions { Connections = BulkConnections }, ct), Name, ErrorIds.HostNotFound, ErrorIds.HostAlreadyExists));

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
