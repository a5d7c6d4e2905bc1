using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;
using Omapi.Core.Bulk;
using Omapi.Core.Connection;
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
        internal OmapiWatchResolution(OmapiWatchTarget target, object? current, bool isWatched, Exception? error)
        {
            Target = target;
            Current = current;
            IsWatched = isWatched;
            Error = error;
        }

        /// <summary>The target.</summary>
        public OmapiWatchTarget Target { get; }

        /// <summary>The object found (null when its key does not resolve yet).</summary>
        public object? Current { get; }

        /// <summary>True when the target is watched (found, or not there yet and reported when it appears).</summary>
        public bool IsWatched { get; }

        /// <summary>
        /// Why the target is not watched: a lease address that has no lease object (it is in no dhcpd range), several
        /// leases for one key (MultipleMatches), or another refusal of the server. Null when watched.
        /// </summary>
        public Exception? Error { get; }
    }

    /// <summary>
    /// Detects changes of leases and hosts on one dhcpd. It first asks the server for real notifications (NOTIFY); dhcpd
    /// 4.4 declines them (result 27, "notify not implemented yet"), so the watcher polls: every
    /// <see cref="OmapiWatcherOptions.Interval"/> it re-reads each watched object by its handle (REFRESH, one request per
    /// object, handed to the session a few at a time so that its send window keeps the pipelining within dhcpd's safe
    /// budget), compares it with the previous read and reports the differences through <see cref="Change"/>.
    /// Keys that do not resolve yet (a host not created yet) are looked up by key instead. When the connection is lost it
    /// reports <see cref="OmapiChangeKind.ConnectionLost"/>, retries with back-off, and on success finds every object again
    /// by its key (handles are numbered per dhcpd process, so after a restart an old handle may name another object),
    /// reports <see cref="OmapiChangeKind.Resumed"/> and then every difference to the state before the loss.
    /// Uses only the public API of <see cref="OmapiSession"/>; PowerShell-free. Thread-safe.
    /// </summary>
    public sealed class OmapiWatcher : IDisposable
    {
        private static readonly Task Never = new TaskCompletionSource<bool>().Task;

        private readonly Func<CancellationToken, Task<OmapiSession>>? _connect;
        private readonly bool _ownsSession;
        private readonly OmapiWatcherOptions _options;
        private readonly List<Entry> _entries = new List<Entry>();
        private readonly HashSet<OmapiWatchTarget> _targets = new HashSet<OmapiWatchTarget>();
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();
        private readonly object _gate = new object();
        private readonly object _accounting = new object();
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private OmapiConnection? _countedConnection;
        private long _baseRequests;
        private long _baseSent;
        private long _baseReceived;
        private long _requests;
        private long _bytesSent;
        private long _bytesReceived;
        private long _polls;
        private long _sequence;
        private long _lastPollTicks;
        private long _lastPollDurationTicks = -1;
        private volatile OmapiWatcherState _state = OmapiWatcherState.Created;
        private volatile bool _stopRequested;
        private volatile string? _stopReason;
        private Task _loop = Task.CompletedTask;
        private volatile OmapiSession _session;

        /// <summary>
        /// Creates a watcher over <paramref name="session"/> (owned when <see cref="OmapiWatcherOptions.OwnsSession"/> is
        /// set); after a lost connection it relies on the session to re-open it. Add targets with <see cref="AddAsync"/>,
        /// then <see cref="Start"/>. <see cref="ConnectAsync"/> makes a watcher with sessions of its own instead.
        /// </summary>
        public OmapiWatcher(OmapiSession session, OmapiWatcherOptions? options = null)
            : this(session ?? throw new ArgumentNullException(nameof(session)), null, options)
        {
        }

        private OmapiWatcher(OmapiSession session, Func<CancellationToken, Task<OmapiSession>>? connect, OmapiWatcherOptions? options)
        {
            _session = session;
            _connect = connect;
            _options = (options ?? new OmapiWatcherOptions()).Clone();
            _options.Validate();
            _ownsSession = connect != null || _options.OwnsSession;

            // Count from now: on a shared session, earlier traffic is not the watcher's.
            OmapiConnection? connection = session.Connection;
            _countedConnection = connection;
            if (connection != null)
            {
                _baseRequests = connection.RequestsSent;
                _baseSent = connection.BytesSent;
                _baseReceived = connection.BytesReceived;
            }
        }

        /// <summary>
        /// Raised on a thread-pool thread, one report at a time and in <see cref="OmapiChange.Sequence"/> order, for every
        /// change, appearance and disappearance, and for connection loss, resumption and a stop the watcher decided itself.
        /// Nothing is raised after <see cref="Stop"/>. An exception thrown by a handler is kept in <see cref="LastHandlerError"/>.
        /// </summary>
        public event EventHandler<OmapiChange>? Change;

        /// <summary>The session the watcher polls through (a watcher from <see cref="ConnectAsync"/> replaces it after a lost connection).</summary>
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
        /// Requests sent on the session's connections since the watcher was created (the watcher's own traffic when it
        /// owns its session; on a shared session other callers' requests are counted too). Flat once stopped.
        /// </summary>
        public long RequestsSent
        {
            get
            {
                Account();
                return Interlocked.Read(ref _requests);
            }
        }

        /// <summary>Bytes sent, counted like <see cref="RequestsSent"/> (a reconnection's intro and authentication included).</summary>
        public long BytesSent
        {
            get
            {
                Account();
                return Interlocked.Read(ref _bytesSent);
            }
        }

        /// <summary>Bytes received, counted like <see cref="RequestsSent"/>.</summary>
        public long BytesReceived
        {
            get
            {
                Account();
                return Interlocked.Read(ref _bytesReceived);
            }
        }

        /// <summary>The last exception a <see cref="Change"/> handler threw, or null.</summary>
        public Exception? LastHandlerError { get; private set; }

        /// <summary>Completes when the polling loop has ended (at once when it never started).</summary>
        public Task Completion => _loop;

        /// <summary>
        /// Connects a watcher with a session of its own to the server of <paramref name="connection"/>. After a lost connection
        /// each reconnect attempt opens a new session (so the reconnect policy of the options, which may even be off, does
        /// not matter: the watcher's back-off applies), and everything is closed when the watcher stops. Throws what
        /// <see cref="OmapiSession.ConnectAsync"/> throws.
        /// </summary>
        public static async Task<OmapiWatcher> ConnectAsync(OmapiConnectionOptions connection, OmapiWatcherOptions? options = null, CancellationToken cancellationToken = default)
        {
            if (connection == null)
            {
                throw new ArgumentNullException(nameof(connection));
            }

            OmapiConnectionOptions copy = connection.Clone();
            OmapiWatcherOptions settings = (options ?? new OmapiWatcherOptions()).Clone();
            settings.Validate();
            OmapiSession session = await OmapiSession.ConnectAsync(copy, cancellationToken).ConfigureAwait(false);
            return new OmapiWatcher(session, ct => OmapiSession.ConnectAsync(copy, ct), settings);
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

                foreach (OmapiWatchTarget target in targets)
                {
                    if (target != null && _targets.Add(target))
                    {
                        fresh.Add(target);
                    }
                }
            }

            OmapiWatchResolution[] resolutions;
            try
            {
                OmapiSession session = _session;
                resolutions = await ForEachAsync(fresh, (t, ct) => ResolveAsync(session, t, ct), cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                lock (_gate)
                {
                    foreach (OmapiWatchTarget target in fresh)
                    {
                        _targets.Remove(target);
                    }
                }

                throw;
            }

            lock (_gate)
            {
                foreach (OmapiWatchResolution resolution in resolutions)
                {
                    if (resolution.IsWatched)
                    {
                        _entries.Add(new Entry(resolution.Target, resolution.Current));
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

            try
            {
                await _session.NotifyAsync(handle, cancellationToken).ConfigureAwait(false);
                NotificationsAccepted = true;
                NotificationStatus = "accepted by the server, but unsolicited messages cannot be received on an OMAPI client connection here; polling";
            }
            catch (OmapiNotSupportedException ex)
            {
                NotificationStatus = string.Format(CultureInfo.InvariantCulture, "declined by the server: \"{0}\" ({1}, result {2}); polling", ex.ServerMessage ?? ex.ResultName, ex.ResultName, ex.ResultCode);
            }
            catch (OmapiServerException ex) when (!(ex is OmapiAuthenticationException))
            {
                NotificationStatus = string.Format(CultureInfo.InvariantCulture, "refused by the server: \"{0}\" ({1}, result {2}); polling", ex.ServerMessage ?? ex.ResultName, ex.ResultName, ex.ResultCode);
            }

            return NotificationStatus;
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
                _loop = Task.Run(RunAsync);
            }
        }

        /// <summary>Stops polling at once: pending requests are cancelled and (if owned) the session is closed. Idempotent.</summary>
        public void Stop() => StopCore(null);

        /// <summary>Same as <see cref="Stop"/>.</summary>
        public void Dispose() => StopCore(null);

        /// <inheritdoc />
        public override string ToString() => string.Format(CultureInfo.InvariantCulture, "watcher of {0} objects on {1} every {2:0.###} s ({3})", Count, _session.ServerName, _options.Interval.TotalSeconds, _state);

        private static bool IsConnectionFailure(Exception ex) =>
            ex is OmapiConnectionException || ex is OmapiTimeoutException || ex is OmapiProtocolException || ex is OmapiAuthenticationException;

        private static uint HandleOf(object? value) => value switch
        {
            OmapiLease lease => lease.GetHandle(),
            OmapiHost host => host.GetHandle(),
            _ => 0,
        };

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
            if (_ownsSession)
            {
                // Closing the connection here, not when the loop notices, guarantees nothing more is sent from now on.
                _session.Dispose();
            }

            Account();
        }

        private static async Task<OmapiWatchResolution> ResolveAsync(OmapiSession session, OmapiWatchTarget target, CancellationToken cancellationToken)
        {
            if (target.KnownHandle != 0)
            {
                object? byHandle = await TryRefreshAsync(session, target, target.KnownHandle, cancellationToken).ConfigureAwait(false);
                if (byHandle != null)
                {
                    return new OmapiWatchResolution(target, byHandle, true, null);
                }
            }

            try
            {
                return new OmapiWatchResolution(target, await target.OpenAsync(session, cancellationToken).ConfigureAwait(false), true, null);
            }
            catch (OmapiNotFoundException ex)
            {
                // Every address of a dhcpd range has a lease object: an address without one is in no range and never will be.
                bool watch = target.KeyKind != OmapiWatchKey.LeaseIPAddress;
                return new OmapiWatchResolution(target, null, watch, watch ? null : ex);
            }
            catch (OmapiServerException ex) when (!(ex is OmapiAuthenticationException))
            {
                return new OmapiWatchResolution(target, null, false, ex);
            }
            catch (OmapiMalformedValueException ex)
            {
                return new OmapiWatchResolution(target, null, false, ex);
            }
        }

        private static async Task<object?> TryRefreshAsync(OmapiSession session, OmapiWatchTarget target, uint handle, CancellationToken cancellationToken)
        {
            try
            {
                return Interpret(session, target, await session.RefreshAsync(handle, target.ObjectType, cancellationToken).ConfigureAwait(false));
            }
            catch (OmapiServerException ex) when (!(ex is OmapiAuthenticationException))
            {
                // Not found (a deleted host), or the handle now names an object of another type: look it up by key.
                return null;
            }
        }

        /// <summary>
        /// One poll. Objects whose handle is known are re-read by handle with the bulk engine (issue 5's machinery: the
        /// requests of one connection go out in batches within its byte budget, no task per request); those without one,
        /// those whose handle now names something else (dhcpd restarted) or failed, and all of them after a lost
        /// connection, are looked up by key. A connection failure on any item fails the poll, as a failed request did.
        /// </summary>
        private async Task<Observation[]> ObserveAllAsync(OmapiSession session, Entry[] entries, bool byKey, CancellationToken cancellationToken)
        {
            var observations = new Observation[entries.Length];
            var resolved = new bool[entries.Length];
            int[] byHandle = byKey ? Array.Empty<int>() : Enumerable.Range(0, entries.Length).Where(i => entries[i].Handle != 0).ToArray();
            if (byHandle.Length > 0)
            {
                // Connection 0 only, as every other request of the watcher: its traffic is what the watcher accounts for.
                var options = new OmapiBulkOptions { Connections = 1, MaxBuffered = Math.Max(64, _options.MaxConcurrentRequests * 16) };
                using OmapiBulkOperation<uint, OmapiObject> bulk = await session.StartRefreshAsync(byHandle.Select(i => entries[i].Handle), null, options, cancellationToken).ConfigureAwait(false);

                // Taking the results blocks (the consumer reads the socket itself): on a thread of its own, not a pool thread, so
                // that a poll neither waits for nor holds one of the pool's threads while the process is busy.
                List<OmapiBulkResult<uint, OmapiObject>> results = await Task.Factory.StartNew(
                    () => bulk.Results(cancellationToken).ToList(),
                    cancellationToken,
                    TaskCreationOptions.LongRunning,
                    TaskScheduler.Default).ConfigureAwait(false);
                for (int k = 0; k < results.Count; k++)
                {
                    OmapiBulkResult<uint, OmapiObject> result = results[k];
                    if (result.Error is Exception error && IsConnectionFailure(error))
                    {
                        ExceptionDispatchInfo.Capture(error).Throw();
                    }

                    Entry entry = entries[byHandle[k]];
                    object? value = result.Succeeded ? Interpret(session, entry.Target, result.Value!) : null;
                    if (value != null)
                    {
                        observations[byHandle[k]] = new Observation(value, keep: false);
                        resolved[byHandle[k]] = true;
                    }
                }
            }

            Entry[] rest = Enumerable.Range(0, entries.Length).Where(i => !resolved[i]).Select(i => entries[i]).ToArray();
            if (rest.Length > 0)
            {
                Observation[] byKeyObservations = await ForEachAsync(rest, (e, ct) => ObserveByKeyAsync(session, e, ct), cancellationToken).ConfigureAwait(false);
                int next = 0;
                for (int i = 0; i < entries.Length; i++)
                {
                    if (!resolved[i])
                    {
                        observations[i] = byKeyObservations[next++];
                    }
                }
            }

            return observations;
        }

        /// <summary>A refreshed object as the target's type, or null when it is not the object the target names (any more).</summary>
        private static object? Interpret(OmapiSession session, OmapiWatchTarget target, OmapiObject refreshed)
        {
            try
            {
                object value = target.IsLease ? OmapiLease.FromObject(refreshed, session.ServerName) : OmapiHost.FromObject(refreshed, session.ServerName);
                return target.Matches(value) ? value : null;
            }
            catch (OmapiMalformedValueException)
            {
                return null;
            }
        }

        /// <summary>Looks a watched object up by its key (OPEN), for the entries the by-handle refresh of a poll did not settle.</summary>
        private static async Task<Observation> ObserveByKeyAsync(OmapiSession session, Entry entry, CancellationToken cancellationToken)
        {
            try
            {
                return new Observation(await entry.Target.OpenAsync(session, cancellationToken).ConfigureAwait(false), keep: false);
            }
            catch (OmapiNotFoundException)
            {
                return new Observation(null, keep: false);
            }
            catch (OmapiServerException ex) when (!(ex is OmapiAuthenticationException))
            {
                // Several leases share the key now, or another refusal: no conclusion this time, keep the last state.
                return new Observation(null, keep: true);
            }
            catch (OmapiMalformedValueException)
            {
                return new Observation(null, keep: true);
            }
        }

        private async Task RunAsync()
        {
            CancellationToken token = _stop.Token;
            TimeSpan interval = _options.Interval;
            TimeSpan retry = _options.FirstRetryDelay;
            bool lost = false;
            DateTime lostAtUtc = default;
            OmapiConnection? known = _session.Connection;
            TimeSpan due = _clock.Elapsed + interval;
            Entry[] entries;
            lock (_gate)
            {
                entries = _entries.ToArray();
            }

            try
            {
                while (true)
                {
                    string? stopReason = await WaitAsync(due, lost || known == null ? Never : known.Closed, token).ConfigureAwait(false);
                    if (stopReason != null)
                    {
                        Raise(OmapiChangeKind.Stopped, stopReason);
                        StopCore(stopReason);
                        return;
                    }

                    if (!lost && known != null && !known.IsOpen)
                    {
                        // dhcpd closed the connection (it exits, restarts, or dropped us): say so now, retry shortly.
                        lost = true;
                        lostAtUtc = DateTime.UtcNow;
                        retry = _options.FirstRetryDelay;
                        _state = OmapiWatcherState.Reconnecting;
                        Raise(OmapiChangeKind.ConnectionLost, DescribeLoss(known.Fault));
                        due = _clock.Elapsed + retry;
                        continue;
                    }

                    TimeSpan started = _clock.Elapsed;
                    Observation[] observations;
                    OmapiConnection? before;
                    OmapiSession session;
                    try
                    {
                        if (lost && _connect != null)
                        {
                            // Each attempt opens a new session: its own reconnect policy (which may be off) plays no part.
                            await ReplaceSessionAsync(token).ConfigureAwait(false);
                        }

                        session = _session;
                        before = session.Connection;
                        bool byKey = lost;
                        observations = await ObserveAllAsync(session, entries, byKey, token).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (IsConnectionFailure(ex) && !token.IsCancellationRequested)
                    {
                        Account();
                        if (!lost)
                        {
                            lost = true;
                            lostAtUtc = DateTime.UtcNow;
                            retry = _options.FirstRetryDelay;
                            _state = OmapiWatcherState.Reconnecting;
                            Raise(OmapiChangeKind.ConnectionLost, DescribeLoss(ex));
                        }
                        else
                        {
                            retry = TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, _options.MaxRetryDelay.Ticks));
                        }

                        due = _clock.Elapsed + retry;
                        continue;
                    }

                    Interlocked.Increment(ref _polls);
                    Interlocked.Exchange(ref _lastPollTicks, DateTime.UtcNow.Ticks);
                    Interlocked.Exchange(ref _lastPollDurationTicks, (_clock.Elapsed - started).Ticks);
                    Account();
                    known = session.Connection;
                    if (!lost && !ReferenceEquals(known, before))
                    {
                        // The session lost its connection during the poll and re-opened it on its own. Every result is still
                        // the object its key names (a refreshed handle that now names another object was looked up again by
                        // key), but the loss is reported all the same, and with it what changed meanwhile.
                        lost = true;
                        lostAtUtc = DateTime.UtcNow;
                        Raise(OmapiChangeKind.ConnectionLost, DescribeLoss(before?.Fault));
                    }

                    if (lost)
                    {
                        bool restarted = entries.Zip(observations, (e, o) => e.Handle != 0 && !o.Keep && o.Value != null && HandleOf(o.Value) != e.Handle).Any(x => x);
                        lost = false;
                        _state = OmapiWatcherState.Running;
                        string after = ((int)(DateTime.UtcNow - lostAtUtc).TotalSeconds).ToString(CultureInfo.InvariantCulture);
                        Raise(OmapiChangeKind.Resumed, restarted
                            ? "Watching resumed after " + after + " s. dhcpd was restarted meanwhile (its handles changed): every watched object was looked up again by its key and compared with its state before the connection was lost."
                            : "Watching resumed after " + after + " s: every watched object was looked up again by its key and compared with its state before the connection was lost.");
                    }

                    Apply(entries, observations);
                    due = started + interval;
                    if (due < _clock.Elapsed)
                    {
                        due = _clock.Elapsed;
                    }
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
            finally
            {
                Account();
            }
        }

        private async Task ReplaceSessionAsync(CancellationToken token)
        {
            OmapiSession fresh = await _connect!(token).ConfigureAwait(false);
            OmapiSession old;
            lock (_gate)
            {
                if (_stopRequested)
                {
                    fresh.Dispose();
                    token.ThrowIfCancellationRequested();
                    throw new OperationCanceledException(token);
                }

                old = _session;
                _session = fresh;
            }

            Account();
            old.Dispose();
        }

        private string DescribeLoss(Exception? reason) =>
            "The connection to dhcpd at " + _session.ServerName + " was lost" + (reason == null ? "." : ": " + reason.Message) + " Reconnecting with back-off (1, 2, 4 ... 30 s).";

        private async Task<string?> WaitAsync(TimeSpan due, Task closed, CancellationToken token)
        {
            while (true)
            {
                token.ThrowIfCancellationRequested();
                string? reason = _options.StopWhen?.Invoke();
                if (reason != null)
                {
                    return reason;
                }

                TimeSpan left = due - _clock.Elapsed;
                if (left <= TimeSpan.Zero || closed.IsCompleted)
                {
                    return null;
                }

                TimeSpan slice = _options.StopWhen == null || left < _options.StopCheckPeriod ? left : _options.StopCheckPeriod;
                await Task.WhenAny(Task.Delay(slice, token), closed).ConfigureAwait(false);
            }
        }

        private void Apply(Entry[] entries, Observation[] observations)
        {
            for (int i = 0; i < entries.Length; i++)
            {
                Observation observation = observations[i];
                if (observation.Keep)
                {
                    continue;
                }

                Entry entry = entries[i];
                object? previous = entry.Current;
                object? current = observation.Value;
                entry.Current = current;
                entry.Handle = HandleOf(current);
                IReadOnlyList<OmapiPropertyChange> changes = OmapiObjectComparer.Compare(previous, current);
                bool was = OmapiObjectComparer.IsPresent(previous);
                bool now = OmapiObjectComparer.IsPresent(current);
                OmapiChangeKind kind;
                if (was != now)
                {
                    kind = now ? OmapiChangeKind.Appeared : OmapiChangeKind.Disappeared;
                }
                else if (changes.Count > 0)
                {
                    kind = OmapiChangeKind.Changed;
                }
                else
                {
                    continue;
                }

                Raise(new OmapiChange(kind, entry.Target, entry.Target.Key, current, previous, changes, null, NextSequence()));
            }
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

        private void Account()
        {
            lock (_accounting)
            {
                OmapiConnection? current = _session.Connection;
                if (!ReferenceEquals(current, _countedConnection))
                {
                    if (_countedConnection != null)
                    {
                        AddTraffic(_countedConnection);
                    }

                    // A new connection: everything on it, intro and authentication included, is traffic of this session.
                    _countedConnection = current;
                    _baseRequests = 0;
                    _baseSent = 0;
                    _baseReceived = 0;
                }

                if (current != null)
                {
                    AddTraffic(current);
                }
            }
        }

        private void AddTraffic(OmapiConnection connection)
        {
            long requests = connection.RequestsSent;
            long sent = connection.BytesSent;
            long received = connection.BytesReceived;
            Interlocked.Add(ref _requests, requests - _baseRequests);
            Interlocked.Add(ref _bytesSent, sent - _baseSent);
            Interlocked.Add(ref _bytesReceived, received - _baseReceived);
            _baseRequests = requests;
            _baseSent = sent;
            _baseReceived = received;
        }

        /// <summary>
        /// Runs <paramref name="work"/> for every item with at most <see cref="OmapiWatcherOptions.MaxConcurrentRequests"/>
        /// at a time. The first failure stops the others from starting new requests (after a lost connection each new
        /// request would try to reconnect) and is rethrown.
        /// </summary>
        private async Task<TResult[]> ForEachAsync<TItem, TResult>(IReadOnlyList<TItem> items, Func<TItem, CancellationToken, Task<TResult>> work, CancellationToken cancellationToken)
        {
            var results = new TResult[items.Count];
            if (items.Count == 0)
            {
                return results;
            }

            using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stop.Token);
            Exception? first = null;
            int next = -1;

            async Task Worker()
            {
                while (true)
                {
                    int i = Interlocked.Increment(ref next);
                    if (i >= items.Count || failed.IsCancellationRequested)
                    {
                        return;
                    }

                    try
                    {
                        results[i] = await work(items[i], failed.Token).ConfigureAwait(false);
                    }
#pragma warning disable CA1031 // Recorded and rethrown below, after the other workers have stopped.
                    catch (Exception ex)
#pragma warning restore CA1031
                    {
                        Interlocked.CompareExchange(ref first, ex, null);
                        failed.Cancel();
                        return;
                    }
                }
            }

            var workers = new Task[Math.Min(_options.MaxConcurrentRequests, items.Count)];
            for (int w = 0; w < workers.Length; w++)
            {
                workers[w] = Worker();
            }

            await Task.WhenAll(workers).ConfigureAwait(false);
            if (first != null)
            {
                ExceptionDispatchInfo.Capture(first).Throw();
            }

            return results;
        }

        private sealed class Entry
        {
            internal Entry(OmapiWatchTarget target, object? current)
            {
                Target = target;
                Current = current;
                Handle = HandleOf(current);
            }

            internal OmapiWatchTarget Target { get; }

            internal object? Current { get; set; }

            internal uint Handle { get; set; }
        }

        private readonly struct Observation
        {
            internal Observation(object? value, bool keep)
            {
                Value = value;
                Keep = keep;
            }

            internal object? Value { get; }

            internal bool Keep { get; }
        }
    }
}
