using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Net.Sockets;
using System.Runtime.ExceptionServices;
using System.Threading;
using Omapi.Core.Connection;
using Omapi.Core.Protocol;

namespace Omapi.Core.Bulk
{
    /// <summary>
    /// Many requests in flight over several connections of one session, each connection within its byte budget
    /// (protocol notes s.14), with results streamed back in input order.
    /// </summary>
    /// <remarks>
    /// No task per request: each connection's read loop hands a reply to <see cref="OnReply"/>, which records the
    /// result and immediately refills that connection's window from the input. Input is taken lazily (an enumerable is
    /// read only as room frees up, or keys are pushed with <see cref="Add"/>), and at most
    /// <see cref="OmapiBulkOptions.MaxBuffered"/> items exist between input and consumer, so memory stays flat for any
    /// input size. A failed item carries its error and fails nothing else; a lost connection fails only its own
    /// outstanding items, and the rest continue on the other connections. Thread-safe; one consumer.
    /// </remarks>
    public sealed class OmapiBulkOperation<TKey, TValue> : IDisposable
    {
        private readonly object _gate = new object();
        private readonly OmapiConnection[] _connections;
        private readonly bool[] _dead;
        private readonly long[] _lastProgress;
        private readonly int[] _outstandingPerConnection;
        private readonly Func<TKey, OmapiRequest> _makeRequest;
        private readonly Func<TKey, OmapiMessage, TValue> _interpret;
        private readonly IEnumerator<TKey>? _pull;
        private readonly ConcurrentQueue<TKey> _pushed = new ConcurrentQueue<TKey>();
        private readonly BlockingCollection<OmapiBulkResult<TKey, TValue>> _output = new BlockingCollection<OmapiBulkResult<TKey, TValue>>();
        private readonly Dictionary<long, OmapiBulkResult<TKey, TValue>> _reorder = new Dictionary<long, OmapiBulkResult<TKey, TValue>>();
        private readonly int _maxBuffered;
        private readonly TimeSpan _stallTimeout;
        private readonly Timer _watchdog;
        private readonly CancellationTokenRegistration _cancellation;
        private readonly Action[] _readBatchHandlers;
        private readonly bool _drive;
        private readonly List<OmapiConnection> _driving = new List<OmapiConnection>();
        private readonly List<Socket> _readable = new List<Socket>();
        private int _lastDriveTick = Environment.TickCount;
        private int _detached;

        /// <summary>A driving consumer that has not polled for this long is away (it polls in 20 ms slices while it waits).</summary>
        private const int ConsumerAwayMs = 100;
        private (long Seq, TKey Key, OmapiRequest Request)? _stash;
        private bool _pushCompleted;
        private bool _sourceDone;
        private bool _stopped;
        private long _nextSeq;
        private long _nextEmit;
        private long _taken;
        private long _outstanding;
        private Exception? _allDeadReason;
        private ExceptionDispatchInfo? _sourceFault;

        internal OmapiBulkOperation(
            OmapiConnection[] connections,
            IEnumerable<TKey>? keys,
            Func<TKey, OmapiRequest> makeRequest,
            Func<TKey, OmapiMessage, TValue> interpret,
            OmapiBulkOptions options,
            TimeSpan defaultTimeout,
            CancellationToken cancellationToken)
        {
            _connections = connections;
            _dead = new bool[connections.Length];
            _lastProgress = new long[connections.Length];
            _outstandingPerConnection = new int[connections.Length];
            _makeRequest = makeRequest;
            _interpret = interpret;
            _pull = keys?.GetEnumerator();
            _maxBuffered = Math.Max(1, options.MaxBuffered);
            _stallTimeout = options.StallTimeout ?? defaultTimeout;
            _watchdog = new Timer(_ => CheckStalls(), null, 500, 500);
            _readBatchHandlers = new Action[connections.Length];
            for (int i = 0; i < connections.Length; i++)
            {
                int index = i;
                _readBatchHandlers[i] = () => Pump(index);
                connections[i].ReadBatchCompleted += _readBatchHandlers[i];
            }

            // Before the first request: a driven connection must not start its own read loop for our replies.
            _drive = options.ReadOnConsumerThread;
            if (_drive)
            {
                foreach (OmapiConnection connection in connections)
                {
                    connection.AttachDriver();
                }
            }

            _cancellation = cancellationToken.Register(() => Stop(new OperationCanceledException(cancellationToken)));
            PumpAll();
        }

        /// <summary>Items issued so far.</summary>
        public long Issued
        {
            get { lock (_gate) { return _nextSeq; } }
        }

        /// <summary>
        /// Adds a key (push mode: the operation was started without an input sequence). Sends at once if there is room.
        /// </summary>
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
        public bool TryTake(out OmapiBulkResult<TKey, TValue> result)
        {
            bool got = _output.TryTake(out result);
            if (!got && _drive)
            {
                // Read whatever has arrived, without waiting.
                Drive(0);
                got = _output.TryTake(out result);
            }

            if (got)
            {
                Taken();
            }

            return got;
        }

        /// <summary>
        /// Waits for the next result in input order; false when every result has been taken. Throws
        /// <see cref="OperationCanceledException"/> when the operation or <paramref name="cancellationToken"/> was cancelled,
        /// and, after the results of every key it gave, the exception the input sequence threw, if it threw one.
        /// </summary>
        public bool Take(out OmapiBulkResult<TKey, TValue> result, CancellationToken cancellationToken = default)
        {
            bool got;
            try
            {
                got = _drive ? TakeDriving(out result, cancellationToken) : _output.TryTake(out result, Timeout.Infinite, cancellationToken);
            }
            catch (InvalidOperationException)
            {
                result = default;
                got = false; // completed while waiting
            }

            if (got)
            {
                Taken();
                return true;
            }

            lock (_gate)
            {
                if (_allDeadReason is OperationCanceledException canceled)
                {
                    throw canceled;
                }
            }

            _sourceFault?.Throw(); // after every item the sequence did give
            return false;
        }

        /// <summary>
        /// Take for <see cref="OmapiBulkOptions.ReadOnConsumerThread"/>: while no result is ready, this thread reads the
        /// connections itself (poll over their sockets in short slices, so cancellation is seen within milliseconds).
        /// </summary>
        private bool TakeDriving(out OmapiBulkResult<TKey, TValue> result, CancellationToken cancellationToken)
        {
            while (true)
            {
                if (_output.TryTake(out result))
                {
                    return true;
                }

                if (_output.IsCompleted)
                {
                    return false;
                }

                cancellationToken.ThrowIfCancellationRequested();
                if (!Drive(20))
                {
                    // Someone else reads every live connection (or none is left): wait for their results, in slices.
                    if (_output.TryTake(out result, 20, cancellationToken))
                    {
                        return true;
                    }
                }
            }
        }

        /// <summary>
        /// Polls the sockets of the connections nobody else is reading, for up to <paramref name="timeoutMs"/>, and reads and
        /// dispatches what arrived (replies become results, and each read refills its connection's window). False when there
        /// was no connection to read. Consumer thread only.
        /// </summary>
        private bool Drive(int timeoutMs)
        {
            int now = Environment.TickCount;
            if (unchecked(now - Volatile.Read(ref _lastDriveTick)) > ConsumerAwayMs)
            {
                // Back after a while elsewhere: replies unread meanwhile were not the server's silence.
                lock (_gate)
                {
                    for (int i = 0; i < _lastProgress.Length; i++)
                    {
                        _lastProgress[i] = now;
                    }
                }
            }

            Volatile.Write(ref _lastDriveTick, now);
            _driving.Clear();
            _readable.Clear();
            for (int i = 0; i < _connections.Length; i++)
            {
                if (_connections[i].TryBeginDrive())
                {
                    _driving.Add(_connections[i]);
                    _readable.Add(_connections[i].Socket);
                }
            }

            if (_driving.Count == 0)
            {
                return false;
            }

            try
            {
                try
                {
                    Socket.Select(_readable, null, null, timeoutMs * 1000);
                }
                catch (Exception ex) when (ex is ObjectDisposedException || ex is SocketException)
                {
                    // A connection was closed meanwhile (e.g. by the stall watchdog); its items have failed. Look again.
                    _readable.Clear();
                }

                foreach (OmapiConnection connection in _driving)
                {
                    if (_readable.Contains(connection.Socket))
                    {
                        connection.ReadAvailable();
                    }
                }
            }
            finally
            {
                foreach (OmapiConnection connection in _driving)
                {
                    connection.EndDrive();
                }
            }

            return true;
        }

        /// <summary>All results, in input order, as they arrive (blocking enumeration).</summary>
        public IEnumerable<OmapiBulkResult<TKey, TValue>> Results(CancellationToken cancellationToken = default)
        {
            while (Take(out OmapiBulkResult<TKey, TValue> result, cancellationToken))
            {
                yield return result;
            }
        }

        /// <summary>Stops issuing requests; replies still in flight are discarded when they come.</summary>
        public void Dispose()
        {
            Stop(new OperationCanceledException("The bulk operation was disposed."));
            for (int i = 0; i < _connections.Length; i++)
            {
                _connections[i].ReadBatchCompleted -= _readBatchHandlers[i];
            }

            _cancellation.Dispose();
            _watchdog.Dispose();
            _pull?.Dispose();
            if (_drive && Interlocked.Exchange(ref _detached, 1) == 0)
            {
                // Replies still owed are absorbed by the connections' own read loops from now on.
                foreach (OmapiConnection connection in _connections)
                {
                    connection.DetachDriver();
                }
            }
        }

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
            for (int i = 0; i < _connections.Length; i++)
            {
                Pump(i);
            }

            lock (_gate)
            {
                FailRestIfAllDead();
                CompleteIfDone();
            }
        }

        private void Pump(int index)
        {
            OmapiConnection connection = _connections[index];
            List<BulkSend>? batch = null;
            lock (_gate)
            {
                if (!connection.IsOpen)
                {
                    _dead[index] = true;
                }

                while (!_stopped && !_dead[index] && _nextSeq - _taken < _maxBuffered + (_stash == null ? 0 : 1))
                {
                    if (_stash == null)
                    {
                        if (!TryNextKey(out TKey key))
                        {
                            break;
                        }

                        OmapiRequest request;
                        try
                        {
                            request = _makeRequest(key);
                        }
#pragma warning disable CA1031 // A key that cannot become a request (e.g. an IPv6 address) fails only itself.
                        catch (Exception ex)
#pragma warning restore CA1031
                        {
                            long failedSeq = _nextSeq++;
                            _outstanding++;
                            Record(failedSeq, key, default, ex);
                            continue;
                        }

                        _stash = (_nextSeq++, key, request);
                    }

                    (long seq, TKey stashedKey, OmapiRequest stashedRequest) = _stash.Value;
                    int requestBytes = stashedRequest.EncodedLength(connection.SignatureLength);
                    int replyBytes = connection.EstimateReplyBytes(stashedRequest.ReplyKind);
                    if (!connection.TryReserve(requestBytes, replyBytes))
                    {
                        break;
                    }

                    _stash = null;
                    _outstanding++;
                    _outstandingPerConnection[index]++;
                    if (_outstandingPerConnection[index] == 1)
                    {
                        _lastProgress[index] = Environment.TickCount;
                    }

                    batch ??= new List<BulkSend>();
                    batch.Add(new BulkSend(stashedRequest, requestBytes, replyBytes, (reply, error) => OnReply(index, seq, stashedKey, reply, error)));
                }
            }

            if (batch != null)
            {
                connection.SendReserved(batch);
            }
        }

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
                    // This runs on whichever thread refills a window (a reader's, inside a connection's dispatch): letting it
                    // escape would take that connection down, or leave the requests of a closing one unfailed.
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

        private void OnReply(int index, long seq, TKey key, OmapiMessage? reply, Exception? error)
        {
            TValue? value = default;
            if (error == null)
            {
                try
                {
                    value = _interpret(key, reply!);
                }
#pragma warning disable CA1031 // A STATUS error or an undecodable value fails only this item.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    error = ex;
                }
            }
            else if (error is OmapiConnectionException || error is OmapiProtocolException || error is OmapiTimeoutException)
            {
                lock (_gate)
                {
                    _dead[index] = true;
                }
            }

            lock (_gate)
            {
                _outstandingPerConnection[index]--;
                _lastProgress[index] = Environment.TickCount;
                Record(seq, key, value, error);
            }

            // A live connection is refilled once per read (ReadBatchCompleted), not once per reply. A lost one hands the
            // rest of the input to the live connections now.
            if (_dead[index])
            {
                PumpAll();
            }
        }

        /// <summary>Stores a result and emits every result now contiguous with the ones already emitted. Under the lock.</summary>
        private void Record(long seq, TKey key, TValue? value, Exception? error)
        {
            _outstanding--;
            if (_stopped)
            {
                return;
            }

            _reorder[seq] = new OmapiBulkResult<TKey, TValue>(seq, key, value, error);
            while (_reorder.TryGetValue(_nextEmit, out OmapiBulkResult<TKey, TValue> next))
            {
                _reorder.Remove(_nextEmit);
                _output.Add(next);
                _nextEmit++;
            }

            CompleteIfDone();
        }

        /// <summary>When no connection is left, the remaining input fails fast with the last connection's reason. Under the lock.</summary>
        private void FailRestIfAllDead()
        {
            if (_stopped || Array.IndexOf(_dead, false) >= 0)
            {
                return;
            }

            Exception reason = _allDeadReason ?? new OmapiConnectionException("Every connection of the bulk operation was lost.");
            for (int i = 0; i < _connections.Length; i++)
            {
                if (_connections[i].Fault is Exception fault)
                {
                    reason = fault;
                }
            }

            if (_stash is (long seq, TKey key, OmapiRequest _))
            {
                _stash = null;
                _outstanding++;
                Record(seq, key, default, reason);
            }

            // Within the buffer limit, like everything else: more fail as the consumer takes these.
            while (_nextSeq - _taken < _maxBuffered && TryNextKey(out TKey rest))
            {
                long restSeq = _nextSeq++;
                _outstanding++;
                Record(restSeq, rest, default, reason);
            }
        }

        /// <summary>Completes the output once the input is exhausted and every issued item is emitted. Under the lock.</summary>
        private void CompleteIfDone()
        {
            if (_output.IsAddingCompleted)
            {
                return;
            }

            if (!_sourceDone && _pull == null && _pushCompleted && _pushed.IsEmpty && _stash == null)
            {
                _sourceDone = true;
            }

            if ((_sourceDone && _stash == null && _outstanding == 0 && _reorder.Count == 0) || _stopped)
            {
                _output.CompleteAdding();
            }
        }

        private void Stop(Exception reason)
        {
            lock (_gate)
            {
                if (_stopped)
                {
                    return;
                }

                _stopped = true;
                _allDeadReason = reason;
                _reorder.Clear();
                CompleteIfDone();
            }
        }

        private void CheckStalls()
        {
            int now = Environment.TickCount;
            if (_drive && unchecked(now - Volatile.Read(ref _lastDriveTick)) > ConsumerAwayMs)
            {
                // Driven connections are read only while the consumer waits for results (it polls in 20 ms slices): time
                // it spends elsewhere is not the server's silence. Drive() restarts the clocks when it comes back.
                return;
            }

            for (int i = 0; i < _connections.Length; i++)
            {
                bool stalled;
                lock (_gate)
                {
                    stalled = !_dead[i] && _outstandingPerConnection[i] > 0 && unchecked(now - (int)_lastProgress[i]) > _stallTimeout.TotalMilliseconds;
                }

                if (stalled)
                {
                    _connections[i].Abort(new OmapiTimeoutException("bulk requests on connection " + (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), _stallTimeout));
                }
            }
        }
    }
}
