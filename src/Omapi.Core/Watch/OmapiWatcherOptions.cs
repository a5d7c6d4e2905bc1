using System;

namespace Omapi.Core.Watch
{
    /// <summary>How an <see cref="OmapiWatcher"/> polls. Validated when the watcher is created.</summary>
    public sealed class OmapiWatcherOptions
    {
        /// <summary>The default time between two polls.</summary>
        public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(5);

        /// <summary>Time from the start of one poll to the start of the next (a poll that takes longer is followed at once, never overlapped).</summary>
        public TimeSpan Interval { get; set; } = DefaultInterval;

        /// <summary>
        /// The wait before the first reconnect round after the connection was lost; it doubles after each failed round. A
        /// round is the session's own reconnect (its <see cref="Connection.OmapiConnectionOptions.ReconnectAttempts"/> tries,
        /// <see cref="Connection.OmapiConnectionOptions.ReconnectDelay"/> apart, doubling).
        /// </summary>
        public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

        /// <summary>The longest wait between two reconnect rounds.</summary>
        public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

        /// <summary>When true the watcher disposes the session when it stops (give it a session of its own).</summary>
        public bool OwnsSession { get; set; }

        /// <summary>
        /// Asked every <see cref="StopCheckPeriod"/> while the watcher waits: a non-null answer stops it, with that text as
        /// the reason of a final <see cref="OmapiChangeKind.Stopped"/> report (e.g. "the session was closed"). Optional.
        /// </summary>
        public Func<string?>? StopWhen { get; set; }

        /// <summary>How often <see cref="StopWhen"/> is asked.</summary>
        public TimeSpan StopCheckPeriod { get; set; } = TimeSpan.FromMilliseconds(250);

        /// <summary>A copy.</summary>
        public OmapiWatcherOptions Clone() => (OmapiWatcherOptions)MemberwiseClone();

        /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> for the first invalid setting.</summary>
        public void Validate()
        {
            if (Interval < TimeSpan.FromMilliseconds(100) || Interval > TimeSpan.FromDays(1))
            {
                throw new ArgumentOutOfRangeException(nameof(Interval), Interval, "The poll interval must be between 100 ms and one day.");
            }

            if (FirstRetryDelay <= TimeSpan.Zero || MaxRetryDelay < FirstRetryDelay)
            {
                throw new ArgumentOutOfRangeException(nameof(FirstRetryDelay), FirstRetryDelay, "FirstRetryDelay must be positive and not above MaxRetryDelay.");
            }

            if (StopCheckPeriod <= TimeSpan.Zero)
            {
                throw new ArgumentOutOfRangeException(nameof(StopCheckPeriod), StopCheckPeriod, "StopCheckPeriod must be positive.");
            }
        }
    }
}
