namespace PSOmapi
{
    /// <summary>
    /// The Register-OmapiNotify subscriptions of each runspace (like <see cref="SessionStore"/>), so Unregister-OmapiNotify
    /// and module removal find them, and one runspace never stops another's.
    /// </summary>
    internal static class NotifyStore
    {
        private static readonly RunspaceStore<RunspaceList<OmapiNotifySubscription>> Store =
            new RunspaceStore<RunspaceList<OmapiNotifySubscription>>(_ => new RunspaceList<OmapiNotifySubscription>());

        internal static RunspaceList<OmapiNotifySubscription> Current => Store.Current;
    }
}
