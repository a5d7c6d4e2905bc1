using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;

namespace PSOmapi
{
    /// <summary>
    /// The Register-OmapiNotify subscriptions of each runspace (like <see cref="SessionStore"/>), so Unregister-OmapiNotify
    /// and module removal find them, and one runspace never stops another's.
    /// </summary>
    internal static class NotifyStore
    {
        private static readonly ConditionalWeakTable<Runspace, RunspaceList<OmapiNotifySubscription>> Table = new ConditionalWeakTable<Runspace, RunspaceList<OmapiNotifySubscription>>();

        internal static RunspaceList<OmapiNotifySubscription> Current => Table.GetValue(Runspace.DefaultRunspace, _ => new RunspaceList<OmapiNotifySubscription>());
    }
}
