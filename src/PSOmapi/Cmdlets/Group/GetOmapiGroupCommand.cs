using System.Management.Automation;
using Omapi.Core.Objects;

namespace PSOmapi
{
    /// <summary>
    /// <para type="synopsis">Gets named dhcpd groups (group "name" { ... } in dhcpd.conf, or created over OMAPI) by name.</para>
    /// <para type="description">dhcpd returns only a group's name: its statements are write-only and cannot be read back over OMAPI.
    /// Only named groups can be looked up; anonymous group { } blocks of dhcpd.conf are not reachable.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "OmapiGroup", HelpUri = ModuleLinks.HelpBase + "Get-OmapiGroup.md")]
    [OutputType(typeof(OmapiGroup))]
    public sealed class GetOmapiGroupCommand : GetNamedObjectCommand<OmapiGroup>
    {
        private protected override NamedObjectKind<OmapiGroup> Kind => NamedObjectKinds.Group;
    }
}
