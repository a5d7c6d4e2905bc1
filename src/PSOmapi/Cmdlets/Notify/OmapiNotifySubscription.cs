using System;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using Omapi.Core.Watch;

namespace PSOmapi
{
    /// <summary>
    /// One Register-OmapiNotify watch: the source object of its PowerShell event subscription (<c>$Event.Sender</c>), with
    /// the watch's state and its own traffic. Its <see cref="Changed"/> event is what the runspace's event manager
    /// subscribes to; when that subscription goes away (Unregister-OmapiNotify, Unregister-Event, -MaxTriggerCount reached,
    /// the runspace closing, the module being removed) the watch stops and closes its connection.
    /// </summary>
    public sealed class OmapiNotifySubscription
    {
        private readonly object _lock = new object();
        private readonly OmapiWatcher _watcher;
        private readonly int _maxTriggerCount;
        private long _raised;
        private EventHandler<OmapiChangeEventArgs>? _changed;
        private bool _hadHandler;
        private bool _detached;
        private PSEventManager? _events;
        private PSEventSubscriber? _subscriber;
        private RunspaceList<OmapiNotifySubscription>? _store;

        internal OmapiNotifySubscription(string sourceIdentifier, OmapiSessionInfo session, OmapiWatcher watcher, int intervalSec, int maxTriggerCount)
        {
            _maxTriggerCount = maxTriggerCount;
            SourceIdentifier = sourceIdentifier;
            Session = session;
            _watcher = watcher;
            IntervalSec = intervalSec;
            RegisteredAt = DateTimeOffset.UtcNow;
            Watched = watcher.Targets.Select(t => t.Key).ToArray();
            watcher.Change += OnWatcherChange;
        }

        /// <summary>
        /// Raised for every detected change (on a background thread). Register-OmapiNotify subscribes the runspace's event
        /// manager to it; removing the last handler stops the watch for good.
        /// </summary>
        public event EventHandler<OmapiChangeEventArgs>? Changed
        {
            add
            {
                lock (_lock)
                {
                    _changed += value;
                    _hadHandler = true;
                }
            }

            remove
            {
                bool last;
                lock (_lock)
                {
                    _changed -= value;
                    last = _changed == null && _hadHandler;
                }

                if (last)
                {
                    Detach();
                }
            }
        }

        /// <summary>The subscription's source identifier (for Get-Event, Wait-Event, Unregister-OmapiNotify).</summary>
        public string SourceIdentifier { get; }

        /// <summary>The session the watch was registered with. The watch itself uses a connection of its own.</summary>
        public OmapiSessionInfo Session { get; }

        /// <summary>The server watched.</summary>
        public string Server => Session.Core.ServerName;

        /// <summary>Seconds between two polls.</summary>
        public int IntervalSec { get; }

        /// <summary>How change is detected: always Polling on dhcpd (see <see cref="ServerNotifications"/>).</summary>
        public string Method => "Polling";

        /// <summary>What dhcpd answered when asked for real notifications (NOTIFY): dhcpd 4.4 declines with result 27.</summary>
        public string? ServerNotifications => _watcher.NotificationStatus;

        /// <summary>The watched keys, e.g. <c>lease 198.51.100.20</c>, <c>host pc1</c>.</summary>
#pragma warning disable CA1819 // A snapshot taken at registration; the array is the natural PowerShell shape.
        public string[] Watched { get; }
#pragma warning restore CA1819

        /// <summary>How many objects are watched.</summary>
        public int WatchedCount => Watched.Length;

        /// <summary>Running, Reconnecting or Stopped (by name; <see cref="GetState"/> is the value).</summary>
        public string State => _watcher.State.ToString();

        /// <summary>True while the watch polls (or reconnects).</summary>
        public bool IsRunning => _watcher.IsRunning;

        /// <summary>Why the watch stopped on its own (e.g. its session was closed); null otherwise.</summary>
        public string? StopReason => _watcher.StopReason;

        /// <summary>When the watch was registered.</summary>
        public DateTimeOffset RegisteredAt { get; }

        /// <summary>Completed polls.</summary>
        public long Polls => _watcher.Polls;

        /// <summary>When the last poll completed.</summary>
        public DateTimeOffset? LastPollAt => _watcher.LastPoll;

        /// <summary>How long the last poll took.</summary>
        public TimeSpan? LastPollDuration => _watcher.LastPollDuration;

        /// <summary>Requests the watch has sent (NOTIFY, lookups, refreshes, reconnections), on its own connection.</summary>
        public long RequestsSent => _watcher.RequestsSent;

        /// <summary>Bytes the watch has sent.</summary>
        public long BytesSent => _watcher.BytesSent;

        /// <summary>Bytes the watch has received.</summary>
        public long BytesReceived => _watcher.BytesReceived;

        /// <summary>The watch's state as a value.</summary>
        public OmapiWatcherState GetState() => _watcher.State;

        /// <inheritdoc />
        public override string ToString() => string.Format(CultureInfo.InvariantCulture, "{0}: {1} objects on {2} every {3} s ({4})", SourceIdentifier, WatchedCount, Server, IntervalSec, State);

        internal void Attach(PSEventManager events, PSEventSubscriber subscriber, RunspaceList<OmapiNotifySubscription> store)
        {
            lock (_lock)
            {
                _events = events;
                _subscriber = subscriber;
                _store = store;
            }

            store.Add(this);
        }

        /// <summary>Ends the PowerShell subscription (which detaches the handler and so stops the watch). Pipeline thread only.</summary>
        internal void Unregister()
        {
            PSEventManager? events;
            PSEventSubscriber? subscriber;
            lock (_lock)
            {
                events = _events;
                subscriber = _subscriber;
            }

            if (events != null && subscriber != null)
            {
                events.UnsubscribeEvent(subscriber);
            }

            Detach();
        }

        /// <summary>Stops the watch and forgets the subscription; any thread, idempotent.</summary>
        internal void Detach()
        {
            RunspaceList<OmapiNotifySubscription>? store;
            lock (_lock)
            {
                if (_detached)
                {
                    return;
                }

                _detached = true;
                store = _store;
            }

            _watcher.Change -= OnWatcherChange;
            _watcher.Stop();
            store?.Remove(this);
        }

        private void OnWatcherChange(object? sender, OmapiChange change)
        {
            // The event manager unregisters after -MaxTriggerCount events on a thread-pool thread; an event raised in
            // between would still be queued (with no subscriber left). Counting here makes the limit exact.
            if (_maxTriggerCount > 0 && Interlocked.Increment(ref _raised) > _maxTriggerCount)
            {
                return;
            }

            EventHandler<OmapiChangeEventArgs>? handler;
            lock (_lock)
            {
                handler = _changed;
            }

            handler?.Invoke(this, new OmapiChangeEventArgs(change, SourceIdentifier, Server));
        }
    }
}
