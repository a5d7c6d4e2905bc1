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
    public sealed class GetOmapiFailoverStateCommand : GetNamedObjectCommand<OmapiFailoverState>
    {
        private protected override NamedObjectKind<OmapiFailoverState> Kind => NamedObjectKinds.FailoverState;
    }
}
