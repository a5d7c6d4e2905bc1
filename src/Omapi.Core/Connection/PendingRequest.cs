using System;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using Omapi.Core.Protocol;

namespace Omapi.Core.Connection
{
    /// <summary>
    /// A request that was written and waits for its reply. It ends exactly once: answered, or failed (its connection closed or
    /// timed out, or its reply did not verify). Whoever waits is told in one of three ways: a blocked thread is woken
    /// (<see cref="Kind.Blocking"/>), a task completes (<see cref="Kind.Task"/>), or a callback runs on the connection's
    /// reader thread (<see cref="Kind.Callback"/>, for bulk work).
    /// </summary>
    internal sealed class PendingRequest
    {
        private readonly Action<OmapiMessage?, Exception?>? _callback;
        private readonly ManualResetEventSlim? _event;
        private readonly TaskCompletionSource<OmapiMessage>? _task;
        private OmapiMessage? _reply;
        private Exception? _error;
        private int _ended;

        private PendingRequest(OmapiRequest request, Kind kind, Action<OmapiMessage?, Exception?>? callback)
        {
            Request = request;
            switch (kind)
            {
                case Kind.Blocking:
                    _event = new ManualResetEventSlim(false, spinCount: 1);
                    break;
                case Kind.Task:
                    _task = new TaskCompletionSource<OmapiMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
                    break;
                default:
                    _callback = callback;
                    break;
            }
        }

        internal enum Kind
        {
            Blocking,
            Task,
            Callback,
        }

        internal static PendingRequest Blocking(OmapiRequest request) => new PendingRequest(request, Kind.Blocking, null);

        internal static PendingRequest ForTask(OmapiRequest request) => new PendingRequest(request, Kind.Task, null);

        internal static PendingRequest WithCallback(OmapiRequest request, Action<OmapiMessage?, Exception?> callback) => new PendingRequest(request, Kind.Callback, callback);

        internal OmapiRequest Request { get; }

        /// <summary>The id the connection gave it.</summary>
        internal uint Id { get; set; }

        /// <summary>Its encoded size.</summary>
        internal int RequestBytes { get; set; }

        /// <summary>The reply size the window assumed.</summary>
        internal int ExpectedReply { get; set; }

        /// <summary>When it times out (a <see cref="Deadlines"/> timestamp).</summary>
        internal long Deadline { get; set; }

        /// <summary>How long it was allowed, for the timeout message.</summary>
        internal TimeSpan Timeout { get; set; }

        /// <summary>The task of a <see cref="Kind.Task"/> request.</summary>
        internal Task<OmapiMessage> Task => _task!.Task;

        internal bool HasEnded => Volatile.Read(ref _ended) != 0;

        /// <summary>Why it failed (null while it waits or when it was answered).</summary>
        internal Exception? Error => _error;

        [MethodImpl(HotPath.Optimize)]
        internal void Succeed(OmapiMessage reply)
        {
            if (Interlocked.Exchange(ref _ended, 1) != 0)
            {
                return;
            }

            _reply = reply;
            if (_callback != null)
            {
                _callback(reply, null);
            }
            else if (_task != null)
            {
                _task.TrySetResult(reply);
            }
            else
            {
                _event!.Set();
            }
        }

        internal void Fail(Exception error)
        {
            if (Interlocked.Exchange(ref _ended, 1) != 0)
            {
                return;
            }

            _error = error;
            if (_callback != null)
            {
                _callback(null, error);
            }
            else if (_task != null)
            {
                _task.TrySetException(error);
            }
            else
            {
                _event!.Set();
            }
        }

        /// <summary>
        /// Blocks until the request ends or <paramref name="deadline"/> passes (false) or the token is cancelled (throws).
        /// The reply, or the failure, is then read with <see cref="Result"/>.
        /// </summary>
        internal bool Wait(long deadline, CancellationToken cancellationToken) => _event!.Wait(Deadlines.MillisecondsUntil(deadline), cancellationToken);

        /// <summary>The reply of an ended blocking request, or its failure thrown.</summary>
        internal OmapiMessage Result() => _error == null ? _reply! : throw _error;
    }
}
