using System;
using System.Management.Automation;
using Omapi.Core.Objects;

namespace PSOmapi
{
    // InputObject is the default set on purpose: for pipeline input PowerShell tries the default set first, so with the
    // name set as default a piped subclass would bind by property name and be looked up again instead of used by handle.
    /// <summary>
    /// <para type="synopsis">Deletes a subclass from dhcpd, by class name and hash string or as piped from Get-OmapiSubclass.</para>
    /// <para type="description">Clients whose match value was the hash string are no longer members of the class. dhcpd records the
    /// deletion in its leases file.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.Remove, "OmapiSubclass", SupportsShouldProcess = true, DefaultParameterSetName = InputObjectSet, HelpUri = ModuleLinks.HelpBase + "Remove-OmapiSubclass.md")]
    [OutputType(typeof(void))]
    public sealed class RemoveOmapiSubclassCommand : OmapiSessionCmdlet
    {
        private const string KeySet = "Key";
        private const string InputObjectSet = "InputObject";

        /// <summary>The superclass name (also from an input object's ClassName property).</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = KeySet, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string ClassName { get; set; } = string.Empty;

        /// <summary>The subclass key: hex bytes (01:00:11:22:33:44:77, dashes or plain hex) or text.</summary>
        [Parameter(Mandatory = true, Position = 1, ParameterSetName = KeySet, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string HashString { get; set; } = string.Empty;

        /// <summary>Subclasses from Get-OmapiSubclass or New-OmapiSubclass: deleted by their handle, without a lookup.</summary>
        [Parameter(Mandatory = true, ParameterSetName = InputObjectSet, ValueFromPipeline = true)]
        [ValidateNotNull]
        public OmapiSubclass[] InputObject { get; set; } = Array.Empty<OmapiSubclass>();

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            OmapiSessionInfo info = ResolveSession();
            Omapi.Core.OmapiSession session = info.Core;
            if (ParameterSetName == InputObjectSet)
            {
                foreach (OmapiSubclass subclass in InputObject)
                {
                    if (CheckSameServer(subclass)
                        && ShouldProcess("subclass " + subclass.HashString + " of class '" + subclass.ClassName + "' on " + info.Server, "Remove"))
                    {
                        if (TryRun(ct => Delete(session, subclass, ct), subclass, ErrorIds.SubclassNotFound, ErrorIds.SubclassAlreadyExists, out Omapi.Core.OmapiWriteResult deleted))
                        {
                            Report(deleted);
                        }
                    }
                }

                return;
            }

            string className = ClassName;
            string text = HashString;
            if (!ClassInputs.TryParseHashString(this, text, out byte[] hash)
                || !ShouldProcess(ClassInputs.DescribeSubclass(className, hash, info.Server), "Remove"))
            {
                return;
            }

            if (TryRun(
                async ct => await Delete(session, await session.GetSubclassAsync(className, hash, ct).ConfigureAwait(false), ct).ConfigureAwait(false),
                text,
                ErrorIds.SubclassNotFound,
                ErrorIds.SubclassAlreadyExists,
                out Omapi.Core.OmapiWriteResult removed))
            {
                Report(removed);
            }
        }

        /// <summary>Deletes by handle; a lost reply is resolved by looking the subclass up again.</summary>
        private static System.Threading.Tasks.Task<Omapi.Core.OmapiWriteResult> Delete(Omapi.Core.OmapiSession session, OmapiSubclass subclass, System.Threading.CancellationToken ct) =>
            session.DeleteObjectAsync(subclass.GetHandle(), "delete subclass " + subclass, async c => await Exists(session, subclass, c).ConfigureAwait(false), ct);

        private static async System.Threading.Tasks.Task<bool> Exists(Omapi.Core.OmapiSession session, OmapiSubclass subclass, System.Threading.CancellationToken ct)
        {
            try
            {
                await session.GetSubclassAsync(subclass.ClassName, Omapi.Core.Protocol.OmapiEncoding.TryParseHex(subclass.HashString)!, ct).ConfigureAwait(false);
                return true;
            }
            catch (Omapi.Core.OmapiNotFoundException)
            {
                return false;
            }
        }
    }
}
