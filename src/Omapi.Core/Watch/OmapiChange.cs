using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using Omapi.Core.Objects;

namespace Omapi.Core.Watch
{
    /// <summary>What happened to a watched object, or to the watch itself.</summary>
    public enum OmapiChangeKind
    {
        /// <summary>Properties of the object changed (see <see cref="OmapiChange.Changes"/>).</summary>
        Changed,
        /// <summary>
        /// The object is there now: a host was created, a lease key now resolves, or a lease left the Free state (the
        /// address was taken: active, abandoned, reserved by state ...). Every lease address has a lease object, so for
        /// leases "there" means "not free".
        /// </summary>
        Appeared,
        /// <summary>The object is gone: a host was deleted, a lease key no longer resolves, or a lease became Free.</summary>
        Disappeared,
        /// <summary>
        /// The connection to dhcpd was lost; the watcher reconnects with back-off (by default 1, 2, 4, 8, 16, 30 s, then every
        /// 30 s; <see cref="OmapiChange.Message"/> says the schedule of its options).
        /// </summary>
        ConnectionLost,
        /// <summary>Watching resumed after <see cref="ConnectionLost"/>; changes made meanwhile follow as their own events.</summary>
        Resumed,
        /// <summary>The watch ended on its own (e.g. its session was closed); nothing more will be reported.</summary>
        Stopped,
    }

    /// <summary>One property of a watched object with its value before and after.</summary>
    public sealed class OmapiPropertyChange
    {
        /// <summary>Creates the change.</summary>
        public OmapiPropertyChange(string name, object? oldValue, object? newValue)
        {
            Name = name ?? throw new ArgumentNullException(nameof(name));
            OldValue = oldValue;
            NewValue = newValue;
        }

        /// <summary>The property name as on the object (<c>State</c>, <c>Ends</c>, <c>Flags</c> ...); lease variables by their own name.</summary>
        public string Name { get; }

        /// <summary>The value before, as the object's property holds it (text, a number, a time); null when unset or when the object did not exist.</summary>
        public object? OldValue { get; }

        /// <summary>The value now (null when unset or when the object no longer exists).</summary>
        public object? NewValue { get; }

        /// <inheritdoc />
        public override string ToString() => Name + ": " + Format(OldValue) + " -> " + Format(NewValue);

        internal static string Format(object? value) => value switch
        {
            null => "(none)",
            DateTimeOffset t => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            IReadOnlyList<string> list => list.Count == 0 ? "(none)" : string.Join(",", list),
            _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty,
        };
    }

    /// <summary>One change report of a watcher.</summary>
    public sealed class OmapiChange : EventArgs
    {
        /// <summary>Creates the report.</summary>
        public OmapiChange(OmapiChangeKind kind, OmapiWatchTarget? target, string key, IOmapiObject? current, IOmapiObject? previous, IReadOnlyList<OmapiPropertyChange>? changes, string? message, long sequence)
        {
            Kind = kind;
            Target = target;
            Key = key ?? throw new ArgumentNullException(nameof(key));
            Current = current;
            Previous = previous;
            Changes = changes ?? Array.Empty<OmapiPropertyChange>();
            Message = message;
            Sequence = sequence;
            Timestamp = DateTimeOffset.UtcNow;
        }

        /// <summary>What happened.</summary>
        public OmapiChangeKind Kind { get; }

        /// <summary>The watched key (null for connection events).</summary>
        public OmapiWatchTarget? Target { get; }

        /// <summary><see cref="OmapiWatchTarget.Key"/>, or the server endpoint for connection events.</summary>
        public string Key { get; }

        /// <summary>The object as it is now (an <see cref="Objects.OmapiLease"/> or <see cref="Objects.OmapiHost"/>); null when it no longer exists.</summary>
        public IOmapiObject? Current { get; }

        /// <summary>The object as it was at the previous poll; null when it did not exist.</summary>
        public IOmapiObject? Previous { get; }

        /// <summary>The properties that differ, with old and new values (every property for an object that appeared or vanished).</summary>
        public IReadOnlyList<OmapiPropertyChange> Changes { get; }

        /// <summary>For connection events: why the connection was lost, or how watching resumed.</summary>
        public string? Message { get; }

        /// <summary>1, 2, 3 ... per watcher, in the order the changes were detected.</summary>
        public long Sequence { get; }

        /// <summary>When the change was detected (offset +00:00).</summary>
        public DateTimeOffset Timestamp { get; }

        /// <inheritdoc />
        public override string ToString()
        {
            var sb = new StringBuilder().Append(Kind).Append(' ').Append(Key);
            if (Changes.Count > 0)
            {
                sb.Append(": ").Append(string.Join("; ", Changes.Select(c => c.ToString())));
            }

            if (Message != null)
            {
                sb.Append(": ").Append(Message);
            }

            return sb.ToString();
        }
    }
}
