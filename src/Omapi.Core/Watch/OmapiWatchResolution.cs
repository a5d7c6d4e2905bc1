using System;
using Omapi.Core.Objects;

namespace Omapi.Core.Watch
{
    /// <summary>Where a watcher is in its life.</summary>
    public enum OmapiWatcherState
    {
        /// <summary>Targets are being added; nothing runs yet.</summary>
        Created,
        /// <summary>Polling.</summary>
        Running,
        /// <summary>The connection was lost; reconnect attempts run with back-off.</summary>
        Reconnecting,
        /// <summary>Stopped for good: no request is sent any more.</summary>
        Stopped,
    }

    /// <summary>What became of one target added to a watcher.</summary>
    public sealed class OmapiWatchResolution
    {
        internal OmapiWatchResolution(OmapiWatchTarget target, IOmapiObject? current, bool isWatched, Exception? error)
        {
            Target = target;
            Current = current;
            IsWatched = isWatched;
            Error = error;
        }

        /// <summary>The target.</summary>
        public OmapiWatchTarget Target { get; }

        /// <summary>The object found (null when its key does not resolve yet).</summary>
        public IOmapiObject? Current { get; }

        /// <summary>True when the target is watched (found, or not there yet and reported when it appears).</summary>
        public bool IsWatched { get; }

        /// <summary>
        /// Why the target is not watched: a lease address that has no lease object (it is in no dhcpd range), several
        /// leases for one key (MultipleMatches), or another refusal of the server. Null when watched.
        /// </summary>
        public Exception? Error { get; }

        /// <summary>
        /// How a first read settles a target: found, or not there yet (watched for its appearance), except a lease address
        /// without a lease object (in no dhcpd range, so it never will be) and any other refusal, which are not watched.
        /// </summary>
        internal static OmapiWatchResolution From(OmapiWatchTarget target, WatchRead read)
        {
            if (read.Value != null)
            {
                return new OmapiWatchResolution(target, read.Value, true, null);
            }

            bool watch = read.IsNotFound && target.KeyKind != OmapiWatchKey.LeaseIPAddress;
            return new OmapiWatchResolution(target, null, watch, watch ? null : read.Error);
        }
    }
}
