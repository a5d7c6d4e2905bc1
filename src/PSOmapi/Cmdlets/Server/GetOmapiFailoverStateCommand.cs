using System;
using System.Management.Automation;
using Omapi.Core.Objects;

namespace PSOmapi
{
    /// <summary>
    /// <para type="synopsis">Gets the state of dhcpd failover peers by peer name (failover peer "name" in dhcpd.conf).</para>
    /// <para type="description">Shows this server's and its partner's failover state, the role, MCLT and timers. dhcpd 4.4 sends
    /// the peer addresses as pointer bytes rather than addresses, so they are kept only as PartnerAddressRaw and
    /// LocalAddressRaw.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "OmapiFailoverState", HelpUri = ModuleLinks.HelpBase + "Get-OmapiFailoverState.md")]
    [OutputType(typeof(OmapiFailoverState))]
    public sealed class GetOmapiFailoverStateCommand : OmapiSessionCmdlet
    {
        /// <summary>Failover peer names, exactly as declared. Strings from the pipeline, or objects with a Name property.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string[] Name { get; set; } = Array.Empty<string>();

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            Omapi.Core.OmapiSession session = Core;
            foreach (string name in Name)
            {
                if (TryRun(ct => session.GetFailoverStateAsync(name, ct), name, ErrorIds.FailoverStateNotFound, ErrorIds.ObjectAlreadyExists, out OmapiFailoverState state))
                {
                    WriteObject(state);
                }
            }
        }
    }
}
