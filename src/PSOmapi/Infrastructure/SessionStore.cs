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

        internal static RunspaceSessions Current => Table.GetValue(Runspace.DefaultRunspace, _ => new RunspaceSessions());

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
