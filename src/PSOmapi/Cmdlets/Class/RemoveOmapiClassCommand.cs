using System.Management.Automation;
using Omapi.Core.Objects;

namespace PSOmapi
{
    // InputObject is the default set on purpose: for pipeline input PowerShell tries the default set first, so with the
    // name set as default a piped class would bind by property name and be looked up again instead of used by handle.
    /// <summary>
    /// <para type="synopsis">Deletes classes from dhcpd, by name or as piped from Get-OmapiClass.</para>
    /// <para type="description">dhcpd records the deletion in its leases file, so a class declared in dhcpd.conf stays deleted after a
    /// restart.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.Remove, "OmapiClass", SupportsShouldProcess = true, DefaultParameterSetName = InputObjectSet, HelpUri = ModuleLinks.HelpBase + "Remove-OmapiClass.md")]
    [OutputType(typeof(void))]
    public sealed class RemoveOmapiClassCommand : RemoveNamedObjectCommand<OmapiClass>
    {
        private protected override NamedObjectKind<OmapiClass> Kind => NamedObjectKinds.Class;
    }
}
