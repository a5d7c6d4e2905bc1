using System.Management.Automation;
using Omapi.Core.Objects;

namespace PSOmapi
{
    // InputObject is the default set on purpose: for pipeline input PowerShell tries the default set first, so with the
    // name set as default a piped group would bind by property name and be looked up again instead of used by handle.
    /// <summary>
    /// <para type="synopsis">Deletes named groups from dhcpd, by name or as piped from Get-OmapiGroup.</para>
    /// <para type="description">dhcpd marks the group deleted and records the deletion in its leases file, so a group declared in
    /// dhcpd.conf stays deleted after a restart. Hosts that were declared in the group keep the statements they had.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.Remove, "OmapiGroup", SupportsShouldProcess = true, DefaultParameterSetName = InputObjectSet, HelpUri = ModuleLinks.HelpBase + "Remove-OmapiGroup.md")]
    [OutputType(typeof(void))]
    public sealed class RemoveOmapiGroupCommand : RemoveNamedObjectCommand<OmapiGroup>
    {
        private protected override NamedObjectKind<OmapiGroup> Kind => NamedObjectKinds.Group;
    }
}
