using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Omapi.Core.Connection;
using Omapi.Core.Objects;

namespace Omapi.Core.Watch
{
    /// <summary>
    /// Detects changes of leases and hosts on one dhcpd. It first asks the server for real notifications (NOTIFY); dhcpd
    /// 4.4 declines them (result 27, "notify not implemented yet"), so the watcher polls: every
    /// <see cref="OmapiWatcherOptions.Interval"/> it re-reads each watched object by its handle (REFRESH, one request per
    /// object, through the session's bulk engine within its send window), compares it with the previous read and reports
    /// the differences through <see cref="Change"/>. Keys that do not resolve yet (a host not created yet) are looked up by
    /// key instead. When the connection is lost it reports <see cref="OmapiChangeKind.ConnectionLost"/>, and retries with
    /// back-off: each retry is a poll, whose first request makes the session re-open its connection as its own reconnect
    /// policy says. On success it finds every object again by its key (handles are numbered per dhcpd process, so after a
    /// restart an old handle may name another object), reports <see cref="OmapiChangeKind.Resumed"/> and then every
    /// difference to the state before the loss.
    /// </summary>
    /// <remarks>
    /// The parts: <see cref="WatchSchedule"/> says when to poll (and how reconnect rounds are spaced), <see cref="WatchPoll"/>
    /// reads a batch of targets through the session's public API, <see cref="OmapiObjectComparer"/> compares two reads; this
    /// class holds the targets, runs the loop and reports. Uses only the public API of <see cref="OmapiSession"/>;
    /// PowerShell-free. Thread-safe.
    /// </remarks>
    public sealed class OmapiWatcher : IDisposable
    {
        private static readonly Task Never = new TaskCompletionSource<bool>().Task;

        private readonly OmapiSession _session;
        private readonly OmapiWatcherOptions _options;
        private readonly WatchSchedule _schedule;
        private readonly List<WatchEntry> _entries = new List<WatchEntry>();
        private readonly HashSet<OmapiWatchTarget> _targets = new HashSet<OmapiWatchTarget>();
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();
        private readonly object _gate = new object();
        private readonly OmapiTraffic _trafficAtStart;
        private OmapiTraffic? _trafficAtStop;
        private long _polls;
        private long _sequence;
        private long _lastPollTicks;
        private long _lastPollDurationTicks = -1;
        private volatile OmapiWatcherState _state = OmapiWatcherState.Created;
        private volatile bool _stopRequested;
        private volatile string? _stopReason;
        private Task _loop = Task.CompletedTask;

        /// <summary>
        /// Creates a watcher over <paramref name="session"/> (owned when <see cref="OmapiWatcherOptions.OwnsSession"/> is
        /// set); after a lost connection the session re-opens it, as its reconnect policy says. Add targets with
        /// <see cref="AddAsync"/>, then <see cref="Start"/>. <see cref="ConnectAsync"/> makes a watcher with a session of its own.
        /// </summary>
        public OmapiWatcher(OmapiSession session, OmapiWatcherOptions? options = null)
        {
            _session = session ?? throw new ArgumentNullException(nameof(session));
            _options = (options ?? new OmapiWatcherOptions()).Clone();
            _options.Validate();
            _schedule = new WatchSchedule(_options);

            // Count from now: on a shared session, earlier traffic is not the watcher's.
            _trafficAtStart = session.Traffic;
        }

        /// <summary>
        /// Raised on a thread-pool thread, one report at a time and in <see cref="OmapiChange.Sequence"/> order, for every
        /// change, appearance and disappearance, and for connection loss, resumption and a stop the watcher decided itself.
        /// Nothing is raised after <see cref="Stop"/>. An exception thrown by a handler is kept in <see cref="LastHandlerError"/>.
        /// </summary>
        public event EventHandler<OmapiChange>? Change;

        /// <summary>The session the watcher polls through.</summary>
        public OmapiSession Session => _session;

        /// <summary>The poll interval.</summary>
        public TimeSpan Interval => _options.Interval;

        /// <summary>Where the watcher is in its life.</summary>
        public OmapiWatcherState State => _state;

        /// <summary>True until the watcher stopped.</summary>
        public bool IsRunning => _state == OmapiWatcherState.Running || _state == OmapiWatcherState.Reconnecting;

        /// <summary>Why the watcher stopped (null while it runs, or when <see cref="Stop"/> was called without a reason).</summary>
        public string? StopReason => _stopReason;

        /// <summary>The watched targets.</summary>
        public IReadOnlyList<OmapiWatchTarget> Targets
        {
            get
            {
                lock (_gate)
                {
                    return _entries.Select(e => e.Target).ToArray();
                }
            }
        }

        /// <summary>How many targets are watched.</summary>
        public int Count
        {
            get
            {
                lock (_gate)
                {
                    return _entries.Count;
                }
            }
        }

        /// <summary>
        /// What the server said to the request for real notifications (<see cref="RequestNotificationsAsync"/>): dhcpd 4.4
        /// declines with result 27. Null before the request.
        /// </summary>
        public string? NotificationStatus { get; private set; }

        /// <summary>True when the server accepted NOTIFY (no dhcpd does); the watcher polls either way.</summary>
        public bool NotificationsAccepted { get; private set; }

        /// <summary>Completed polls (each reads every watched object once).</summary>
        public long Polls => Interlocked.Read(ref _polls);

        /// <summary>When the last poll completed (offset +00:00), or null.</summary>
        public DateTimeOffset? LastPoll
        {
            get
            {
                long ticks = Interlocked.Read(ref _lastPollTicks);
                return ticks == 0 ? (DateTimeOffset?)null : new DateTimeOffset(ticks, TimeSpan.Zero);
            }
        }

        /// <summary>How long the last poll took (all its requests and replies), or null.</summary>
        public TimeSpan? LastPollDuration
        {
            get
            {
                long ticks = Interlocked.Read(ref _lastPollDurationTicks);
                return ticks < 0 ? (TimeSpan?)null : TimeSpan.FromTicks(ticks);
            }
        }

        /// <summary>
        /// Requests sent through the session since the watcher was created (<see cref="OmapiSession.Traffic"/>: the watcher's
        /// own traffic when it owns its session; on a shared session other callers' requests are counted too). Flat once stopped.
        /// </summary>
        public long RequestsSent => Traffic.RequestsSent;

        /// <summary>Bytes sent, counted like <see cref="RequestsSent"/> (a reconnection's intro and authentication included).</summary>
        public long BytesSent => Traffic.BytesSent;

        /// <summary>Bytes received, counted like <see cref="RequestsSent"/>.</summary>
        public long BytesReceived => Traffic.BytesReceived;

        /// <summary>The last exception a <see cref="Change"/> handler threw, or null.</summary>
        public Exception? LastHandlerError { get; private set; }

        /// <summary>Completes when the polling loop has ended (at once when it never started).</summary>
        public Task Completion => _loop;

        private OmapiTraffic Traffic
        {
            get
            {
                lock (_gate)
                {
                    return _trafficAtStop ?? _session.Traffic - _trafficAtStart;
                }
            }
        }

        /// <summary>
        /// Connects a watcher with a session of its own to the server of <paramref name="connection"/>; it is closed when the
        /// watcher stops. The session reconnects as the options say, but at least once per round even when they turn
        /// reconnecting off: the watch's back-off spaces the rounds. Throws what <see cref="OmapiSession.ConnectAsync"/> throws.
        /// </summary>
        public static async Task<OmapiWatcher> ConnectAsync(OmapiConnectionOptions connection, OmapiWatcherOptions? options = null, CancellationToken cancellationToken = default)
        {
            if (connection == null)
            {
                throw new ArgumentNullException(nameof(connection));
            }

            OmapiConnectionOptions copy = connection.Clone();
            copy.ReconnectAttempts = Math.Max(1, copy.ReconnectAttempts);
            OmapiWatcherOptions settings = (options ?? new OmapiWatcherOptions()).Clone();
            settings.OwnsSession = true;
            settings.Validate();
            OmapiSession session = await OmapiSession.ConnectAsync(copy, cancellationToken).ConfigureAwait(false);
            return new OmapiWatcher(session, settings);
        }

        /// <summary>
        /// Looks each new target up (by its known handle, else by its key) and watches it. A target whose key does not
        /// resolve yet is watched for its appearance, except a lease address without a lease object (it is in no dhcpd
        /// range, so it never will) and a key several leases share: those come back with <see cref="OmapiWatchResolution.Error"/>
        /// and are not watched. Duplicate targets are skipped. Connection failures are thrown. Only before <see cref="Start"/>.
        /// </summary>
        public async Task<IReadOnlyList<OmapiWatchResolution>> AddAsync(IEnumerable<OmapiWatchTarget> targets, CancellationToken cancellationToken = default)
        {
            if (targets == null)
            {
                throw new ArgumentNullException(nameof(targets));
            }

            var fresh = new List<OmapiWatchTarget>();
            lock (_gate)
            {
                if (_state != OmapiWatcherState.Created)
                {
                    throw new InvalidOperationException("Targets can only be added before the watcher starts.");
                }

                fresh.AddRange(targets.Where(t => t != null && _targets.Add(t)));
            }

            WatchRead[] reads;
            try
            {
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stop.Token);
                reads = await WatchPoll.ReadAsync(_session, fresh, fresh.Select(t => t.KnownHandle).ToArray(), linked.Token).ConfigureAwait(false);
            }
            catch
            {
                lock (_gate)
                {
                    _targets.ExceptWith(fresh);
                }

                throw;
            }

            OmapiWatchResolution[] resolutions = fresh.Select((t, i) => OmapiWatchResolution.From(t, reads[i])).ToArray();
            lock (_gate)
            {
                foreach (OmapiWatchResolution resolution in resolutions)
                {
                    if (resolution.IsWatched)
                    {
                        _entries.Add(new WatchEntry(resolution.Target, resolution.Current));
                    }
                    else
                    {
                        _targets.Remove(resolution.Target);
                    }
                }
            }

            return resolutions;
        }

        /// <summary>
        /// Asks the server for real change notifications on one watched object (OMAPI NOTIFY) and records the answer in
        /// <see cref="NotificationStatus"/>. dhcpd 4.4 answers 27 "notify not implemented yet"; the watcher polls either
        /// way, because this client cannot take unsolicited messages. Connection failures are thrown.
        /// </summary>
        public async Task<string> RequestNotificationsAsync(CancellationToken cancellationToken = default)
        {
            uint handle;
            lock (_gate)
            {
                handle = _entries.Select(e => e.Handle).FirstOrDefault(h => h != 0);
            }

            if (handle == 0)
            {
                NotificationStatus = "not asked: none of the watched objects exists yet, so there is no handle to ask about; polling";
                return NotificationStatus;
            }

            (bool accepted, string status) = await WatchPoll.RequestNotificationsAsync(_session, handle, cancellationToken).ConfigureAwait(false);
            NotificationsAccepted = accepted;
            NotificationStatus = status;
            return status;
        }

        /// <summary>Starts polling on a background task. The first poll is one interval from now.</summary>
        public void Start()
        {
            lock (_gate)
            {
                if (_state != OmapiWatcherState.Created)
                {
                    throw new InvalidOperationException(_state == OmapiWatcherState.Stopped ? "The watcher was stopped." : "The watcher is already running.");
                }

                _state = OmapiWatcherState.Running;
                _schedule.Polled(_schedule.Now);
                _loop = Task.Run(RunAsync);
            }
        }

        /// <summary>Stops polling at once: pending requests are cancelled and (if owned) the session is closed. Idempotent.</summary>
        public void Stop() => StopCore(null);

        /// <summary>Same as <see cref="Stop"/>.</summary>
        public void Dispose() => StopCore(null);

        /// <inheritdoc />
        public override string ToString() => string.Format(CultureInfo.InvariantCulture, "watcher of {0} objects on {1} every {2:0.###} s ({3})", Count, _session.ServerName, _options.Interval.TotalSeconds, _state);

        private void StopCore(string? reason)
        {
            lock (_gate)
            {
                if (_stopRequested)
                {
                    return;
                }

                _stopRequested = true;
                _stopReason = reason;
                _state = OmapiWatcherState.Stopped;
            }

            _stop.Cancel();
            if (_options.OwnsSession)
            {
                // Closing the connection here, not when the loop notices, guarantees nothing more is sent from now on.
                _session.Dispose();
            }

            lock (_gate)
            {
                _trafficAtStop = _session.Traffic - _trafficAtStart;
            }
        }

        /// <summary>
        /// The loop: wait for the schedule (or the connection closing, or <see cref="OmapiWatcherOptions.StopWhen"/>), poll,
        /// compare, report. While the connection is lost, each poll is a reconnect round (by key, since old handles may name
        /// other objects after a restart); the first that succeeds resumes the watch.
        /// </summary>
        private async Task RunAsync()
        {
            CancellationToken token = _stop.Token;
            WatchEntry[] entries;
            lock (_gate)
            {
                entries = _entries.ToArray();
            }

            OmapiWatchTarget[] targets = entries.Select(e => e.Target).ToArray();
            DateTime? lostAt = null;
            try
            {
                while (true)
                {
                    Task closed = lostAt == null ? _session.Connection?.Closed ?? Never : Never;
                    string? stopReason = await _schedule.WaitAsync(closed, token).ConfigureAwait(false);
                    if (stopReason != null)
                    {
                        Raise(OmapiChangeKind.Stopped, stopReason);
                        StopCore(stopReason);
                        return;
                    }

                    if (closed.IsCompleted)
                    {
                        // dhcpd closed the connection (it exits, restarts, or dropped us): say so now, retry shortly.
                        lostAt = Lost(_session.Connection?.Fault, reconnected: false);
                        continue;
                    }

                    long reconnects = _session.Reconnects;
                    TimeSpan started = _schedule.Now;
                    WatchRead[] reads;
                    try
                    {
                        reads = await WatchPoll.ReadAsync(_session, targets, entries.Select(e => lostAt == null ? e.Handle : 0).ToArray(), token).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (WatchPoll.IsConnectionFailure(ex) && !token.IsCancellationRequested)
                    {
                        if (lostAt == null)
                        {
                            lostAt = Lost(ex, reconnected: false);
                        }
                        else
                        {
                            _schedule.RetryFailed();
                        }

                        continue;
                    }

                    Interlocked.Increment(ref _polls);
                    Interlocked.Exchange(ref _lastPollTicks, DateTime.UtcNow.Ticks);
                    Interlocked.Exchange(ref _lastPollDurationTicks, (_schedule.Now - started).Ticks);
                    if (lostAt == null && _session.Reconnects != reconnects)
                    {
                        // The session lost its connection during the poll and re-opened it at once. Every result is still the
                        // object its key names (a refreshed handle that now names another object was looked up by key), but
                        // the loss is reported all the same, and with it what changed meanwhile.
                        lostAt = Lost(null, reconnected: true);
                    }

                    if (lostAt is DateTime since)
                    {
                        lostAt = null;
                        _state = OmapiWatcherState.Running;
                        Raise(OmapiChangeKind.Resumed, DescribeResumption(entries, reads, since));
                    }

                    for (int i = 0; i < entries.Length; i++)
                    {
                        if (entries[i].Take(reads[i], NextSequence) is OmapiChange change)
                        {
                            Raise(change);
                        }
                    }

                    _schedule.Polled(started);
                }
            }
#pragma warning disable CA1031 // Once stopped, whatever the cancelled requests and the closed connection threw is moot.
            catch (Exception) when (token.IsCancellationRequested)
#pragma warning restore CA1031
            {
                // Stopped.
            }
            catch (ObjectDisposedException)
            {
                // Someone closed the session under the watcher: nothing more can be sent.
                Raise(OmapiChangeKind.Stopped, "The OMAPI session was closed.");
                StopCore("The OMAPI session was closed.");
            }
#pragma warning disable CA1031 // A watch must not die silently: whatever else went wrong ends it with a Stopped report.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                string reason = "Watching stopped after an unexpected error: " + ex.GetType().Name + ": " + ex.Message;
                Raise(OmapiChangeKind.Stopped, reason);
                StopCore(reason);
            }
        }

        /// <summary>Reports the loss (with the real reconnect schedule) and schedules the first reconnect round.</summary>
        private DateTime Lost(Exception? reason, bool reconnected)
        {
            string what = "The connection to dhcpd at " + _session.ServerName + " was lost";
            if (reconnected)
            {
                Raise(OmapiChangeKind.ConnectionLost, what + " during a poll, and the session re-opened it at once.");
                return DateTime.UtcNow;
            }

            _state = OmapiWatcherState.Reconnecting;
            _schedule.Lost();
            Raise(OmapiChangeKind.ConnectionLost, what + (reason == null ? "." : ": " + reason.Message) + " " + _schedule.DescribeReconnect(_session.Options));
            return DateTime.UtcNow;
        }

        private static string DescribeResumption(WatchEntry[] entries, WatchRead[] reads, DateTime lostAt)
        {
            bool restarted = WatchEntry.HandlesChanged(entries, reads);
            string after = ((int)(DateTime.UtcNow - lostAt).TotalSeconds).ToString(CultureInfo.InvariantCulture);
            return restarted
                ? "Watching resumed after " + after + " s. dhcpd was restarted meanwhile (its handles changed): every watched object was looked up again by its key and compared with its state before the connection was lost."
                : "Watching resumed after " + after + " s: every watched object was looked up again by its key and compared with its state before the connection was lost.";
        }

        private long NextSequence() => Interlocked.Increment(ref _sequence);

        private void Raise(OmapiChangeKind kind, string message) =>
            Raise(new OmapiChange(kind, null, _session.ServerName, null, null, null, message, NextSequence()));

        private void Raise(OmapiChange change)
        {
            if (_stopRequested)
            {
                return;
            }

            try
            {
                Change?.Invoke(this, change);
            }
#pragma warning disable CA1031 // A subscriber's failure must not end the watch; it is kept for inspection.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LastHandlerError = ex;
            }
        }

    }
}
