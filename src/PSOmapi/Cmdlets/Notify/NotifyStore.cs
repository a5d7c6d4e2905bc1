using System.Collections.Generic;
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
        private static readonly ConditionalWeakTable<Runspace, RunspaceNotifications> Table = new ConditionalWeakTable<Runspace, RunspaceNotifications>();

        internal static RunspaceNotifications Current => Table.GetValue(Runspace.DefaultRunspace, _ => new RunspaceNotifications());

        internal sealed class RunspaceNotifications
        {
            private readonly object _lock = new object();
            private readonly List<OmapiNotifySubscription> _subscriptions = new List<OmapiNotifySubscription>();

            internal IReadOnlyList<OmapiNotifySubscription> All
            {
                get { lock (_lock) { return _subscriptions.ToArray(); } }
            }

            internal void Add(OmapiNotifySubscription subscription)
            {
                lock (_lock)
                {
                    _subscriptions.Add(subscription);
                }
            }

            /// <summary>Called from any thread (the event manager unsubscribes on a thread-pool thread after -MaxTriggerCount).</summary>
            internal void Remove(OmapiNotifySubscription subscription)
            {
                lock (_lock)
                {
                    _subscriptions.Remove(subscription);
                }
            }

            internal IReadOnlyList<OmapiNotifySubscription> RemoveAll()
            {
                lock (_lock)
                {
                    OmapiNotifySubscription[] all = _subscriptions.ToArray();
                    _subscriptions.Clear();
                    return all;
                }
            }
        }
    }
}
