using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;

namespace Omapi.Core.Connection
{
    /// <summary>
    /// Admission control for one connection: the rules that keep dhcpd 4.4.3 from aborting (protocol notes s.14; the
    /// argument is in docs/design/request-lifecycle.md, "The window"). A request may be sent while nothing is in flight,
    /// or while both
    /// <list type="bullet">
    /// <item>the expected (upper-bound) reply bytes of the requests in flight are at most the budget, so that no reply dhcpd
    /// produces starts past it in its 4,047-byte output buffer, and</item>
    /// <item>the request bytes sent since the connection was last idle are at most the budget, so that no request starts past
    /// it in dhcpd's input ring, however the network cuts the byte stream into segments,</item>
    /// </list>
    /// and no reply has come back larger than its estimate since the connection was last idle (then it drains). Waiters are
    /// served first come, first served; a bulk sender's non-blocking <see cref="TryTake"/> never overtakes one. Thread-safe.
    /// </summary>
    internal sealed class SendWindow
    {
        private readonly object _lock = new object();
        private readonly LinkedList<Waiter> _waiters = new LinkedList<Waiter>();
        private readonly int _budget;
        private int _count;
        private int _expectedReplies;
        private int _sentSinceIdle;
        private bool _draining;
        private Exception? _fault;

        internal SendWindow(int budget) => _budget = budget;

        /// <summary>Requests in flight.</summary>
        internal int InFlight
        {
            get { lock (_lock) { return _count; } }
        }

        /// <summary>The expected reply bytes of the requests in flight.</summary>
        internal int ExpectedReplyBytes
        {
            get { lock (_lock) { return _expectedReplies; } }
        }

        /// <summary>Request bytes sent since the connection was last idle.</summary>
        internal int SentSinceIdle
        {
            get { lock (_lock) { return _sentSinceIdle; } }
        }

        /// <summary>Takes room now if the rules allow it and nobody waits; never waits.</summary>
        [MethodImpl(HotPath.Optimize)]
        internal bool TryTake(int requestBytes, int expectedReply)
        {
            lock (_lock)
            {
                if (_fault != null || _waiters.Count != 0 || !Fits())
                {
                    return false;
                }

                Take(requestBytes, expectedReply);
                return true;
            }
        }

        /// <summary>
        /// Waits on the calling thread until the request may be sent, then takes its room and returns the reply estimate it
        /// took (given back by <see cref="Release"/>); -1 when the deadline passed first. Cancelling throws
        /// OperationCanceledException; a closed connection throws its reason.
        /// </summary>
        internal int Take(int requestBytes, Func<int> expectedReply, long deadline, CancellationToken cancellationToken)
        {
            if (TakeOrQueue(requestBytes, expectedReply, synchronous: true, out Waiter? waiter) is int taken)
            {
                return taken;
            }

            try
            {
                int wait = Deadlines.MillisecondsUntil(deadline);
                if (!waiter.Event!.Wait(wait, cancellationToken))
                {
                    return CancelOrGranted(waiter) ? waiter.ExpectedTaken : -1;
                }
            }
            catch (OperationCanceledException)
            {
                if (CancelOrGranted(waiter))
                {
                    Release(waiter.ExpectedTaken, surprise: false); // granted just now: give the room back
                }

                throw;
            }

            return waiter.Fault == null ? waiter.ExpectedTaken : throw waiter.Fault;
        }

        /// <summary>Like <see cref="Take(int, Func{int}, long, CancellationToken)"/>, asynchronously.</summary>
        internal async Task<int> TakeAsync(int requestBytes, Func<int> expectedReply, long deadline, CancellationToken cancellationToken)
        {
            if (TakeOrQueue(requestBytes, expectedReply, synchronous: false, out Waiter? waiter) is int taken)
            {
                return taken;
            }

            using var timer = new CancellationTokenSource(Deadlines.MillisecondsUntil(deadline));
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(timer.Token, cancellationToken);
            using (linked.Token.Register(static w => ((Waiter)w!).Completion!.TrySetCanceled(), waiter))
            {
                try
                {
                    await waiter.Completion!.Task.ConfigureAwait(false);
                    return waiter.ExpectedTaken;
                }
                catch (OperationCanceledException)
                {
                    if (CancelOrGranted(waiter))
                    {
                        if (!cancellationToken.IsCancellationRequested)
                        {
                            return waiter.ExpectedTaken; // granted as the deadline passed: use it
                        }

                        Release(waiter.ExpectedTaken, surprise: false);
                    }

                    cancellationToken.ThrowIfCancellationRequested();
                    return -1; // the deadline passed
                }
            }
        }

        /// <summary>Takes room now if the rules allow and nobody waits (returns the estimate taken); else queues a waiter.</summary>
        private int? TakeOrQueue(int requestBytes, Func<int> expectedReply, bool synchronous, out Waiter waiter)
        {
            lock (_lock)
            {
                if (_fault != null)
                {
                    throw _fault;
                }

                if (_waiters.Count == 0 && Fits())
                {
                    int expected = expectedReply();
                    Take(requestBytes, expected);
                    waiter = null!;
                    return expected;
                }

                waiter = new Waiter(requestBytes, expectedReply, synchronous);
                waiter.Node = _waiters.AddLast(waiter);
                return null;
            }
        }

        /// <summary>
        /// A reply came (or a request that took room was never sent): returns its room. A reply larger than its estimate
        /// (<paramref name="surprise"/>) makes the connection drain: nothing more is sent until it is idle.
        /// </summary>
        [MethodImpl(HotPath.Optimize)]
        internal void Release(int expectedReply, bool surprise)
        {
            List<Waiter>? granted;
            lock (_lock)
            {
                _count--;
                _expectedReplies -= expectedReply;
                _draining |= surprise;
                if (_count == 0)
                {
                    // Idle: every request sent has been consumed by dhcpd and answered, so its input and output buffers are
                    // empty and freed; the next request starts a fresh one.
                    _sentSinceIdle = 0;
                    _expectedReplies = 0;
                    _draining = false;
                }

                granted = Pump();
            }

            Signal(granted);
        }

        /// <summary>Fails every waiter and every later take (the connection is gone).</summary>
        internal void Fail(Exception fault)
        {
            List<Waiter> failed;
            lock (_lock)
            {
                _fault ??= fault;
                failed = new List<Waiter>(_waiters);
                _waiters.Clear();
            }

            foreach (Waiter w in failed)
            {
                w.Fault = fault;
                w.Event?.Set();
                w.Completion?.TrySetException(fault);
            }
        }

        private bool Fits() => _count == 0 || (!_draining && _expectedReplies <= _budget && _sentSinceIdle <= _budget);

        private void Take(int requestBytes, int expectedReply)
        {
            _count++;
            _expectedReplies += expectedReply;
            _sentSinceIdle += requestBytes;
        }

        [MethodImpl(HotPath.Optimize)]
        private List<Waiter>? Pump()
        {
            List<Waiter>? granted = null;
            while (_waiters.First is LinkedListNode<Waiter> first && Fits())
            {
                _waiters.RemoveFirst();
                Waiter w = first.Value;
                w.ExpectedTaken = w.ExpectedReply(); // estimated now: estimates only grow while a request waits
                Take(w.RequestBytes, w.ExpectedTaken);
                w.Granted = true;
                (granted ??= new List<Waiter>()).Add(w);
            }

            return granted;
        }

        [MethodImpl(HotPath.Optimize)]
        private static void Signal(List<Waiter>? granted)
        {
            if (granted == null)
            {
                return;
            }

            foreach (Waiter w in granted)
            {
                w.Event?.Set();
                w.Completion?.TrySetResult(true);
            }
        }

        /// <summary>Removes a waiter that gave up; true when it had been granted meanwhile (its room must be returned).</summary>
        private bool CancelOrGranted(Waiter waiter)
        {
            List<Waiter>? granted = null;
            lock (_lock)
            {
                if (waiter.Granted)
                {
                    return true;
                }

                if (waiter.Node?.List != null)
                {
                    _waiters.Remove(waiter.Node);
                    granted = Pump(); // it may have been holding up smaller ones behind it
                }
            }

            Signal(granted);
            if (waiter.Fault != null)
            {
                throw waiter.Fault;
            }

            return false;
        }

        private sealed class Waiter
        {
            internal Waiter(int requestBytes, Func<int> expectedReply, bool synchronous)
            {
                RequestBytes = requestBytes;
                ExpectedReply = expectedReply;
                if (synchronous)
                {
                    Event = new ManualResetEventSlim(false);
                }
                else
                {
                    Completion = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
                }
            }

            internal int RequestBytes { get; }

            internal Func<int> ExpectedReply { get; }

            internal int ExpectedTaken { get; set; }

            internal bool Granted { get; set; }

            internal Exception? Fault { get; set; }

            internal LinkedListNode<Waiter>? Node { get; set; }

            internal ManualResetEventSlim? Event { get; }

            internal TaskCompletionSource<bool>? Completion { get; }
        }
    }

    /// <summary>Deadlines as <see cref="System.Diagnostics.Stopwatch"/> timestamps (monotonic; TickCount wraps).</summary>
    internal static class Deadlines
    {
        internal static long Now => System.Diagnostics.Stopwatch.GetTimestamp();

        internal static long After(TimeSpan span) => Now + (long)(Math.Min(span.TotalSeconds, int.MaxValue / 1000.0) * System.Diagnostics.Stopwatch.Frequency);

        internal static int MillisecondsUntil(long deadline)
        {
            long ticks = deadline - Now;
            return ticks <= 0 ? 0 : (int)Math.Min(int.MaxValue - 1, (ticks * 1000 / System.Diagnostics.Stopwatch.Frequency) + 1);
        }
    }
}
