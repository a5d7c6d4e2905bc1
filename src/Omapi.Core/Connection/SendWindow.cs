using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Omapi.Core.Connection
{
    /// <summary>
    /// Admission control for one connection: a request may be sent only while the bytes of requests awaiting replies,
    /// and the expected bytes of those replies, each stay within the budget. A request alone is always admitted when
    /// nothing is in flight. Waiters are served first come, first served, so no request starves.
    /// </summary>
    internal sealed class SendWindow
    {
        private readonly object _lock = new object();
        private readonly LinkedList<Waiter> _waiters = new LinkedList<Waiter>();
        private readonly int _budget;
        private int _requestBytes;
        private int _replyBytes;
        private int _count;
        private Exception? _fault;

        internal SendWindow(int budget) => _budget = budget;

        internal int InFlight
        {
            get { lock (_lock) { return _count; } }
        }

        internal int RequestBytes
        {
            get { lock (_lock) { return _requestBytes; } }
        }

        internal int ReplyBytes
        {
            get { lock (_lock) { return _replyBytes; } }
        }

        /// <summary>Waits until the request fits. Cancelling removes the waiter; nothing stays reserved.</summary>
        internal Task AcquireAsync(int requestBytes, int replyBytes, CancellationToken cancellationToken)
        {
            Waiter waiter;
            LinkedListNode<Waiter> node;
            lock (_lock)
            {
                if (_fault != null)
                {
                    return Task.FromException(_fault);
                }

                if (_waiters.Count == 0 && Fits(requestBytes, replyBytes))
                {
                    Take(requestBytes, replyBytes);
                    return Task.CompletedTask;
                }

                waiter = new Waiter(requestBytes, replyBytes);
                node = _waiters.AddLast(waiter);
            }

            if (cancellationToken.CanBeCanceled)
            {
                waiter.Registration = cancellationToken.Register(() => Cancel(node, cancellationToken));
            }

            return waiter.Completion.Task;
        }

        /// <summary>Takes room at once when it fits and nobody is waiting; never waits. Used by the bulk pump.</summary>
        internal bool TryAcquire(int requestBytes, int replyBytes)
        {
            lock (_lock)
            {
                if (_fault != null || _waiters.Count != 0 || !Fits(requestBytes, replyBytes))
                {
                    return false;
                }

                Take(requestBytes, replyBytes);
                return true;
            }
        }

        /// <summary>Returns a request's bytes (its reply arrived, or it was never sent).</summary>
        internal void Release(int requestBytes, int replyBytes)
        {
            lock (_lock)
            {
                _requestBytes -= requestBytes;
                _replyBytes -= replyBytes;
                _count--;
                Pump();
            }
        }

        /// <summary>Fails every waiter and every later acquire (the connection is gone).</summary>
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
                w.Registration.Dispose();
                w.Completion.TrySetException(fault);
            }
        }

        private bool Fits(int requestBytes, int replyBytes) =>
            _count == 0 || (_requestBytes + requestBytes <= _budget && _replyBytes + replyBytes <= _budget);

        private void Take(int requestBytes, int replyBytes)
        {
            _requestBytes += requestBytes;
            _replyBytes += replyBytes;
            _count++;
        }

        private void Pump()
        {
            while (_waiters.First is LinkedListNode<Waiter> first && Fits(first.Value.RequestBytes, first.Value.ReplyBytes))
            {
                _waiters.RemoveFirst();
                Take(first.Value.RequestBytes, first.Value.ReplyBytes);
                first.Value.Registration.Dispose();
                first.Value.Completion.TrySetResult(true);
            }
        }

        private void Cancel(LinkedListNode<Waiter> node, CancellationToken token)
        {
            lock (_lock)
            {
                if (node.List == null)
                {
                    return; // already granted or failed
                }

                _waiters.Remove(node);
                Pump(); // the cancelled waiter may have been blocking smaller ones behind it
            }

            node.Value.Completion.TrySetCanceled(token);
        }

        private sealed class Waiter
        {
            internal Waiter(int requestBytes, int replyBytes)
            {
                RequestBytes = requestBytes;
                ReplyBytes = replyBytes;
            }

            internal int RequestBytes { get; }

            internal int ReplyBytes { get; }

            internal TaskCompletionSource<bool> Completion { get; } = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);

            internal CancellationTokenRegistration Registration { get; set; }
        }
    }
}
