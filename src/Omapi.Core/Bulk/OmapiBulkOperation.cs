using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;
using Omapi.Core.Connection;
using Omapi.Core.Protocol;

namespace Omapi.Core.Bulk
{
    /// <summary>
    /// Many requests in flight over several connections of one session, each connection within its send window (protocol
    /// notes s.14), with results streamed back in input order. For reads only: a request whose reply is lost with its
    /// connection is simply asked again.
    /// </summary>
    /// <remarks>
    /// No task per request: each connection's reader hands a reply to a callback, which records the result, and refills
    /// that connection's window once per read. Input is taken lazily (an enumerable is read only as room frees up, or keys
    /// are pushed with <see cref="Add"/>), and at most <see cref="OmapiBulkOptions.MaxBuffered"/> items exist between input
    /// and consumer, so memory stays flat for any input size. A failed item carries its error and fails nothing else. A
    /// lost connection fails nothing: its unanswered items are asked again on the other connections while the session
    /// re-opens it. Only when no connection can be re-opened (or one item has been in flight on
    /// <see cref="MaxAttempts"/> lost connections) does the operation end, with one exception that says how far it got.
    /// Thread-safe; one consumer.
    /// </remarks>
    public sealed partial class OmapiBulkOperation<TKey, TValue> : IDisposable
    {
        /// <summary>How many lost connections one item may be in flight on before the operation gives up.</summary>
        public const int MaxAttempts = 3;

        private readonly object _gate = new object();
        private readonly Slot[] _slots;
        private readonly Func<int, CancellationToken, Task<OmapiConnection>> _reconnect;
        private readonly Func<TKey, OmapiRequest> _makeRequest;
        private readonly Func<TKey, OmapiMessage, TValue> _interpret;
        private readonly IEnumerator<TKey>? _pull;
        private readonly ConcurrentQueue<TKey> _pushed = new ConcurrentQueue<TKey>();
        private readonly LinkedList<Item> _retry = new LinkedList<Item>();
        // Items, not result structs, on their way out: generic code over a class is shared, over a struct it is compiled
        // again for it, and a first scan would run these collections unoptimised (docs/performance.md).
        private readonly BlockingCollection<Item> _output = new BlockingCollection<Item>();
        private readonly Dictionary<long, Item> _reorder = new Dictionary<long, Item>();
        private readonly CancellationTokenSource _stopping = new CancellationTokenSource();
        private readonly TaskCompletionSource<bool> _completed = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly CancellationTokenRegistration _cancellation;
        private readonly int _maxBuffered;
        private bool _pushCompleted;
        private bool _sourceDone;
        private bool _stopped;
        private long _nextSeq;
        private long _nextEmit;
        private long _taken;
        private long _answered;
        private long _lostConnections;
        private Exception? _terminal;
        private ExceptionDispatchInfo? _sourceFault;

        internal OmapiBulkOperation(
            OmapiConnection?[] connections,
            Func<int, CancellationToken, Task<OmapiConnection>> reconnect,
            IEnumerable<TKey>? keys,
            Func<TKey, OmapiRequest> makeRequest,
            Func<TKey, OmapiMessage, TValue> interpret,
            OmapiBulkOptions options,
            CancellationToken cancellationToken)
        {
            _reconnect = reconnect;
            _makeRequest = makeRequest;
            _interpret = interpret;
            _pull = keys?.GetEnumerator();
            _maxBuffered = Math.Max(1, options.MaxBuffered);
            _slots = new Slot[connections.Length];
            for (int i = 0; i < connections.Length; i++)
            {
                _slots[i] = new Slot(this, i, connections[i]);
            }

            _cancellation = cancellationToken.Register(() => Stop(new OperationCanceledException(cancellationToken)));
            foreach (Slot slot in _slots)
            {
                slot.Attach();
            }

            PumpAll();
            foreach (Slot slot in _slots)
            {
                slot.OpenIfClosed(); // a connection not open yet joins when it is
            }
        }

        /// <summary>Items issued so far.</summary>
        public long Issued
        {
            get { lock (_gate) { return _nextSeq; } }
        }

        /// <summary>
        /// Completes when every result is ready to take, or the operation ended early (then <see cref="Take"/> throws after
        /// the results it has): an async consumer awaits it instead of blocking a thread in <see cref="Take"/>. With
        /// <see cref="OmapiBulkOptions.MaxBuffered"/> not above the number of keys it completes only as results are taken.
        /// </summary>
        public Task Completion => _completed.Task;

        /// <summary>Connections lost (and re-opened, or given up) while the operation ran.</summary>
        public long LostConnections => Interlocked.Read(ref _lostConnections);

        /// <summary>Adds a key (push mode: the operation was started without an input sequence). Sends at once if there is room.</summary>
        public void Add(TKey key)
        {
            if (_pull != null)
            {
                throw new InvalidOperationException("This bulk operation reads its keys from a sequence.");
            }

            _pushed.Enqueue(key);
            PumpAll();
        }

        /// <summary>Says no more keys will be added (push mode).</summary>
        public void CompleteAdding()
        {
            lock (_gate)
            {
                _pushCompleted = true;
            }

            PumpAll();
            lock (_gate)
            {
                CompleteIfDone();
            }
        }

        /// <summary>Takes the next result in input order without waiting; false when none is ready.</summary>
        [MethodImpl(HotPath.Optimize)]
        public bool TryTake(out OmapiBulkResult<TKey, TValue> result)
        {
            if (_output.TryTake(out Item? item))
            {
                result = item.Result();
                Taken();
                return true;
            }

            result = default;
            return false;
        }

        /// <summary>
        /// Waits for the next result in input order; false when every result has been taken. Throws
        /// <see cref="OperationCanceledException"/> when the operation or <paramref name="cancellationToken"/> was cancelled;
        /// after the last result it emitted, the exception that ended it early (no connection could be re-opened), or the
        /// exception the input sequence threw.
        /// </summary>
        [MethodImpl(HotPath.Optimize)]
        public bool Take(out OmapiBulkResult<TKey, TValue> result, CancellationToken cancellationToken = default)
        {
            Item? item;
            try
            {
                _output.TryTake(out item, Timeout.Infinite, cancellationToken);
            }
            catch (InvalidOperationException)
            {
                item = null; // completed while waiting
            }

            if (item != null)
            {
                result = item.Result();
                Taken();
                return true;
            }

            result = default;
            Exception? terminal;
            lock (_gate)
            {
                terminal = _terminal;
            }

            if (terminal != null)
            {
                ExceptionDispatchInfo.Capture(terminal).Throw();
            }

            _sourceFault?.Throw(); // after every item the sequence did give
            return false;
        }

        /// <summary>All results, in input order, as they arrive (blocking enumeration).</summary>
        public IEnumerable<OmapiBulkResult<TKey, TValue>> Results(CancellationToken cancellationToken = default)
        {
            while (Take(out OmapiBulkResult<TKey, TValue> result, cancellationToken))
            {
                yield return result;
            }
        }

        /// <summary>
        /// Stops issuing requests; replies still in flight are dropped by the connections when they come. Waits for the
        /// connections the operation was still opening (normally a round trip or two; at most their connect time limit), so
        /// that nothing it started is still under way, and the session's state is settled, when it returns.
        /// </summary>
        public void Dispose()
        {
            Stop(new OperationCanceledException("The bulk operation was disposed."));
            foreach (Slot slot in _slots)
            {
                slot.Detach();
            }

            foreach (Slot slot in _slots)
            {
                slot.Opening.GetAwaiter().GetResult();
            }

            _cancellation.Dispose();
            _pull?.Dispose();
        }

        [MethodImpl(HotPath.Optimize)]
        private void Taken()
        {
            bool wasFull;
            lock (_gate)
            {
                wasFull = _nextSeq - _taken >= _maxBuffered;
                _taken++;
            }

            if (wasFull)
            {
                PumpAll();
            }
        }

        private void PumpAll()
        {
            foreach (Slot slot in _slots)
            {
                slot.Pump();
            }

            lock (_gate)
            {
                CompleteIfDone();
            }
        }

        /// <summary>The next item to send: one to ask again first, then new input within the buffer limit. Under the lock.</summary>
        [MethodImpl(HotPath.Optimize)]
        private Item? NextItem()
        {
            if (_stopped)
            {
                return null;
            }

            if (_retry.First is LinkedListNode<Item> again)
            {
                _retry.RemoveFirst();
                return again.Value;
            }

            while (_nextSeq - _taken < _maxBuffered && TryNextKey(out TKey key))
            {
                long seq = _nextSeq++;
                try
                {
                    return new Item(seq, key, _makeRequest(key));
                }
#pragma warning disable CA1031 // A key that cannot become a request (e.g. an IPv6 address) fails only itself.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    Record(new Item(seq, key, null) { Error = ex });
                }
            }

            return null;
        }

        [MethodImpl(HotPath.Optimize)]
        private bool TryNextKey(out TKey key)
        {
            if (_sourceDone)
            {
                key = default!;
                return false;
            }

            if (_pull != null)
            {
                try
                {
                    if (_pull.MoveNext())
                    {
                        key = _pull.Current;
                        return true;
                    }
                }
#pragma warning disable CA1031 // The caller's sequence failed: its items so far finish, then Take throws its exception.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    // This runs on whichever thread refills a window (often a connection's reader): letting it escape would
                    // take that connection down.
                    _sourceFault = ExceptionDispatchInfo.Capture(ex);
                }

                _sourceDone = true;
                key = default!;
                return false;
            }

            if (_pushed.TryDequeue(out key!))
            {
                return true;
            }

            if (_pushCompleted && _pushed.IsEmpty)
            {
                _sourceDone = true;
            }

            return false;
        }

        [MethodImpl(HotPath.Optimize)]
        private void OnReply(Slot slot, OmapiConnection connection, Item item, OmapiMessage? reply, Exception? error)
        {
            if (error is OmapiException { ReplyLost: true })
            {
                // Its connection went away (closed, reset, timed out, or sent something invalid about another request):
                // the question is asked again elsewhere. A read changes nothing, so asking twice is harmless.
                slot.Lost(connection, error);
                return;
            }

            TValue? value = default;
            if (error == null)
            {
                try
                {
                    value = _interpret(item.Key, reply!);
                }
#pragma warning disable CA1031 // A STATUS error, a value that does not parse or a reply that does not match fails only this item.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    error = ex;
                }
            }

            lock (_gate)
            {
                if (slot.Outstanding.Remove(item.Seq))
                {
                    item.Value = value;
                    item.Error = error;
                    Record(item);
                }
            }
        }

        private long Answered => Interlocked.Read(ref _answered);

        /// <summary>Stores a result and emits every result now contiguous with the ones already emitted. Under the lock.</summary>
        [MethodImpl(HotPath.Optimize)]
        private void Record(Item item)
        {
            if (_stopped)
            {
                return;
            }

            Interlocked.Increment(ref _answered);
            _reorder[item.Seq] = item;
            while (_reorder.TryGetValue(_nextEmit, out Item? next))
            {
                _reorder.Remove(_nextEmit);
                _output.Add(next);
                _nextEmit++;
            }

            CompleteIfDone();
        }

        /// <summary>Completes the output once the input is exhausted and every issued item is emitted. Under the lock.</summary>
        [MethodImpl(HotPath.Optimize)]
        private void CompleteIfDone()
        {
            if (_output.IsAddingCompleted)
            {
                return;
            }

            if (!_sourceDone && _pull == null && _pushCompleted && _pushed.IsEmpty)
            {
                _sourceDone = true;
            }

            if (_stopped || (_sourceDone && _nextEmit == _nextSeq && _retry.Count == 0))
            {
                _output.CompleteAdding();
                _completed.TrySetResult(true);
            }
        }

        /// <summary>Ends the operation early: results emitted so far stay; Take throws <paramref name="reason"/> after them.</summary>
        private void Terminate(Exception reason)
        {
            lock (_gate)
            {
                if (_stopped || _output.IsAddingCompleted)
                {
                    return; // stopped already, or every result is in: nothing was left undone
                }
            }

            Stop(reason);
        }

        /// <summary>Stops issuing; Take returns what was emitted, then throws <paramref name="reason"/>.</summary>
        private void Stop(Exception reason)
        {
            lock (_gate)
            {
                if (_stopped)
                {
                    return;
                }

                _stopped = true;
                _terminal ??= reason;
                _reorder.Clear();
                _retry.Clear();
                CompleteIfDone();
            }

            _stopping.Cancel();
        }

        /// <summary>When every connection is gone for good, the operation ends with the last reason.</summary>
        private void CheckAllDead(Exception reason)
        {
            lock (_gate)
            {
                foreach (Slot s in _slots)
                {
                    if (!s.IsDead)
                    {
                        return;
                    }
                }
            }

            Terminate(new OmapiConnectionException(
                string.Format(CultureInfo.InvariantCulture, "The connection to dhcpd was lost and could not be re-opened: {0} The bulk operation stopped after {1} of {2} items; results already returned are valid.", reason.Message, Answered, Issued),
                reason));
        }

        private static string Describe(Item item) => item.Request.Description == item.Request.ReplyKind ? item.Request.Description + " " + item.Key : item.Request.Description;
    }
}
