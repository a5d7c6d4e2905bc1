using System;
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
    [Cmdlet(VerbsCommon.Remove, "OmapiGroup", SupportsShouldProcess = true, DefaultParameterSetName = InputObjectSet)]
    [OutputType(typeof(void))]
    public sealed class RemoveOmapiGroupCommand : OmapiSessionCmdlet
    {
        private const string NameSet = "Name";
        private const string InputObjectSet = "InputObject";

        /// <summary>Names of the groups to delete (strings from the pipeline, or objects with a Name property).</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = NameSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string[] Name { get; set; } = Array.Empty<string>();

        /// <summary>Groups from Get-OmapiGroup or New-OmapiGroup: deleted by their handle, without a lookup.</summary>
        [Parameter(Mandatory = true, ParameterSetName = InputObjectSet, ValueFromPipeline = true)]
        [ValidateNotNull]
        public OmapiGroup[] InputObject { get; set; } = Array.Empty<OmapiGroup>();

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            OmapiSessionInfo info = ResolveSession();
            Omapi.Core.OmapiSession session = info.Core;
            if (ParameterSetName == InputObjectSet)
            {
                foreach (OmapiGroup group in InputObject)
                {
                    if (CheckSameServer(group.Server, group) && ShouldProcess("group '" + group.Name + "' on " + info.Server, "Remove"))
                    {
                        TryRun(ct => session.DeleteAsync(group.Handle, "delete group " + group.Name, ct), group, ErrorIds.GroupNotFound, ErrorIds.GroupAlreadyExists);
                    }
                }

                return;
            }

            foreach (string name in Name)
            {
                if (!ShouldProcess("group '" + name + "' on " + info.Server, "Remove"))
                {
                    continue;
                }

                TryRun(
                    async ct =>
                    {
                        OmapiGroup group = await session.GetGroupAsync(name, ct).ConfigureAwait(false);
                        await session.DeleteAsync(group.Handle, "delete group " + name, ct).ConfigureAwait(false);
                    },
                    name,
                    ErrorIds.GroupNotFound,
                    ErrorIds.GroupAlreadyExists);
            }
        }
    }
}
