using System;
using System.Management.Automation;
using Omapi.Core;
using Omapi.Core.Objects;

namespace PSOmapi
{
    /// <summary>
    /// <para type="synopsis">Creates a named group on dhcpd; dhcpd requires statements to create one.</para>
    /// <para type="description">The statements are dhcpd.conf statements, e.g. option domain-name "example.org"; . dhcpd refuses a
    /// group without statements, reports a syntax error as InvalidStatements (its log names the error), and an existing
    /// name as GroupAlreadyExists. Not every mistake is a parse error: dhcpd logs some (e.g. a statement without its
    /// value) and creates the group without that statement, so check its log. Text with an empty statement (';;') is
    /// refused before it is sent, because dhcpd 4.4.3 crashes on some of those. The statements cannot be read back or
    /// changed later over OMAPI. dhcpd records the group in its leases file, so it survives a restart; because it writes
    /// the name there unquoted, only names of ASCII letters, digits, '-' and '_' (starting with a letter or digit, not
    /// only digits) can be read back, and other names are refused.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.New, "OmapiGroup", SupportsShouldProcess = true, HelpUri = ModuleLinks.HelpBase + "New-OmapiGroup.md")]
    [OutputType(typeof(OmapiGroup))]
    public sealed class NewOmapiGroupCommand : OmapiSessionCmdlet
    {
        /// <summary>The new group's name: ASCII letters, digits, '-' and '_', starting with a letter or digit (also from an input object's Name property).</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string Name { get; set; } = string.Empty;

        /// <summary>dhcpd.conf statements for the group, e.g. option domain-name "example.org"; (required by dhcpd).</summary>
        [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string Statements { get; set; } = string.Empty;

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            OmapiSessionInfo info = ResolveSession();
            string name = Name;
            string statements = Statements;
            if (!GroupInputs.TryValidateName(this, name)
                || !Inputs.TryStatements(this, statements)
                || !ShouldProcess("group '" + name + "' on " + info.Server, "Create with statements: " + statements))
            {
                return;
            }

            try
            {
                WriteObject(Report(Run(ct => info.Core.CreateGroupAsync(name, statements, ct))));
            }
            catch (Exception ex) when (IsReportable(ex))
            {
                // The statements are the input that failed when dhcpd cannot parse them; otherwise the name.
                object target = ex is OmapiParseErrorException ? statements : name;
                WriteError(OmapiErrors.ToErrorRecord(ex, target, ErrorIds.GroupNotFound, ErrorIds.GroupAlreadyExists));
            }
        }
    }
}
