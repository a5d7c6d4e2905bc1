using System;
using System.Collections.Generic;
using System.Linq;
using Omapi.Core.Objects;

namespace Omapi.Core.Watch
{
    /// <summary>
    /// One watched target and its last read (null: not there), and the compare step: a new read against the last one gives
    /// the change to report (<see cref="OmapiObjectComparer"/>). The handle to refresh it by is that of its last read.
    /// </summary>
    internal sealed class WatchEntry
    {
        internal WatchEntry(OmapiWatchTarget target, IOmapiObject? current)
        {
            Target = target;
            Current = current;
        }

        internal OmapiWatchTarget Target { get; }

        internal IOmapiObject? Current { get; private set; }

        internal uint Handle => Current?.GetHandle() ?? 0;

        /// <summary>
        /// True when an object read again by key has another handle than before: dhcpd restarted (handles are numbered per
        /// process).
        /// </summary>
        internal static bool HandlesChanged(IReadOnlyList<WatchEntry> entries, IReadOnlyList<WatchRead> reads) =>
            entries.Where((e, i) => e.Handle != 0 && reads[i].Value is IOmapiObject now && now.GetHandle() != e.Handle).Any();

        /// <summary>
        /// Takes a new read and returns what to report: Appeared, Disappeared or Changed with the properties that differ, or
        /// null when nothing did. An inconclusive read (several matches, a refusal) keeps the last state.
        /// </summary>
        internal OmapiChange? Take(WatchRead read, Func<long> nextSequence)
        {
            if (read.IsInconclusive)
            {
                return null;
            }

            IOmapiObject? previous = Current;
            Current = read.Value;
            return OmapiObjectComparer.Classify(previous, Current, out IReadOnlyList<OmapiPropertyChange> changes) is OmapiChangeKind kind
                ? new OmapiChange(kind, Target, Target.Key, Current, previous, changes, null, nextSequence())
                : null;
        }
    }
}
