using System.Management.Automation;

namespace PSOmapi
{
    /// <summary>Stops the runspace's watches and closes its sessions when the module is removed, so no socket or poller outlives the module.</summary>
    public sealed class ModuleCleanup : IModuleAssemblyCleanup
    {
        /// <inheritdoc />
        public void OnRemove(PSModuleInfo psModuleInfo)
        {
            // Register-OmapiNotify watches first: their event subscriptions go, their pollers stop, their connections close.
            foreach (OmapiNotifySubscription subscription in NotifyStore.Current.RemoveAll())
            {
                subscription.Unregister();
            }

            foreach (OmapiSessionInfo session in SessionStore.Current.RemoveAll())
            {
                session.Dispose();
            }
        }
    }
}
