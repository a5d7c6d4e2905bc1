using System;
using System.Management.Automation;
using Omapi.Core;
using Omapi.Core.Objects;

namespace PSOmapi
{
    /// <summary>
    /// <para type="synopsis">Deletes dhcpd host declarations by name, by MAC address, or as piped from Get-OmapiHost.</para>
    /// <para type="description">Works for hosts created over OMAPI and for hosts declared in dhcpd.conf: dhcpd records the
    /// deletion in its leases file (<c>host NAME { deleted; }</c>), so a dhcpd.conf host stays deleted after a restart
    /// until that record is removed.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.Remove, "OmapiHost", DefaultParameterSetName = NameSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = ModuleLinks.HelpBase + "Remove-OmapiHost.md")]
    [OutputType(typeof(void))]
    public sealed class RemoveOmapiHostCommand : OmapiSessionCmdlet
    {
        private const string NameSet = "Name";
        private const string MacAddressSet = "MacAddress";
        private const string InputObjectSet = "InputObject";

        /// <summary>Names of the hosts to delete.</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = NameSet, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string[] Name { get; set; } = Array.Empty<string>();

        /// <summary>Ethernet MAC addresses of the hosts to delete: 00:11:22:33:44:55, 00-11-22-33-44-55 or 001122334455.</summary>
        [Parameter(Mandatory = true, ParameterSetName = MacAddressSet, ValueFromPipelineByPropertyName = true)]
        [Alias("HardwareAddress")]
        [ValidateNotNullOrEmpty]
        public string[] MacAddress { get; set; } = Array.Empty<string>();

        /// <summary>Hosts as Get-OmapiHost or New-OmapiHost returned them (deleted by their handle).</summary>
        [Parameter(Mandatory = true, ParameterSetName = InputObjectSet, ValueFromPipeline = true)]
        [ValidateNotNullOrEmpty]
        public OmapiHost[] InputObject { get; set; } = Array.Empty<OmapiHost>();

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            string server = ResolveSession().Server;
            Omapi.Core.OmapiSession session = Core;
            switch (ParameterSetName)
            {
                case InputObjectSet:
                    foreach (OmapiHost host in InputObject)
                    {
                        if (!CheckSameServer(host) || !ShouldProcess("host '" + host + "' on " + server, "Delete"))
                        {
                            continue;
                        }

                        if (TryRun(ct => session.DeleteHostAsync(host, ct), host, ErrorIds.HostNotFound, ErrorIds.HostAlreadyExists, out OmapiWriteResult deleted))
                        {
                            Report(deleted);
                        }
                    }

                    break;
                case MacAddressSet:
                    foreach (string text in MacAddress)
                    {
                        if (!Inputs.TryMac(this, text, out byte[] mac) || !ShouldProcess("host with MAC address " + HardwareAddress.Format(mac) + " on " + server, "Delete"))
                        {
                            continue;
                        }

                        if (TryRun(
                            async ct =>
                            {
                                OmapiHost host = await session.GetHostByHardwareAddressAsync(mac, HardwareAddress.Ethernet, ct).ConfigureAwait(false);
                                return await session.DeleteHostAsync(host, ct).ConfigureAwait(false);
                            },
                            text,
                            ErrorIds.HostNotFound,
                            ErrorIds.HostAlreadyExists,
                            out OmapiWriteResult deleted))
                        {
                            Report(deleted);
                        }
                    }

                    break;
                default:
                    foreach (string name in Name)
                    {
                        if (!ShouldProcess("host '" + name + "' on " + server, "Delete"))
                        {
                            continue;
                        }

                        if (TryRun(
                            async ct =>
                            {
                                OmapiHost host = await session.GetHostByNameAsync(name, ct).ConfigureAwait(false);
                                return await session.DeleteHostAsync(host, ct).ConfigureAwait(false);
                            },
                            name,
                            ErrorIds.HostNotFound,
                            ErrorIds.HostAlreadyExists,
                            out OmapiWriteResult deleted))
                        {
                            Report(deleted);
                        }
                    }

                    break;
            }
        }
    }
}
