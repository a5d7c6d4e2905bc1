using System;
using System.Collections.Generic;
using Omapi.Core.Objects;
using Omapi.Core.Watch;

namespace PSOmapi
{
    /// <summary>
    /// What one event of Register-OmapiNotify carries, as <c>$Event.SourceEventArgs</c> (and the second element of
    /// <c>$Event.SourceArgs</c>): which object, what kind of change, and each changed property with its old and new value.
    /// </summary>
    public sealed class OmapiChangeEventArgs : EventArgs
    {
        private readonly OmapiChange _change;

        internal OmapiChangeEventArgs(OmapiChange change, string sourceIdentifier, string server)
        {
            _change = change;
            SourceIdentifier = sourceIdentifier;
            Server = server;
        }

        /// <summary>Changed, Appeared, Disappeared, ConnectionLost, Resumed or Stopped (by name; <see cref="GetKind"/> is the value).</summary>
        public string Kind => _change.Kind.ToString();

        /// <summary>
        /// The object the event is about: the lease or host as it is now (Omapi.Core.Objects.OmapiLease or OmapiHost), or
        /// as it was last seen when it no longer exists. Null for connection events.
        /// </summary>
        public IOmapiObject? Target => _change.Current ?? _change.Previous;

        /// <summary>The object as it is now; null when it no longer exists.</summary>
        public IOmapiObject? Current => _change.Current;

        /// <summary>The object as it was at the previous poll; null when it did not exist.</summary>
        public IOmapiObject? Previous => _change.Previous;

        /// <summary>The watched key, e.g. <c>lease 198.51.100.20</c> or <c>host pc1</c>; the server for connection events.</summary>
        public string Key => _change.Key;

        /// <summary>The properties that differ, each with Name, OldValue and NewValue.</summary>
        public IReadOnlyList<OmapiPropertyChange> Changes => _change.Changes;

        /// <summary>When the change was detected (offset +00:00; the default table shows it in local time).</summary>
        public DateTimeOffset Timestamp => _change.Timestamp;

        /// <summary>For ConnectionLost, Resumed and Stopped: what happened.</summary>
        public string? Message => _change.Message;

        /// <summary>1, 2, 3 ... per subscription, in detection order (events may reach the queue slightly out of order).</summary>
        public long Sequence => _change.Sequence;

        /// <summary>The subscription's source identifier.</summary>
        public string SourceIdentifier { get; }

        /// <summary>The server watched.</summary>
        public string Server { get; }

        /// <summary>What happened, as a value.</summary>
        public OmapiChangeKind GetKind() => _change.Kind;

        /// <inheritdoc />
        public override string ToString() => _change.ToString();
    }
}
