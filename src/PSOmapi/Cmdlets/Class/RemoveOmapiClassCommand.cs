using System;
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
    [Cmdlet(VerbsCommon.Remove, "OmapiClass", SupportsShouldProcess = true, DefaultParameterSetName = InputObjectSet)]
    [OutputType(typeof(void))]
    public sealed class RemoveOmapiClassCommand : OmapiSessionCmdlet
    {
        private const string NameSet = "Name";
        private const string InputObjectSet = "InputObject";

        /// <summary>Names of the classes to delete (strings from the pipeline, or objects with a Name property).</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = NameSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string[] Name { get; set; } = Array.Empty<string>();

        /// <summary>Classes from Get-OmapiClass or New-OmapiClass: deleted by their handle, without a lookup.</summary>
        [Parameter(Mandatory = true, ParameterSetName = InputObjectSet, ValueFromPipeline = true)]
        [ValidateNotNull]
        public OmapiClass[] InputObject { get; set; } = Array.Empty<OmapiClass>();

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            OmapiSessionInfo info = ResolveSession();
            Omapi.Core.OmapiSession session = info.Core;
            if (ParameterSetName == InputObjectSet)
            {
                foreach (OmapiClass cls in InputObject)
                {
                    if (CheckSameServer(cls.Server, cls) && ShouldProcess("class '" + cls.Name + "' on " + info.Server, "Remove"))
                    {
                        TryRun(ct => session.DeleteAsync(cls.Handle, "delete class " + cls.Name, ct), cls, ErrorIds.ClassNotFound, ErrorIds.ClassAlreadyExists);
                    }
                }

                return;
            }

            foreach (string name in Name)
            {
                if (!ShouldProcess("class '" + name + "' on " + info.Server, "Remove"))
                {
                    continue;
                }

                TryRun(
                    async ct =>
                    {
                        OmapiClass cls = await session.GetClassAsync(name, ct).ConfigureAwait(false);
                        await session.DeleteAsync(cls.Handle, "delete class " + name, ct).ConfigureAwait(false);
                    },
                    name,
                    ErrorIds.ClassNotFound,
                    ErrorIds.ClassAlreadyExists);
            }
        }
    }
}
