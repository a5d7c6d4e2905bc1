using System;
using System.Management.Automation;
using System.Net;
using Omapi.Core.Objects;

namespace PSOmapi
{
    /// <summary>
    /// <para type="synopsis">Gets dhcpd leases by IP address, MAC address or DHCP client identifier.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "OmapiLease", DefaultParameterSetName = IPAddressSet)]
    [OutputType(typeof(OmapiLease))]
    public sealed class GetOmapiLeaseCommand : OmapiSessionCmdlet
    {
        private const string IPAddressSet = "IPAddress";
        private const string MacAddressSet = "MacAddress";
        private const string ClientIdSet = "ClientId";

        /// <summary>Leased addresses (IPv4). Strings and IPAddress objects, from the pipeline too.</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = IPAddressSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("IP", "Address")]
        [ValidateNotNullOrEmpty]
        public IPAddress[] IPAddress { get; set; } = Array.Empty<IPAddress>();

        /// <summary>Client MAC addresses: 00:11:22:33:44:55, 00-11-22-33-44-55 or 001122334455.</summary>
        [Parameter(Mandatory = true, ParameterSetName = MacAddressSet, ValueFromPipelineByPropertyName = true)]
        [Alias("HardwareAddress")]
        [ValidateNotNullOrEmpty]
        public string[] MacAddress { get; set; } = Array.Empty<string>();

        /// <summary>DHCP client identifiers as hex (01:00:11:22:33:44:55) or text.</summary>
        [Parameter(Mandatory = true, ParameterSetName = ClientIdSet, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string[] ClientId { get; set; } = Array.Empty<string>();

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            Omapi.Core.OmapiSession session = Core;
            switch (ParameterSetName)
            {
                case IPAddressSet:
                    foreach (IPAddress address in IPAddress)
                    {
                        if (!Inputs.TryIPv4(this, address))
                        {
                            continue;
                        }

                        if (TryRun(ct => session.GetLeaseAsync(address, ct), address, ErrorIds.LeaseNotFound, ErrorIds.ObjectAlreadyExists, out OmapiLease lease))
                        {
                            WriteObject(lease);
                        }
                    }

                    break;
                case MacAddressSet:
                    foreach (string text in MacAddress)
                    {
                        if (Inputs.TryMac(this, text, out byte[] mac)
                            && TryRun(ct => session.GetLeaseByHardwareAddressAsync(mac, HardwareAddress.Ethernet, ct), text, ErrorIds.LeaseNotFound, ErrorIds.ObjectAlreadyExists, out OmapiLease lease))
                        {
                            WriteObject(lease);
                        }
                    }

                    break;
                default:
                    foreach (string text in ClientId)
                    {
                        if (Inputs.TryClientId(this, text, out byte[] clientId)
                            && TryRun(ct => session.GetLeaseByClientIdAsync(clientId, ct), text, ErrorIds.LeaseNotFound, ErrorIds.ObjectAlreadyExists, out OmapiLease lease))
                        {
                            WriteObject(lease);
                        }
                    }

                    break;
            }
        }
    }
}
