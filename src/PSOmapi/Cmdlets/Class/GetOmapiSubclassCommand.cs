using System.Management.Automation;
using Omapi.Core.Objects;

namespace PSOmapi
{
    /// <summary>
    /// <para type="synopsis">Gets a subclass by its superclass's name and its hash string (the value the class's match produced).</para>
    /// <para type="description">For a class with match hardware the hash string is the hardware type followed by the MAC address,
    /// e.g. 01:00:11:22:33:44:77 for Ethernet. Hex may be written with colons, dashes or as plain hex; any other text is
    /// matched as its bytes. dhcpd answers NOTFOUND both for an unknown hash string and for an unknown class.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "OmapiSubclass", HelpUri = ModuleLinks.HelpBase + "Get-OmapiSubclass.md")]
    [OutputType(typeof(OmapiSubclass))]
    public sealed class GetOmapiSubclassCommand : OmapiSessionCmdlet
    {
        /// <summary>The superclass name (also from an input object's ClassName property).</summary>
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
            Omapi.Core.OmapiSession session = Core;
            string className = ClassName;
            string text = HashString;
            if (ClassInputs.TryParseHashString(this, text, out byte[] hash)
                && TryRun(ct => session.GetSubclassAsync(className, hash, ct), text, ErrorIds.SubclassNotFound, ErrorIds.SubclassAlreadyExists, out OmapiSubclass subclass))
            {
                WriteObject(subclass);
            }
        }
    }
}
