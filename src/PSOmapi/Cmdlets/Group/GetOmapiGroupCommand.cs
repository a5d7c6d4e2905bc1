using System;
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
    public sealed class GetOmapiGroupCommand : OmapiSessionCmdlet
    {
        /// <summary>Group names, exactly as declared. Strings from the pipeline, or objects with a Name property.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string[] Name { get; set; } = Array.Empty<string>();

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            Omapi.Core.OmapiSession session = Core;
            foreach (string name in Name)
            {
                if (TryRun(ct => session.GetGroupAsync(name, ct), name, ErrorIds.GroupNotFound, ErrorIds.GroupAlreadyExists, out OmapiGroup group))
                {
                    WriteObject(group);
                }
            }
        }
    }
}
