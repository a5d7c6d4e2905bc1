using System.Management.Automation;
using Omapi.Core.Objects;

namespace PSOmapi
{
    /// <summary>
    /// <para type="synopsis">Gets dhcpd classes by name, with their lease limit and the leases billed to them.</para>
    /// <para type="description">dhcpd does not return a class's name over OMAPI: the Name of the object is the name it was looked
    /// up with. A subclass cannot be looked up by its superclass's name alone; use Get-OmapiSubclass.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "OmapiClass", HelpUri = ModuleLinks.HelpBase + "Get-OmapiClass.md")]
    [OutputType(typeof(OmapiClass))]
    public sealed class GetOmapiClassCommand : GetNamedObjectCommand<OmapiClass>
    {
        private protected override NamedObjectKind<OmapiClass> Kind => NamedObjectKinds.Class;
    }
}
