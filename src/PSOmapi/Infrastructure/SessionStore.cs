using System.Collections.Generic;
using System.Linq;
using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;

namespace PSOmapi
{
    /// <summary>
    /// Sessions per runspace (not per process), so ForEach-Object -Parallel and thread jobs each have their own default
    /// and never pick up another runspace's connection or key.
    /// </summary>
    internal static class SessionStore
    {
        private static readonly ConditionalWeakTable<Runspace, RunspaceSessions> Table = new ConditionalWeakTable<Runspace, RunspaceSessions>();

        internal static RunspaceSessions Current => Table.GetValue(Runspace.DefaultRunspace, Create);

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

        internal sealed class RunspaceSessions
        {
            private readonly object _lock = new object();
            private readonly List<OmapiSessionInfo> _sessions = new List<OmapiSessionInfo>();

            internal OmapiSessionInfo? Default { get; private set; }

            internal IReadOnlyList<OmapiSessionInfo> All
            {
                get { lock (_lock) { return _sessions.ToArray(); } }
            }

            internal void Add(OmapiSessionInfo session)
            {
                lock (_lock)
                {
                    _sessions.Add(session);
                    Default = session;
                }
            }

            internal void Remove(OmapiSessionInfo session)
            {
                lock (_lock)
                {
                    _sessions.Remove(session);
                    if (ReferenceEquals(Default, session))
                    {
                        Default = _sessions.LastOrDefault();
                    }
                }
            }

            internal IReadOnlyList<OmapiSessionInfo> RemoveAll()
            {
                lock (_lock)
                {
                    OmapiSessionInfo[] all = _sessions.ToArray();
                    _sessions.Clear();
                    Default = null;
                    return all;
                }
            }
        }
    }
}
