using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using Omapi.Core.Protocol;
using Omapi.Core.Security;

namespace Omapi.Core.Connection
{
    /// <summary>
    /// One TCP connection to dhcpd, shareable by any number of callers on any threads. It has exactly one reader: a thread of
    /// its own that reads from connect to close, so replies are matched by rid as they come and a server that closes is
    /// seen at once. Callers write their request under one lock and wait for its end. Requests are admitted by the send
    /// window (<see cref="OmapiConnectionOptions.WindowBytes"/>), every signed reply is verified, and a request that gets no
    /// reply in time retires the connection (it may be half-open). Any protocol violation or transport error closes the
    /// connection and fails every waiting request; the owner (<see cref="OmapiSession"/>) opens a new one.
    /// See docs/design/request-lifecycle.md.
    /// </summary>
    public sealed partial class OmapiConnection : IDisposable
    {
        private static readonly byte[] AuthenticatorType = OmapiEncoding.FromString("authenticator");

        private readonly OmapiConnectionOptions _options;
        private readonly Socket _socket;
        private readonly OmapiChannel _channel;
        private readonly object _writeGate = new object();
        private readonly TaskCompletionSource<Exception> _closed = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly Thread _reader;

        private OmapiConnection(OmapiConnectionOptions options, Socket socket, int extraHeaderBytes, ReplySizes sizes)
        {
            _options = options;
            _socket = socket;
            _channel = new OmapiChannel(options.Endpoint, options.WindowBytes, extraHeaderBytes, options.MaxMessageSize, sizes, options.ResultNumbering);
            _reader = new Thread(ReadLoop) { IsBackground = true, Name = "OMAPI reader " + options.Endpoint };
        }

        /// <summary>The server endpoint, "server:port".</summary>
        public string Endpoint => _options.Endpoint;

        /// <summary>True until the connection is closed or faulted.</summary>
        public bool IsOpen => !_closed.Task.IsCompleted;

        /// <summary>Why the connection closed (null while open).</summary>
        public Exception? Fault => _closed.Task.IsCompleted ? _closed.Task.Result : null;

        /// <summary>Completes with the reason when the connection closes (at once: the connection is always read).</summary>
        public Task<Exception> Closed => _closed.Task;

        /// <summary>True when messages are signed (an authenticator is open).</summary>
        public bool IsAuthenticated => _channel.AuthId != 0;

        /// <summary>The server-side handle of our authenticator (0 when unauthenticated).</summary>
        public uint AuthenticatorHandle => _channel.AuthId;

        /// <summary>Requests waiting for replies.</summary>
        public int InFlight => _channel.Pending;

        /// <summary>Requests sent on this connection.</summary>
        public long RequestsSent => _channel.RequestsSent;

        /// <summary>Replies received on this connection.</summary>
        public long RepliesReceived => _channel.RepliesReceived;

        /// <summary>Bytes written, intro included.</summary>
        public long BytesSent => _channel.BytesSent;

        /// <summary>Bytes read, intro included.</summary>
        public long BytesReceived => _channel.BytesReceived;

        /// <summary>Replies that were larger than the window assumed (the connection then drained before sending more).</summary>
        public long Surprises => _channel.Surprises;

        /// <summary>The signature length this connection adds to each request (0 when unauthenticated).</summary>
        internal int SignatureLength => _channel.SignatureLength;

        /// <summary>The window, for tests and bulk senders.</summary>
        internal SendWindow Window => _channel.Window;

        /// <summary>
        /// Raised on the reader thread after the replies of one read have all been handled, so a bulk sender can refill the
        /// window once, with one write, instead of once per reply. A handler must not block.
        /// </summary>
        internal event Action? WindowOpened;

        /// <summary>
        /// Sends a request and returns the server's reply (an UPDATE or a STATUS; interpreting it is the caller's job). Waits
        /// for room in the send window first. Cancellation abandons the wait (a reply that comes is dropped); running out of
        /// time (<see cref="OmapiRequest.Timeout"/> or the connection's default, from queueing to reply) retires the
        /// connection. A failure after the request was written has <see cref="OmapiException.ReplyLost"/> set: dhcpd may have
        /// applied it.
        /// </summary>
        public async Task<OmapiMessage> SendAsync(OmapiRequest request, CancellationToken cancellationToken = default)
        {
            if (request == null)
            {
                throw new ArgumentNullException(nameof(request));
            }

            ThrowIfClosed();
            PendingRequest pending = PendingRequest.ForTask(request);
            Prepare(pending);
            pending.ExpectedReply = await _channel.Window.TakeAsync(pending.RequestBytes, () => _channel.ExpectedReply(request), pending.Deadline, cancellationToken).ConfigureAwait(false);
            if (pending.ExpectedReply < 0)
            {
                throw new OmapiTimeoutException(request.Description, pending.Timeout, "it was never sent: no room came free on the connection in time");
            }

            Write(new[] { pending });
            using (cancellationToken.Register(static p => ((PendingRequest)p!).Fail(new OperationCanceledException()), pending))
            {
                try
                {
                    return await pending.Task.ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    // Abandoned: the server will still answer; the reader drops the reply and returns its room.
                    throw new OperationCanceledException(cancellationToken);
                }
            }
        }

        /// <summary>
        /// <see cref="SendAsync"/> for a caller that blocks anyway (PowerShell's pipeline thread): it waits on its own thread,
        /// woken by the reader as soon as the reply is in. Same results and errors.
        /// </summary>
        public OmapiMessage Send(OmapiRequest request, CancellationToken cancellationToken = default)
        {
            if (request == null)
            {
                throw new ArgumentNullException(nameof(request));
            }

            ThrowIfClosed();
            PendingRequest pending = PendingRequest.Blocking(request);
            Prepare(pending);
            pending.ExpectedReply = _channel.Window.Take(pending.RequestBytes, () => _channel.ExpectedReply(request), pending.Deadline, cancellationToken);
            if (pending.ExpectedReply < 0)
            {
                throw new OmapiTimeoutException(request.Description, pending.Timeout, "it was never sent: no room came free on the connection in time");
            }

            Write(new[] { pending });
            try
            {
                if (!pending.Wait(pending.Deadline, cancellationToken) && !pending.HasEnded)
                {
                    // Out of time: the reader retires the connection at this deadline too; whoever comes first closes it.
                    RetireFor(pending);
                }
            }
            catch (OperationCanceledException)
            {
                // Abandoned (unless it ended just now): a reply that comes is dropped and its room returned.
                pending.Fail(new OperationCanceledException(cancellationToken));
            }

            return pending.Result();
        }

        /// <summary>
        /// Takes room in the send window for <paramref name="request"/> now, without waiting, for a write of several with
        /// <see cref="TrySend"/>; null (nothing taken) when the window has no room, a caller waits for room (it goes first), or
        /// the connection is closed. Its reply or failure will be passed to <paramref name="callback"/> on the reader thread; a
        /// callback must not block. Used by the bulk engine, which refills on <see cref="WindowOpened"/>.
        /// </summary>
        [MethodImpl(HotPath.Optimize)]
        internal PendingRequest? TryReserve(OmapiRequest request, Action<OmapiMessage?, Exception?> callback)
        {
            if (!IsOpen)
            {
                return null;
            }

            PendingRequest pending = PendingRequest.WithCallback(request, callback);
            Prepare(pending);
            pending.ExpectedReply = _channel.ExpectedReply(request);
            return _channel.Window.TryTake(pending.RequestBytes, pending.ExpectedReply) ? pending : null;
        }

        /// <summary>
        /// Writes requests whose room <see cref="TryReserve"/> took, all in one write. False (nothing written, their room
        /// returned) when the connection closed meanwhile: the caller may send them elsewhere. A failure as they were written
        /// reaches each callback (<see cref="OmapiException.ReplyLost"/>); true then, as they count as sent.
        /// </summary>
        [MethodImpl(HotPath.Optimize)]
        internal bool TrySend(IReadOnlyList<PendingRequest> reserved)
        {
            try
            {
                Write(reserved);
            }
            catch (OmapiException ex) when (!ex.ReplyLost)
            {
                return false; // closed meanwhile, before anything was written
            }
            catch (OmapiException)
            {
                // Lost as they were written: the callbacks have had the failure.
            }

            return true;
        }

        /// <summary>Closes the connection with <paramref name="reason"/>; waiting requests fail with it.</summary>
        internal void Abort(Exception reason) => Close(reason);

        /// <summary>Closes the connection; waiting requests fail with <see cref="OmapiConnectionException"/>.</summary>
        public void Dispose()
        {
            Close(new OmapiConnectionException("The connection to dhcpd at " + Endpoint + " was closed by this client."));
        }

        [MethodImpl(HotPath.Optimize)]
        private void Prepare(PendingRequest pending)
        {
            pending.Timeout = pending.Request.Timeout ?? _options.RequestTimeout;
            pending.Deadline = Deadlines.After(pending.Timeout);
            pending.RequestBytes = _channel.RequestBytes(pending.Request);
        }

        /// <summary>
        /// Registers, encodes and writes requests whose room the window gave, all in one write (one request, or a bulk
        /// refill after a read: fewer system calls here and fewer wake-ups for dhcpd); a message is never cut.
        /// </summary>
        [MethodImpl(HotPath.Optimize)]
        private void Write(IReadOnlyList<PendingRequest> batch)
        {
            int registered = 0;
            try
            {
                lock (_writeGate)
                {
                    if (_closed.Task.IsCompleted)
                    {
                        throw NotSent(batch[0], _closed.Task.Result);
                    }

                    int length = 0;
                    for (int i = 0; i < batch.Count; i++)
                    {
                        length += batch[i].RequestBytes;
                    }

                    var bytes = new byte[length];
                    int offset = 0;
                    for (; registered < batch.Count; registered++)
                    {
                        offset += _channel.Register(batch[registered], bytes, offset);
                    }

                    _socket.Send(bytes, 0, offset, SocketFlags.None);
                }
            }
            catch (Exception ex) when (ex is SocketException || ex is ObjectDisposedException || ex is IOException)
            {
                // Whether any byte left is unknown: the requests count as sent (their outcome must be found out).
                string what = "'" + batch[0].Request.Description + "'" + (batch.Count > 1 ? " and " + (batch.Count - 1).ToString(CultureInfo.InvariantCulture) + " more" : string.Empty);
                Exception fault = Close(new OmapiConnectionException("The connection to dhcpd at " + Endpoint + " was lost while sending " + what + ": " + ex.Message, ex));
                foreach (PendingRequest pending in batch)
                {
                    pending.Fail(ReplyLostError(pending, fault));
                }

                throw batch[0].Error!;
            }
            catch (OmapiException)
            {
                // Never written: the caller is told by the exception (a bulk sender sends them elsewhere).
                for (int i = 0; i < batch.Count; i++)
                {
                    if (i < registered)
                    {
                        _channel.Unregister(batch[i]);
                    }

                    _channel.Window.Release(batch[i].ExpectedReply, surprise: false);
                }

                throw;
            }
        }

        /// <summary>The reader: one thread from connect to close. It also retires the connection when a request runs out of time.</summary>
        [MethodImpl(HotPath.Optimize)]
        private void ReadLoop()
        {
            try
            {
                while (!_closed.Task.IsCompleted)
                {
                    PendingRequest? earliest = _channel.Earliest();
                    int waitMs = earliest == null ? 1000 : Math.Min(1000, Deadlines.MillisecondsUntil(earliest.Deadline));
                    if (earliest != null && waitMs == 0)
                    {
                        RetireFor(earliest);
                        return;
                    }

                    if (!_socket.Poll(Math.Max(1, waitMs) * 1000, SelectMode.SelectRead))
                    {
                        continue;
                    }

                    ArraySegment<byte> space = _channel.ReceiveSpace();
                    int n = _socket.Receive(space.Array!, space.Offset, space.Count, SocketFlags.None);
                    if (n == 0)
                    {
                        Close(new OmapiConnectionException("dhcpd at " + Endpoint + " closed the connection" + (_channel.Pending == 0 ? "." : " with requests unanswered (the server may have restarted or shut down).")));
                        return;
                    }

                    if (_channel.Received(n) > 0)
                    {
                        WindowOpened?.Invoke();
                    }
                }
            }
            catch (OmapiProtocolException ex)
            {
                Close(new OmapiProtocolException(ex.Message + " The connection to " + Endpoint + " was closed.", ex));
            }
            catch (Exception ex) when (ex is IOException || ex is SocketException || ex is ObjectDisposedException)
            {
                Close(new OmapiConnectionException("The connection to dhcpd at " + Endpoint + " was lost: " + ex.Message, ex));
            }
#pragma warning disable CA1031 // Anything else is a bug; the connection must not stay "open" with nobody reading it.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Close(new OmapiConnectionException("The connection to dhcpd at " + Endpoint + " was closed after an internal error: " + ex.Message, ex));
            }
            finally
            {
                _channel.DisposeReceiveMac();
            }
        }

        /// <summary>
        /// A request got no reply in time: the connection is retired, not kept (a half-open connection, a server that stopped
        /// reading, or half a reply in flight would leave every later request on it waiting too).
        /// </summary>
        private void RetireFor(PendingRequest late)
        {
            var timeout = new OmapiTimeoutException(late.Request.Description, late.Timeout) { ReplyLost = true };
            Exception reason = new OmapiConnectionException(
                "The connection to dhcpd at " + Endpoint + " was closed because '" + late.Request.Description + "' got no reply within " + Describe(late.Timeout) + " (the server may be overloaded or the connection half-open); the next command opens a new one.",
                timeout);
            Close(reason, late, timeout);
        }

        /// <summary>
        /// Closes once; every request still waiting fails. <paramref name="late"/> (the request that ran out of time) gets
        /// <paramref name="lateError"/>, and only after the connection is marked closed: its caller, woken by it, may send its
        /// next request at once, and that must go to a new connection, not to this one while it is being closed.
        /// </summary>
        private Exception Close(Exception reason, PendingRequest? late = null, Exception? lateError = null)
        {
            if (!_closed.TrySetResult(reason))
            {
                late?.Fail(lateError!);
                return _closed.Task.Result;
            }

            late?.Fail(lateError!);

            _channel.Window.Fail(reason);
            try
            {
                // Shutdown first: it wakes the reader out of poll() at once (a plain close would not).
                _socket.Shutdown(SocketShutdown.Both);
            }
            catch (Exception ex) when (ex is SocketException || ex is ObjectDisposedException)
            {
            }

            _socket.Dispose();

            // Requests are registered only under the write lock after a check that the connection is open: taking it once
            // here waits for a registration in progress, so every request is either failed below or refused.
            lock (_writeGate)
            {
                _channel.DisposeSendMac();
            }

            foreach (PendingRequest pending in _channel.TakeAll())
            {
                pending.Fail(ReplyLostError(pending, reason));
            }

            return reason;
        }

        /// <summary>The failure a written request gets when its connection closes: the reason, marked as a lost reply.</summary>
        private static Exception ReplyLostError(PendingRequest pending, Exception reason)
        {
            switch (reason)
            {
                case OmapiProtocolException protocol:
                    return new OmapiProtocolException(protocol.Message, protocol) { ReplyLost = true };
                case OmapiTimeoutException timeout:
                    return new OmapiTimeoutException(timeout.Operation, timeout.Timeout) { ReplyLost = true };
                default:
                    return new OmapiConnectionException(reason.Message, reason) { ReplyLost = true, Operation = pending.Request.Description };
            }
        }

        private static Exception NotSent(PendingRequest pending, Exception reason) => reason switch
        {
            OmapiProtocolException protocol => new OmapiProtocolException(protocol.Message, protocol),
            _ => new OmapiConnectionException(reason.Message, reason) { Operation = pending.Request.Description },
        };

        private static string Describe(TimeSpan span) => span.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s";

        private void ThrowIfClosed()
        {
            if (_closed.Task.IsCompleted)
            {
                Exception reason = _closed.Task.Result;
                throw reason is OmapiProtocolException p ? new OmapiProtocolException(p.Message, p) : new OmapiConnectionException(reason.Message, reason);
            }
        }

    }
}
