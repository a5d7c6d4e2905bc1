using System.Management.Automation;

namespace PSOmapi
{
    /// <summary>Closes the runspace's sessions when the module is removed, so no socket outlives the module.</summary>
    public sealed class ModuleCleanup : IModuleAssemblyCleanup
    {
        /// <inheritdoc />
        public void OnRemove(PSModuleInfo psModuleInfo)
        {
            foreach (OmapiSessionInfo session in SessionStore.Current.RemoveAll())
            {
                session.Dispose();
            }
        }
    }
}
