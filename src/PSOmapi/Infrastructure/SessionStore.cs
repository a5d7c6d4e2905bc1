using System.Management.Automation.Runspaces;

namespace PSOmapi
{
    /// <summary>
    /// Sessions per runspace (not per process), so ForEach-Object -Parallel and thread jobs each have their own default
    /// and never pick up another runspace's connection or key.
    /// </summary>
    internal static class SessionStore
    {
        private static readonly RunspaceStore<RunspaceSessions> Store = new RunspaceStore<RunspaceSessions>(Create);

        internal static RunspaceSessions Current => Store.Current;

        /// <summary>
        /// A runspace's sessions close with it. Each connection has a reader thread, which keeps it (and its socket on the
        /// server) alive until it is closed: sessions of closed runspaces (every ForEach-Object -Parallel iteration, every
        /// thread job) would otherwise hold dhcpd connections until the process ends, and dhcpd 4.4 accepts no OMAPI
        /// connection past its 200th file descriptor.
        /// </summary>
        private static RunspaceSessions Create(Runspace runspace)
        {
            var sessions = new RunspaceSessions();
            runspace.StateChanged += (sender, e) =>
            {
                RunspaceState state = e.RunspaceStateInfo.State;
                if (state == RunspaceState.Closed || state == RunspaceState.Broken)
                {
                    foreach (OmapiSessionInfo session in sessions.RemoveAll())
                    {
                        session.Dispose();
                    }
                }
            };
            return sessions;
        }

        /// <summary>A runspace's sessions, in the order Connect-Omapi opened them.</summary>
        internal sealed class RunspaceSessions : RunspaceList<OmapiSessionInfo>
        {
            /// <summary>
            /// The session cmdlets use without -Session: the one the last Connect-Omapi returned, or when that one was
            /// disconnected, the newest still open.
            /// </summary>
            internal OmapiSessionInfo? Default => Last;
        }
    }
}
