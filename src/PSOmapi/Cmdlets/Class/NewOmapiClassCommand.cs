using System;
using System.Management.Automation;
using Omapi.Core;
using Omapi.Core.Objects;

namespace PSOmapi
{
    /// <summary>
    /// <para type="synopsis">Creates a class on dhcpd, optionally with match hardware and a named group.</para>
    /// <para type="description">Over OMAPI dhcpd accepts only one match expression: match hardware (the client's hardware type and
    /// MAC, the key that subclasses created with New-OmapiSubclass then list). Any other match, match if, spawn with or
    /// option statements must be written in dhcpd.conf. dhcpd records the class in its leases file, so it survives a
    /// restart; a name with a double quote or backslash is refused, because dhcpd writes it there unescaped and could
    /// not read it back.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.New, "OmapiClass", SupportsShouldProcess = true, HelpUri = ModuleLinks.HelpBase + "New-OmapiClass.md")]
    [OutputType(typeof(OmapiClass))]
    public sealed class NewOmapiClassCommand : OmapiSessionCmdlet
    {
        /// <summary>The new class's name (also from an input object's Name property).</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string Name { get; set; } = string.Empty;

        /// <summary>Give the class match hardware; — the only match expression dhcpd accepts over OMAPI.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public SwitchParameter MatchHardware { get; set; }

        /// <summary>The name of an existing named group whose statements apply to the class's members.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string? Group { get; set; }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            OmapiSessionInfo info = ResolveSession();
            string name = Name;
            string? group = Group;
            bool matchHardware = MatchHardware.IsPresent;
            string action = "Create" + (matchHardware ? " with match hardware" : string.Empty) + (group == null ? string.Empty : " in group '" + group + "'");
            if (!ClassInputs.TryValidateName(this, name) || !ShouldProcess("class '" + name + "' on " + info.Server, action))
            {
                return;
            }

            try
            {
                WriteObject(Report(Run(ct => info.Core.CreateClassAsync(name, matchHardware, group, ct))));
            }
            catch (Exception ex) when (IsReportable(ex))
            {
                // Creating a class looks nothing up except the -Group: a NOTFOUND can only mean that group is missing.
                ErrorRecord record = ex is OmapiNotFoundException && group != null
                    ? OmapiErrors.ToErrorRecord(ex, group, ErrorIds.GroupNotFound, ErrorIds.ClassAlreadyExists)
                    : OmapiErrors.ToErrorRecord(ex, name, ErrorIds.ClassNotFound, ErrorIds.ClassAlreadyExists);
                if (ex is OmapiNotFoundException && group != null)
                {
                    record.ErrorDetails = new ErrorDetails("Cannot create class '" + name + "': dhcpd has no named group '" + group + "'. " + ex.Message)
                    {
                        RecommendedAction = "Create the group first with New-OmapiGroup, or check its name with Get-OmapiGroup.",
                    };
                }

                WriteError(record);
            }
        }
    }
}
