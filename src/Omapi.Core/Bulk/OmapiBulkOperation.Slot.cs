using System;
using System.Collections.Generic;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using Omapi.Core.Connection;

namespace Omapi.Core.Bulk
{
    // The operation's moving parts: an item of input, and a slot per connection that sends items within that connection's
    // send window and, when the connection is lost, hands its items back and has the session re-open it.
    public sealed partial class OmapiBulkOperation<TKey, TValue>
    {
        /// <summary>
        /// An item of input with its request, how many lost connections it has been in flight on, and in the end its result.
        /// </summary>
        private sealed class Item
        {
            /// <param name="seq">Its place in the input.</param>
            /// <param name="key">The key.</param>
            /// <param name="request">Its request; null for a key that could not become one (then <see cref="Error"/> says why).</param>
            internal Item(long seq, TKey key, OmapiRequest? request)
            {
                Seq = seq;
                Key = key;
                Request = request!;
            }

            internal long Seq { get; }

            internal TKey Key { get; }

            internal OmapiRequest Request { get; }

            internal int Attempts { get; set; }

            internal TValue? Value { get; set; }

            internal Exception? Error { get; set; }

            [MethodImpl(HotPath.Optimize)]
            internal OmapiBulkResult<TKey, TValue> Result() => new OmapiBulkResult<TKey, TValue>(Seq, Key, Value, Error);
        }

        /// <summary>One of the operation's connections, re-opened through the session when it is lost.</summary>
        private sealed class Slot
        {
            private readonly OmapiBulkOperation<TKey, TValue> _owner;
            private readonly int _index;
            private readonly Action _windowOpened;
            private readonly object _pumping = new object();
            private OmapiConnection? _connection;
            private bool _reconnecting;
            private bool _dead;
            private bool _detached;
            private int _pumpAgain;

            /// <summary>The slot <paramref name="index"/> of <paramref name="owner"/> on <paramref name="connection"/>, or null when that is not open yet (<see cref="OpenIfClosed"/> opens it).</summary>
            internal Slot(OmapiBulkOperation<TKey, TValue> owner, int index, OmapiConnection? connection)
            {
                _owner = owner;
                _index = index;
                _connection = connection;
                _reconnecting = connection == null;
                _windowOpened = Pump;
            }

            /// <summary>Items in flight on the current connection (under the owner's lock).</summary>
            internal Dictionary<long, Item> Outstanding { get; } = new Dictionary<long, Item>();

            internal bool IsDead => _dead;

            internal void Attach()
            {
                if (_connection != null)
                {
                    _connection.WindowOpened += _windowOpened;
                }
            }

            /// <summary>Stops listening to its connection, also to one still being opened (it is then never listened to).</summary>
            internal void Detach()
            {
                lock (_owner._gate)
                {
                    _detached = true;
                    if (_connection != null)
                    {
                        _connection.WindowOpened -= _windowOpened;
                    }
                }
            }

            /// <summary>The first open of its connection (<see cref="OpenIfClosed"/>); it never faults.</summary>
            internal Task Opening { get; private set; } = Task.CompletedTask;

            /// <summary>
            /// Opens its connection when the operation started without it. Not cancelled when the operation ends first: the
            /// connection then stays in the session's pool for the next one (<see cref="Dispose"/> waits for it).
            /// </summary>
            internal void OpenIfClosed()
            {
                if (_connection == null)
                {
                    Opening = ReconnectAsync(null);
                }
            }

            /// <summary>Sends what the window lets through, from the retry queue and the input. Any thread; never blocks.</summary>
            [MethodImpl(HotPath.Optimize)]
            internal void Pump()
            {
                // Ask for a round; whoever holds the pump (or gets it) does it. The holder looks again after letting go, so a
                // request made while it was finishing is never lost (a lost one could leave a window unfilled for good).
                Interlocked.Exchange(ref _pumpAgain, 1);
                while (Volatile.Read(ref _pumpAgain) == 1 && Monitor.TryEnter(_pumping))
                {
                    try
                    {
                        while (Interlocked.Exchange(ref _pumpAgain, 0) == 1)
                        {
                            PumpOnce();
                        }
                    }
                    finally
                    {
                        Monitor.Exit(_pumping);
                    }
                }
            }

            /// <summary>
            /// Takes items while the window has room for each and writes them together: after a read that answered k
            /// requests, the k that replace them leave in one write.
            /// </summary>
            [MethodImpl(HotPath.Optimize)]
            private void PumpOnce()
            {
                OmapiConnection connection;
                lock (_owner._gate)
                {
                    if (_reconnecting || _dead)
                    {
                        return;
                    }

                    connection = _connection!;
                }

                // New lists each round: a failed write runs callbacks that may pump this slot again on this thread.
                var reserved = new List<PendingRequest>();
                var items = new List<Item>();
                Item? refused = null;
                while (true)
                {
                    Item? item;
                    lock (_owner._gate)
                    {
                        item = _reconnecting || _dead ? null : _owner.NextItem();
                        if (item == null)
                        {
                            break;
                        }

                        Outstanding[item.Seq] = item;
                    }

                    Item sent = item;
                    PendingRequest? pending = connection.TryReserve(item.Request, [MethodImpl(HotPath.Optimize)] (reply, error) => _owner.OnReply(this, connection, sent, reply, error));
                    if (pending == null)
                    {
                        refused = item; // no room: it goes back, after the ones reserved before it
                        break;
                    }

                    reserved.Add(pending);
                    items.Add(item);
                }

                bool written = reserved.Count == 0 || connection.TrySend(reserved);
                if (written && refused == null)
                {
                    return;
                }

                lock (_owner._gate)
                {
                    // Back to the front of the retry queue in input order: the refused item last.
                    if (refused != null)
                    {
                        Outstanding.Remove(refused.Seq);
                        _owner._retry.AddFirst(refused);
                    }

                    if (!written)
                    {
                        for (int i = items.Count - 1; i >= 0; i--)
                        {
                            Outstanding.Remove(items[i].Seq);
                            _owner._retry.AddFirst(items[i]);
                        }
                    }
                }

                if (!connection.IsOpen)
                {
                    Lost(connection, connection.Fault ?? new OmapiConnectionException("The connection closed."));
                }
            }

            /// <summary>The connection is gone: its items are asked again elsewhere, and the session re-opens it.</summary>
            internal void Lost(OmapiConnection connection, Exception reason)
            {
                Item? exhausted = null;
                lock (_owner._gate)
                {
                    if (!ReferenceEquals(connection, _connection) || _reconnecting || _dead)
                    {
                        return; // this loss is known already (every request of a connection fails when it closes)
                    }

                    _reconnecting = true;
                    foreach (Item orphan in Outstanding.Values)
                    {
                        orphan.Attempts++;
                        if (orphan.Attempts >= MaxAttempts)
                        {
                            exhausted ??= orphan;
                        }

                        _owner._retry.AddFirst(orphan);
                    }

                    Outstanding.Clear();
                }

                Interlocked.Increment(ref _owner._lostConnections);
                if (exhausted != null)
                {
                    _owner.Terminate(new OmapiConnectionException(
                        string.Format(CultureInfo.InvariantCulture, "The connection to dhcpd was lost {0} times while '{1}' was being asked ({2}); the bulk operation stopped after {3} of {4} items; results already returned are valid.", exhausted.Attempts, Describe(exhausted), reason.Message, _owner.Answered, _owner.Issued),
                        reason));
                }
                connection.WindowOpened -= _windowOpened;
                foreach (Slot other in _owner._slots)
                {
                    other.Pump(); // the live ones take over the items
                }

                _ = ReconnectAsync(reason);
            }

            /// <param name="reason">Why the connection was lost; null for a first open.</param>
            private async Task ReconnectAsync(Exception? reason)
            {
                try
                {
                    OmapiConnection fresh = await _owner._reconnect(_index, reason == null ? CancellationToken.None : _owner._stopping.Token).ConfigureAwait(false);
                    lock (_owner._gate)
                    {
                        _connection = fresh;
                        _reconnecting = false;
                        if (!_detached)
                        {
                            fresh.WindowOpened += _windowOpened;
                        }
                    }

                    _owner.PumpAll();
                }
#pragma warning disable CA1031 // Any failure to (re-)open makes this slot dead; the operation ends only when all are.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    lock (_owner._gate)
                    {
                        _reconnecting = false;
                        _dead = true;
                    }

                    _owner.CheckAllDead(ex is OperationCanceledException && reason != null ? reason : ex);
                }
            }
        }
    }
}
