using System;
using System.Management.Automation;
using Omapi.Core;
using Omapi.Core.Objects;

namespace PSOmapi
{
    /// <summary>
    /// <para type="synopsis">Adds a subclass (a hash string) to an existing class on dhcpd.</para>
    /// <para type="description">The superclass must exist (ClassNotFound otherwise); the subclass takes its group and lease limit.
    /// For a class with match hardware the hash string is the hardware type and the MAC address, e.g.
    /// 01:00:11:22:33:44:77. dhcpd records the subclass in its leases file, so it survives a restart; a text hash string
    /// with a double quote or backslash is refused, because dhcpd writes it there unescaped and could not read it back.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.New, "OmapiSubclass", SupportsShouldProcess = true, HelpUri = ModuleLinks.HelpBase + "New-OmapiSubclass.md")]
    [OutputType(typeof(OmapiSubclass))]
    public sealed class NewOmapiSubclassCommand : OmapiSessionCmdlet
    {
        /// <summary>The name of the existing superclass (also from an input object's ClassName property).</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string ClassName { get; set; } = string.Empty;

        /// <summary>The subclass key: hex bytes (01:00:11:22:33:44:77, dashes or plain hex) or text.</summary>
        [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string HashString { get; set; } = string.Empty;

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            OmapiSessionInfo info = ResolveSession();
            string className = ClassName;
            string text = HashString;
            if (!ClassInputs.TryParseHashString(this, text, out byte[] hash)
                || !ClassInputs.TryValidateHashString(this, text, hash)
                || !ShouldProcess(ClassInputs.DescribeSubclass(className, hash, info.Server), "Create"))
            {
                return;
            }

            try
            {
                WriteObject(Report(Run(ct => info.Core.CreateSubclassAsync(className, hash, ct))));
            }
            catch (Exception ex) when (IsReportable(ex))
            {
                // Creating a subclass looks up only its superclass: NOTFOUND means the class is missing, not the subclass.
                if (ex is OmapiNotFoundException)
                {
                    ErrorRecord record = OmapiErrors.ToErrorRecord(ex, className, ErrorIds.ClassNotFound, ErrorIds.SubclassAlreadyExists);
                    record.ErrorDetails = new ErrorDetails("Cannot create the subclass: dhcpd has no class '" + className + "' to add it to. " + ex.Message)
                    {
                        RecommendedAction = "Create the class first with New-OmapiClass, or check its name with Get-OmapiClass.",
                    };
                    WriteError(record);
                }
                else
                {
                    WriteError(OmapiErrors.ToErrorRecord(ex, text, ErrorIds.ClassNotFound, ErrorIds.SubclassAlreadyExists));
                }
            }
        }
    }
}
