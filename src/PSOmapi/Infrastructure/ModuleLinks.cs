namespace PSOmapi
{
    /// <summary>
    /// The module's web addresses. <c>ProjectUri</c> is defined once, in PSOmapi.psd1 (PrivateData.PSData.ProjectUri):
    /// the build reads it from there into the generated other half of this class (PSOmapi.csproj, GenerateModuleLinks),
    /// and every cmdlet's HelpUri (what Get-Help -Online opens) is built from it.
    /// </summary>
    internal static partial class ModuleLinks
    {
        /// <summary>The folder of the cmdlet help pages: docs/help/&lt;Cmdlet-Name&gt;.md on the main branch.</summary>
        internal const string HelpBase = ProjectUri + "/blob/main/docs/help/";
    }
}
