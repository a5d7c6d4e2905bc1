using System;
using System.Diagnostics;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using Omapi.Core.Connection;

namespace Omapi.Core.Watch
{
    /// <summary>
    /// When a watcher polls next. While connected: one <see cref="OmapiWatcherOptions.Interval"/> from the start of the
    /// previous poll (at once when a poll took longer; never overlapped). After a lost connection: the watcher's back-off
    /// (<see cref="OmapiWatcherOptions.FirstRetryDelay"/>, doubling up to <see cref="OmapiWatcherOptions.MaxRetryDelay"/>)
    /// between reconnect rounds, each of which is the session's own reconnect policy. It also says that schedule in words,
    /// from the real settings. Not thread-safe: the watcher's loop alone uses it.
    /// </summary>
    internal sealed class WatchSchedule
    {
        private readonly OmapiWatcherOptions _options;
        private readonly Func<TimeSpan> _clock;
        private readonly Backoff _backoff;
        private TimeSpan _retry;

        internal WatchSchedule(OmapiWatcherOptions options, Func<TimeSpan>? clock = null)
        {
            _options = options;
            if (clock == null)
            {
                Stopwatch watch = Stopwatch.StartNew();
                clock = () => watch.Elapsed;
            }

            _clock = clock;
            _backoff = new Backoff(options.FirstRetryDelay, options.MaxRetryDelay);
            Due = Now + options.Interval;
        }

        /// <summary>The time on the schedule's clock.</summary>
        internal TimeSpan Now => _clock();

        /// <summary>When the next poll (or reconnect round) is due, on the schedule's clock.</summary>
        internal TimeSpan Due { get; private set; }

        /// <summary>A poll that started at <paramref name="started"/> succeeded: the next is one interval after its start.</summary>
        internal void Polled(TimeSpan started)
        {
            Due = started + _options.Interval;
            if (Due < Now)
            {
                Due = Now;
            }
        }

        /// <summary>The connection was just lost: the first reconnect round comes after the first back-off wait.</summary>
        internal TimeSpan Lost()
        {
            _retry = _backoff.First;
            Due = Now + _retry;
            return _retry;
        }

        /// <summary>A reconnect round failed: the next waits twice as long, up to the longest wait.</summary>
        internal TimeSpan RetryFailed()
        {
            _retry = _backoff.Next(_retry);
            Due = Now + _retry;
            return _retry;
        }

        /// <summary>
        /// How the watcher reconnects, from the real settings: the back-off between rounds, and what each round does, which
        /// is the session's reconnect policy (<paramref name="session"/>: <see cref="OmapiConnectionOptions.ReconnectAttempts"/>
        /// and <see cref="OmapiConnectionOptions.ReconnectDelay"/>).
        /// </summary>
        internal string DescribeReconnect(OmapiConnectionOptions session)
        {
            string rounds = "Reconnecting with back-off (" + _backoff.Describe(null) + ")";
            int attempts = session.ReconnectAttempts;
            if (attempts == 0)
            {
                return rounds + ", but reconnecting is turned off for the session watched through (ReconnectAttempts 0): watching resumes only if its connection is re-opened.";
            }

            string tries = attempts == 1
                ? "one try"
                : string.Format(CultureInfo.InvariantCulture, "up to {0} tries {1} apart", attempts, Backoff.ForReconnect(session).Describe(attempts - 1));
            return rounds + "; each round is the session's reconnect: " + tries + ".";
        }

        /// <summary>
        /// Waits until the next poll is due, or <paramref name="closed"/> completes (the connection closed: the loss is reported
        /// at once, not at the next poll), asking <see cref="OmapiWatcherOptions.StopWhen"/> every
        /// <see cref="OmapiWatcherOptions.StopCheckPeriod"/>. Returns the stop reason it gave, else null.
        /// </summary>
        internal async Task<string?> WaitAsync(Task closed, CancellationToken token)
        {
            while (true)
            {
                token.ThrowIfCancellationRequested();
                string? reason = _options.StopWhen?.Invoke();
                if (reason != null)
                {
                    return reason;
                }

                TimeSpan left = Due - Now;
                if (left <= TimeSpan.Zero || closed.IsCompleted)
                {
                    return null;
                }

                TimeSpan slice = _options.StopWhen == null || left < _options.StopCheckPeriod ? left : _options.StopCheckPeriod;
                await Task.WhenAny(Task.Delay(slice, token), closed).ConfigureAwait(false);
            }
        }
    }
}
