using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using Omapi.Core.Protocol;
using Omapi.Core.Security;

namespace Omapi.Core.Connection
{
    /// <summary>
    /// One TCP connection to dhcpd, shareable by any number of callers on any threads. Requests are pipelined within the
    /// byte budget of <see cref="OmapiConnectionOptions.WindowBytes"/>, replies are matched by rid, every signed reply is
    /// verified. Any protocol violation or transport error closes the connection and fails every waiting request;
    /// the owner (<see cref="OmapiSession"/>) opens a new one.
    /// </summary>
    public sealed class OmapiConnection : IDisposable
    {
        private static readonly byte[] AuthenticatorType = OmapiEncoding.FromString("authenticator");

        private readonly OmapiConnectionOptions _options;
        private readonly Socket _socket;
        private readonly NetworkStream _stream;
        private readonly object _writeGate = new object();
        private readonly ConcurrentDictionary<uint, Pending> _pending = new ConcurrentDictionary<uint, Pending>();
        private readonly ConcurrentDictionary<string, int> _largestReply = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        private readonly SendWindow _window;
        private readonly int _extraHeaderBytes;
        private readonly TaskCompletionSource<Exception> _closed = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
        private OmapiMac? _sendMac;
        private OmapiMac? _receiveMac;
        private uint _authId;
        private int _nextId;
        private long _requestsSent;
        private long _bytesSent;
        private long _bytesReceived;
        private long _repliesReceived;

        // The socket has one reader at a time (docs/design/core-connection.md, "Who reads the socket"): the async read loop,
        // a caller doing a synchronous round trip on its own thread (Send), or a bulk operation's consumer (a driver).
        // _readerRole is 1 while someone holds that role. Nobody reads an idle connection unless something watches Closed
        // (_keepReading); while a driver is attached the loop runs only for requests that are not bulk ones
        // (_plainOutstanding: requests sent by Send/SendAsync and not answered yet).
        private int _readerRole;
        private volatile bool _keepReading;
        private int _drivers;
        private int _plainOutstanding;
        private byte[] _readBuffer = new byte[16 * 1024];
        private int _readStart;
        private int _readEnd;

        private OmapiConnection(OmapiConnectionOptions options, Socket socket, int extraHeaderBytes)
        {
            _options = options;
            _socket = socket;
            _stream = new NetworkStream(socket, ownsSocket: true);
            _extraHeaderBytes = extraHeaderBytes;
            _window = new SendWindow(options.WindowBytes);
#pragma warning disable CA5394 // Not security-relevant: dhcpctl also starts at random(); it only has to be unique per connection.
            _nextId = new Random().Next(1, int.MaxValue / 2);
#pragma warning restore CA5394
        }

        /// <summary>The server endpoint, "server:port".</summary>
        public string Endpoint => _options.Endpoint;

        /// <summary>True until the connection is closed or faulted.</summary>
        public bool IsOpen => !_closed.Task.IsCompleted;

        /// <summary>Why the connection closed (null while open).</summary>
        public Exception? Fault => _closed.Task.IsCompleted ? _closed.Task.Result : null;

        /// <summary>
        /// Completes with the reason when the connection closes. Asking for it keeps the connection read while it is idle,
        /// so that a server that goes away is noticed at once rather than at the next request.
        /// </summary>
        public Task<Exception> Closed
        {
            get
            {
                if (!_keepReading)
                {
                    _keepReading = true;
                    EnsureReader();
                }

                return _closed.Task;
            }
        }

        /// <summary>True when messages are signed (an authenticator is open).</summary>
        public bool IsAuthenticated => _authId != 0;

        /// <summary>The server-side handle of our authenticator (0 when unauthenticated).</summary>
        public uint AuthenticatorHandle => _authId;

        /// <summary>Requests waiting for replies (including abandoned ones whose replies have not come yet).</summary>
        public int InFlight => _window.InFlight;

        /// <summary>Requests sent on this connection.</summary>
        public long RequestsSent => Interlocked.Read(ref _requestsSent);

        /// <summary>Replies received on this connection.</summary>
        public long RepliesReceived => Interlocked.Read(ref _repliesReceived);

        /// <summary>Bytes written, intro included.</summary>
        public long BytesSent => Interlocked.Read(ref _bytesSent);

        /// <summary>Bytes read, intro included.</summary>
        public long BytesReceived => Interlocked.Read(ref _bytesReceived);

        /// <summary>
        /// Connects, exchanges intros, and when <see cref="OmapiConnectionOptions.Key"/> is set opens the authenticator and
        /// proves the secret with one signed round trip. Throws <see cref="OmapiConnectionException"/>,
        /// <see cref="OmapiTimeoutException"/>, <see cref="OmapiProtocolException"/> or <see cref="OmapiAuthenticationException"/>.
        /// </summary>
        public static async Task<OmapiConnection> ConnectAsync(OmapiConnectionOptions options, CancellationToken cancellationToken = default)
        {
            if (options == null)
            {
                throw new ArgumentNullException(nameof(options));
            }

            options = options.Clone();
            options.Validate();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.ConnectTimeout);
            Socket? socket = null;
            OmapiConnection? connection = null;
            try
            {
                IPAddress[] addresses = await ResolveAsync(options.Server).ConfigureAwait(false);
                socket = await ConnectSocketAsync(addresses, options, timeout.Token).ConfigureAwait(false);
                byte[] intro = OmapiCodec.EncodeIntro();
                await WriteAllAsync(socket, intro, timeout.Token).ConfigureAwait(false);
                byte[] peerIntro = await ReadExactlyAsync(socket, OmapiCodec.IntroLength, timeout.Token).ConfigureAwait(false);
                int extra = OmapiCodec.ParseIntro(peerIntro, 0);
                connection = new OmapiConnection(options, socket, extra);
                socket = null; // owned by the connection now
                connection._bytesSent = intro.Length;
                connection._bytesReceived = peerIntro.Length;
                if (options.Key != null)
                {
                    await connection.AuthenticateAsync(options.Key, timeout.Token).ConfigureAwait(false);
                }

                return connection;
            }
            catch (Exception ex) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested && !(ex is OmapiServerException))
            {
                // Whatever the socket reported as the timer closed it (cancelled, disposed, reset), the cause is the time limit.
                connection?.Dispose();
                throw new OmapiTimeoutException("connect to " + options.Endpoint, options.ConnectTimeout);
            }
            catch (Exception ex) when (cancellationToken.IsCancellationRequested && !(ex is OperationCanceledException))
            {
                connection?.Dispose();
                throw new OperationCanceledException("Connecting to " + options.Endpoint + " was cancelled.", ex, cancellationToken);
            }
            catch (Exception ex) when (ex is SocketException || ex is IOException || ex is ObjectDisposedException)
            {
                connection?.Dispose();
                throw new OmapiConnectionException("Could not connect to dhcpd at " + options.Endpoint + ": " + ex.Message + " Check the server name, that omapi-port is set in dhcpd.conf, and that TCP " + options.Port.ToString(CultureInfo.InvariantCulture) + " is reachable.", ex);
            }
            catch
            {
                connection?.Dispose();
                throw;
            }
            finally
            {
                socket?.Dispose();
            }
        }

        /// <summary>
        /// Sends a request and returns the server's reply (an UPDATE or a STATUS; interpreting it is the caller's job).
        /// Waits for room in the send window first. Cancellation or timeout abandons the wait; the reply, if it comes, is
        /// discarded and its bytes returned to the window.
        /// </summary>
        public async Task<OmapiMessage> SendAsync(OmapiRequest request, CancellationToken cancellationToken = default)
        {
            if (request == null)
            {
                throw new ArgumentNullException(nameof(request));
            }

            ThrowIfClosed();
            TimeSpan limit = request.Timeout ?? _options.RequestTimeout;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(limit);
            CancellationToken token = timeout.Token;

            uint id = NextId();
            var message = new OmapiMessage(request.Op, request.Handle, id, 0, request.MessageValues, request.ObjectValues) { AuthId = _authId };
            int requestBytes = OmapiCodec.GetEncodedLength(message, _sendMac?.Length ?? 0);
            int replyBytes = EstimateReply(request.ReplyKind);
            var pending = new Pending(requestBytes, replyBytes, request.ReplyKind, request.Description);
            bool admitted = false;
            bool sent = false;
            try
            {
                await _window.AcquireAsync(requestBytes, replyBytes, token).ConfigureAwait(false);
                admitted = true;
                token.ThrowIfCancellationRequested();
                lock (_writeGate)
                {
                    ThrowIfClosed();
                    byte[] bytes = OmapiCodec.EncodeCore(message, _sendMac);
                    _pending[id] = pending;
                    Interlocked.Increment(ref _plainOutstanding);
                    sent = true;

                    // One whole message per write, never cancelled half-way (that would corrupt the stream). The window
                    // keeps far less than a socket buffer in flight, so the write completes at once.
                    _stream.Write(bytes, 0, bytes.Length);
                    Interlocked.Add(ref _bytesSent, bytes.Length);
                    Interlocked.Increment(ref _requestsSent);
                }

                EnsureReader();
                using (token.Register(static state => ((Pending)state!).Completion.TrySetCanceled(), pending))
                {
                    return await pending.Completion.Task.ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && timeout.IsCancellationRequested)
            {
                Abandon(id, pending, admitted, sent);
                throw new OmapiTimeoutException(request.Description, limit);
            }
            catch (Exception ex) when (ex is IOException || ex is SocketException || ex is ObjectDisposedException)
            {
                Exception fault = Close(new OmapiConnectionException("The connection to dhcpd at " + Endpoint + " was lost while sending '" + request.Description + "': " + ex.Message, ex));
                throw fault;
            }
            catch
            {
                Abandon(id, pending, admitted, sent);
                throw;
            }
        }

        /// <summary>The signature length this connection adds to each request (0 when unauthenticated).</summary>
        internal int SignatureLength => _sendMac?.Length ?? 0;

        /// <summary>The reply size the window assumes for a kind of request.</summary>
        internal int EstimateReplyBytes(string kind) => EstimateReply(kind);

        /// <summary>Reserves window room without waiting (bulk pump); false when it does not fit now.</summary>
        internal bool TryReserve(int requestBytes, int replyBytes) => _window.TryAcquire(requestBytes, replyBytes);

        /// <summary>
        /// Sends requests whose window room is already reserved, as one write. Each reply (or failure) is passed to its
        /// callback on the read-loop thread; a callback must not block. If the connection is closed, every callback
        /// gets the reason at once.
        /// </summary>
        internal void SendReserved(IReadOnlyList<BulkSend> batch)
        {
            var pendings = new Pending[batch.Count];
            try
            {
                lock (_writeGate)
                {
                    ThrowIfClosed();
                    int total = 0;
                    for (int i = 0; i < batch.Count; i++)
                    {
                        total += batch[i].RequestBytes;
                    }

                    // One buffer, one write: requests freed by the same burst of replies reach dhcpd together, and it
                    // handles them in one pass. RequestBytes is exactly each request's encoded size.
                    var buffer = new byte[total];
                    int offset = 0;
                    for (int i = 0; i < batch.Count; i++)
                    {
                        BulkSend item = batch[i];
                        uint id = NextId();
                        pendings[i] = new Pending(item.RequestBytes, item.ReplyBytes, item.Request.ReplyKind, item.Request.Description, item.Callback);
                        _pending[id] = pendings[i];
                        offset += OmapiCodec.EncodeInto(buffer, offset, _authId, item.Request.Op, item.Request.Handle, id, 0, item.Request.MessageValues, item.Request.ObjectValues, _sendMac);
                    }

                    _stream.Write(buffer, 0, buffer.Length);
                    Interlocked.Add(ref _bytesSent, buffer.Length);
                    Interlocked.Add(ref _requestsSent, batch.Count);
                }

                EnsureReader();
            }
            catch (Exception ex) when (ex is IOException || ex is SocketException || ex is ObjectDisposedException || ex is OmapiException)
            {
                Exception fault = ex is OmapiException ? ex : Close(new OmapiConnectionException("The connection to dhcpd at " + Endpoint + " was lost while sending: " + ex.Message, ex));
                for (int i = 0; i < batch.Count; i++)
                {
                    if (pendings[i] == null)
                    {
                        _window.Release(batch[i].RequestBytes, batch[i].ReplyBytes);
                        batch[i].Callback(null, fault);
                    }
                }
            }
        }

        /// <summary>
        /// Raised on the read-loop thread after the replies of one read have all been dispatched, so a bulk pump can refill
        /// the window once, with one write, instead of once per reply.
        /// </summary>
        internal event Action? ReadBatchCompleted;

        /// <summary>Closes the connection with <paramref name="reason"/> (e.g. a stalled bulk request's timeout).</summary>
        internal void Abort(Exception reason) => Close(reason);

        /// <summary>Closes the connection; waiting requests fail with <see cref="OmapiConnectionException"/>.</summary>
        public void Dispose()
        {
            Close(new OmapiConnectionException("The connection to dhcpd at " + Endpoint + " was closed by this client."));
        }

        private static async Task<IPAddress[]> ResolveAsync(string server)
        {
            if (IPAddress.TryParse(server, out IPAddress? literal))
            {
                if (literal.AddressFamily != AddressFamily.InterNetwork && !literal.IsIPv4MappedToIPv6)
                {
                    throw new OmapiConnectionException("dhcpd's OMAPI listens on IPv4 only; '" + server + "' is not an IPv4 address.");
                }

                return new[] { literal.IsIPv4MappedToIPv6 ? literal.MapToIPv4() : literal };
            }

            IPAddress[] all;
            try
            {
                all = await Dns.GetHostAddressesAsync(server).ConfigureAwait(false);
            }
            catch (SocketException ex)
            {
                throw new OmapiConnectionException("Could not resolve the dhcpd server name '" + server + "': " + ex.Message, ex);
            }

            IPAddress[] v4 = all.Where(a => a.AddressFamily == AddressFamily.InterNetwork).ToArray();
            if (v4.Length == 0)
            {
                throw new OmapiConnectionException("'" + server + "' has no IPv4 address; dhcpd's OMAPI listens on IPv4 only.");
            }

            return v4;
        }

        private static async Task<Socket> ConnectSocketAsync(IPAddress[] addresses, OmapiConnectionOptions options, CancellationToken token)
        {
            Exception? last = null;
            foreach (IPAddress address in addresses)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
                try
                {
                    using (token.Register(static s => ((Socket)s!).Dispose(), socket))
                    {
                        await socket.ConnectAsync(new IPEndPoint(address, options.Port)).ConfigureAwait(false);
                    }

                    token.ThrowIfCancellationRequested();
                    return socket;
                }
                catch (Exception ex) when (ex is SocketException || ex is ObjectDisposedException)
                {
                    socket.Dispose();
                    token.ThrowIfCancellationRequested();
                    last = ex;
                }
            }

            throw new OmapiConnectionException("Could not connect to dhcpd at " + options.Endpoint + ": " + (last?.Message ?? "no address") + ". Check the server name, that dhcpd.conf sets omapi-port, and that a firewall lets TCP " + options.Port.ToString(CultureInfo.InvariantCulture) + " through.", last);
        }

        private static async Task WriteAllAsync(Socket socket, byte[] data, CancellationToken token)
        {
            using (token.Register(static s => ((Socket)s!).Dispose(), socket))
            {
                int sent = 0;
                while (sent < data.Length)
                {
                    sent += await socket.SendAsync(new ArraySegment<byte>(data, sent, data.Length - sent), SocketFlags.None).ConfigureAwait(false);
                }
            }

            token.ThrowIfCancellationRequested();
        }

        private static async Task<byte[]> ReadExactlyAsync(Socket socket, int count, CancellationToken token)
        {
            var buffer = new byte[count];
            int read = 0;
            using (token.Register(static s => ((Socket)s!).Dispose(), socket))
            {
                while (read < count)
                {
                    int n;
                    try
                    {
                        n = await socket.ReceiveAsync(new ArraySegment<byte>(buffer, read, count - read), SocketFlags.None).ConfigureAwait(false);
                    }
                    catch (ObjectDisposedException) when (token.IsCancellationRequested)
                    {
                        throw new OperationCanceledException(token);
                    }

                    if (n == 0)
                    {
                        throw new OmapiProtocolException("The server closed the connection before completing the 8-byte OMAPI intro; it is probably not dhcpd's OMAPI port, or it refused us.");
                    }

                    read += n;
                }
            }

            token.ThrowIfCancellationRequested();
            return buffer;
        }

        private async Task AuthenticateAsync(OmapiKey key, CancellationToken token)
        {
            var open = new OmapiRequest(
                OmapiOpcode.Open,
                0,
                new OmapiValueList().Add("type", AuthenticatorType),
                new OmapiValueList().Add("name", key.Name).Add("algorithm", OmapiAlgorithms.WireName(key.Algorithm)),
                "open the authenticator '" + key.Name + "'",
                "open authenticator");
            OmapiMessage reply = await SendAsync(open, token).ConfigureAwait(false);
            if (reply.Op != OmapiOpcode.Update || reply.Handle == 0)
            {
                uint code = OmapiReplies.ResultOf(reply, _options.ResultNumbering);
                string? text = OmapiReplies.MessageOf(reply);
                string hint = (OmapiResult)code switch
                {
                    OmapiResult.NotFound => "The server has no key named '" + key.Name + "' with algorithm " + OmapiAlgorithms.DisplayName(key.Algorithm) + ": check the key name and algorithm against dhcpd.conf.",
                    OmapiResult.InvalidKey => "The server knows the key '" + key.Name + "' but does not accept it for OMAPI: use the key dhcpd.conf names in its omapi-key statement.",
                    OmapiResult.Success => "The server did not enable the key.",
                    _ => "Check the key name, algorithm and secret against dhcpd.conf.",
                };
                throw new OmapiAuthenticationException(code, text, "authenticate with key '" + key.Name + "'", hint);
            }

            _sendMac = key.CreateMac();
            _receiveMac = key.CreateMac();
            _authId = reply.Handle;

            // Opening the authenticator needs only the key's name: prove the secret with one signed round trip whose
            // reply must carry a valid signature too (a wrong secret gets an unsigned INVALIDKEY STATUS).
            var probe = new OmapiRequest(OmapiOpcode.Refresh, _authId, null, null, "verify the secret of key '" + key.Name + "'", "refresh authenticator");
            OmapiMessage verified = await SendAsync(probe, token).ConfigureAwait(false);
            if (verified.Op != OmapiOpcode.Update)
            {
                uint code = OmapiReplies.ResultOf(verified, _options.ResultNumbering);
                throw new OmapiAuthenticationException(
                    code,
                    OmapiReplies.MessageOf(verified),
                    "authenticate with key '" + key.Name + "'",
                    (OmapiResult)code == OmapiResult.InvalidKey
                        ? "The server rejected our signature: the secret does not match the server's key '" + key.Name + "'."
                        : "Check the key name, algorithm and secret against dhcpd.conf.");
            }
        }

        private uint NextId()
        {
            while (true)
            {
                uint id = unchecked((uint)Interlocked.Increment(ref _nextId));
                if (id != 0)
                {
                    return id;
                }
            }
        }

        /// <summary>Remembers the largest reply of each kind (no closure per reply: this runs for every reply).</summary>
        private void NoteReplySize(string kind, int length)
        {
            while (true)
            {
                if (!_largestReply.TryGetValue(kind, out int largest))
                {
                    if (_largestReply.TryAdd(kind, length))
                    {
                        return;
                    }
                }
                else if (length <= largest || _largestReply.TryUpdate(kind, length, largest))
                {
                    return;
                }
            }
        }

        private int EstimateReply(string kind) =>
            _largestReply.TryGetValue(kind, out int largest) ? largest + _options.ReplyEstimateMargin : Math.Max(_options.InitialReplyEstimate, _options.ReplyEstimateMargin);

        private void Abandon(uint id, Pending pending, bool admitted, bool sent)
        {
            if (sent)
            {
                // The server will still answer; the reader returns the window bytes when it does.
                pending.Completion.TrySetCanceled();
                return;
            }

            if (_pending.TryRemove(id, out _))
            {
                Interlocked.Decrement(ref _plainOutstanding);
            }

            if (admitted)
            {
                _window.Release(pending.RequestBytes, pending.ReplyBytes);
            }
        }

        private void ThrowIfClosed()
        {
            if (_closed.Task.IsCompleted)
            {
                throw _closed.Task.Result;
            }
        }

        /// <summary>
        /// Starts the async read loop unless someone already reads the socket (the loop, a synchronous caller, which hands
        /// over when it is done, or a bulk consumer that drives the socket itself) or nothing is owed. Called after every
        /// write and whenever Closed is watched.
        /// </summary>
        private void EnsureReader()
        {
            if (_closed.Task.IsCompleted || NoReaderNeeded || Interlocked.CompareExchange(ref _readerRole, 1, 0) != 0)
            {
                return;
            }

            _ = Task.Run(ReadLoopAsync);
        }

        /// <summary>
        /// True when the read loop need not (or must not) run: nothing owed, or only bulk replies that a driving consumer
        /// (<see cref="ReadAvailable"/>) will read, and nobody watches Closed.
        /// </summary>
        private bool NoReaderNeeded => !_keepReading && (_pending.IsEmpty || (Volatile.Read(ref _drivers) > 0 && Volatile.Read(ref _plainOutstanding) == 0));

        /// <summary>A bulk operation's consumer will read this connection itself (<see cref="ReadAvailable"/>) until it detaches.</summary>
        internal void AttachDriver() => Interlocked.Increment(ref _drivers);

        /// <summary>The driving consumer is gone: replies still owed are read by the read loop again.</summary>
        internal void DetachDriver()
        {
            Interlocked.Decrement(ref _drivers);
            EnsureReader();
        }

        /// <summary>The socket, for a driving consumer's poll over several connections.</summary>
        internal Socket Socket => _socket;

        /// <summary>
        /// Takes the reader role if it is free (false if someone else reads); the driving consumer then reads with
        /// <see cref="ReadAvailable"/> and gives the role back with <see cref="EndDrive"/>.
        /// </summary>
        internal bool TryBeginDrive() => !_closed.Task.IsCompleted && Interlocked.CompareExchange(ref _readerRole, 1, 0) == 0;

        /// <summary>
        /// Reads what the socket has (call only when it polled readable) and dispatches it, on the caller's thread, which holds
        /// the reader role (a driving bulk consumer, or <see cref="ProbeOpen"/>). Faults close the connection (waiting
        /// requests fail with the reason), as in the read loop.
        /// </summary>
        internal void ReadAvailable()
        {
            try
            {
                ReceiveAndDispatch();
            }
            catch (OmapiProtocolException ex)
            {
                CloseForViolation(ex);
            }
            catch (Exception ex) when (ex is IOException || ex is SocketException || ex is ObjectDisposedException)
            {
                CloseForLoss(ex);
            }
        }

        /// <summary>Gives back the role taken by <see cref="TryBeginDrive"/>.</summary>
        internal void EndDrive() => ReleaseReader();

        /// <summary>Gives up the reader role; if replies are still due (or Closed is watched), someone must go on reading.</summary>
        private void ReleaseReader()
        {
            // A full fence (not just a release): the check below must not be read before the role is given up, or a request
            // registered meanwhile could be left without a reader.
            Interlocked.Exchange(ref _readerRole, 0);
            EnsureReader();
            DisposeReceiveMacIfUnread();
        }

        /// <summary>
        /// True while the connection is open. When nobody reads it (it is idle), also asks the socket, without waiting, whether
        /// the server has closed it meanwhile, so that a session reconnects before sending rather than failing the request.
        /// </summary>
        internal bool ProbeOpen()
        {
            if (_closed.Task.IsCompleted)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _readerRole, 1, 0) != 0)
            {
                return !_closed.Task.IsCompleted; // someone is reading (or it closed just now): a close is seen by them
            }

            try
            {
                if (_socket.Poll(0, SelectMode.SelectRead))
                {
                    // Readable while idle: the server closed (0 bytes), reset, or sent something nobody asked for. Reading it
                    // handles each case the way the read loop does (close, or a protocol error that closes).
                    ReadAvailable();
                }
            }
            catch (Exception ex) when (ex is SocketException || ex is ObjectDisposedException)
            {
                CloseForLoss(ex);
            }
            finally
            {
                ReleaseReader();
            }

            return !_closed.Task.IsCompleted;
        }

        /// <summary>
        /// Sends a request and waits for its reply on the calling thread, reading the socket itself when nobody else is: no
        /// thread hand-off between the reply arriving and the caller running, which is most of a single lookup's latency for a
        /// caller that blocks anyway (PowerShell's pipeline thread). When other requests are in flight it waits like
        /// <see cref="SendAsync"/>. Same errors as <see cref="SendAsync"/>.
        /// </summary>
        public OmapiMessage Send(OmapiRequest request, CancellationToken cancellationToken = default)
        {
            if (request == null)
            {
                throw new ArgumentNullException(nameof(request));
            }

            ThrowIfClosed();
            cancellationToken.ThrowIfCancellationRequested();
            if (Interlocked.CompareExchange(ref _readerRole, 1, 0) != 0)
            {
                return SendAsync(request, cancellationToken).GetAwaiter().GetResult();
            }

            Pending? pending = null;
            bool reading = true;
            try
            {
                uint id = NextId();
                var message = new OmapiMessage(request.Op, request.Handle, id, 0, request.MessageValues, request.ObjectValues) { AuthId = _authId };
                int requestBytes = OmapiCodec.GetEncodedLength(message, _sendMac?.Length ?? 0);
                int replyBytes = EstimateReply(request.ReplyKind);
                if (!_window.TryAcquire(requestBytes, replyBytes))
                {
                    reading = false;
                    ReleaseReader();
                    return SendAsync(request, cancellationToken).GetAwaiter().GetResult();
                }

                var sending = new Pending(requestBytes, replyBytes, request.ReplyKind, request.Description);
                lock (_writeGate)
                {
                    if (_closed.Task.IsCompleted)
                    {
                        _window.Release(requestBytes, replyBytes);
                        throw _closed.Task.Result;
                    }

                    byte[] bytes;
                    try
                    {
                        bytes = OmapiCodec.EncodeCore(message, _sendMac);
                    }
                    catch
                    {
                        _window.Release(requestBytes, replyBytes);
                        throw;
                    }

                    pending = sending;
                    _pending[id] = pending;
                    Interlocked.Increment(ref _plainOutstanding);
                    _socket.Send(bytes, 0, bytes.Length, SocketFlags.None);
                    Interlocked.Add(ref _bytesSent, bytes.Length);
                    Interlocked.Increment(ref _requestsSent);
                }

                TimeSpan limit = request.Timeout ?? _options.RequestTimeout;
                // Stopwatch ticks, not Environment.TickCount: that wraps around (first after 24.9 days of uptime), and a wait across the wrap
                // would otherwise never time out.
                long started = Stopwatch.GetTimestamp();
                long limitMs = (long)Math.Min(limit.TotalMilliseconds, int.MaxValue / 2);
                while (!pending.Completion.Task.IsCompleted)
                {
                    long left = limitMs - ((Stopwatch.GetTimestamp() - started) * 1000 / Stopwatch.Frequency);
                    if (cancellationToken.IsCancellationRequested || left <= 0)
                    {
                        // The server may still answer: the reply is read (and dropped) by whoever reads next, which returns
                        // its bytes to the window.
                        if (!pending.Completion.TrySetCanceled())
                        {
                            break; // it was answered after all
                        }

                        cancellationToken.ThrowIfCancellationRequested();
                        throw new OmapiTimeoutException(request.Description, limit);
                    }

                    // Short slices, so that a stop request (Ctrl+C) ends the wait within a few milliseconds.
                    if (_socket.Poll((int)Math.Min(left, 20) * 1000, SelectMode.SelectRead))
                    {
                        ReceiveAndDispatch();
                    }
                }
            }
            catch (OmapiProtocolException ex) when (pending != null)
            {
                throw CloseForViolation(ex);
            }
            catch (Exception ex) when ((ex is IOException || ex is SocketException || ex is ObjectDisposedException) && pending != null)
            {
                Exception fault = Close(new OmapiConnectionException("The connection to dhcpd at " + Endpoint + " was lost while waiting for the reply to '" + request.Description + "': " + ex.Message, ex));
                throw fault;
            }
            finally
            {
                if (reading)
                {
                    ReleaseReader();
                }
            }

            return pending.Completion.Task.GetAwaiter().GetResult();
        }

        /// <summary>
        /// One receive into the read buffer and the dispatch of every whole message in it. Only the holder of the reader role
        /// calls this. Throws OmapiProtocolException for a violation; closes the connection when the server closed it.
        /// </summary>
        private void ReceiveAndDispatch()
        {
            MakeRoom();
            int n = _socket.Receive(_readBuffer, _readEnd, _readBuffer.Length - _readEnd, SocketFlags.None);
            OnReceived(n);
        }

        private void MakeRoom()
        {
            if (_readEnd < _readBuffer.Length)
            {
                return;
            }

            if (_readStart > 0)
            {
                Buffer.BlockCopy(_readBuffer, _readStart, _readBuffer, 0, _readEnd - _readStart);
                _readEnd -= _readStart;
                _readStart = 0;
            }
            else
            {
                // One message larger than the buffer; the decoder has already checked it against MaxMessageSize.
                Array.Resize(ref _readBuffer, (int)Math.Min((long)_readBuffer.Length * 2, (long)_options.MaxMessageSize + OmapiCodec.HeaderLength + _extraHeaderBytes));
            }
        }

        private void OnReceived(int n)
        {
            if (n == 0)
            {
                Close(new OmapiConnectionException("dhcpd at " + Endpoint + " closed the connection" + (_pending.IsEmpty ? "." : " with requests unanswered (the server may have restarted or shut down).")));
                return;
            }

            Interlocked.Add(ref _bytesReceived, n);
            _readEnd += n;
            bool dispatched = false;
            while (OmapiCodec.TryDecode(_readBuffer, _readStart, _readEnd - _readStart, _extraHeaderBytes, _options.MaxMessageSize, out OmapiFrame frame))
            {
                Dispatch(frame);
                _readStart += frame.Length;
                dispatched = true;
            }

            if (dispatched)
            {
                ReadBatchCompleted?.Invoke();
            }

            if (_readStart == _readEnd)
            {
                _readStart = _readEnd = 0;
            }
        }

        /// <summary>Reads while replies are due (or Closed is watched), then gives up the reader role.</summary>
        private async Task ReadLoopAsync()
        {
            bool holding = true;
            try
            {
                while (true)
                {
                    if (_closed.Task.IsCompleted)
                    {
                        return;
                    }

                    if (NoReaderNeeded)
                    {
                        Interlocked.Exchange(ref _readerRole, 0);

                        // A request registered after the check above must not be left without a reader.
                        if (NoReaderNeeded || Interlocked.CompareExchange(ref _readerRole, 1, 0) != 0)
                        {
                            holding = false;
                            return;
                        }

                        continue;
                    }

                    MakeRoom();
                    int n = await _stream.ReadAsync(_readBuffer, _readEnd, _readBuffer.Length - _readEnd).ConfigureAwait(false);
                    OnReceived(n);
                }
            }
            catch (OmapiProtocolException ex)
            {
                CloseForViolation(ex);
            }
            catch (Exception ex) when (ex is IOException || ex is SocketException || ex is ObjectDisposedException)
            {
                CloseForLoss(ex);
            }
#pragma warning disable CA1031 // Anything else is a bug; the connection must not stay "open" with nobody reading it.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Close(new OmapiConnectionException("The connection to dhcpd at " + Endpoint + " was closed after an internal error: " + ex.Message, ex));
            }
            finally
            {
                if (holding)
                {
                    ReleaseReader();
                }
                else
                {
                    DisposeReceiveMacIfUnread(); // given up above; a Close meanwhile could not dispose it under us
                }
            }
        }

        private void Dispatch(OmapiFrame frame)
        {
            OmapiMessage reply = frame.Message;
            Interlocked.Increment(ref _repliesReceived);
            if (reply.Op != OmapiOpcode.Update && reply.Op != OmapiOpcode.Status)
            {
                throw new OmapiProtocolException("dhcpd sent a " + reply.Op + " message; a server only sends UPDATE and STATUS replies.");
            }

            if (!_pending.TryRemove(reply.Rid, out Pending? pending))
            {
                throw new OmapiProtocolException(string.Format(CultureInfo.InvariantCulture, "The server sent a reply to request id {0}, which this connection never sent or was already answered.", reply.Rid));
            }

            if (pending.Callback == null)
            {
                Interlocked.Decrement(ref _plainOutstanding);
            }

            _window.Release(pending.RequestBytes, pending.ReplyBytes);
            NoteReplySize(pending.ReplyKind, frame.Length);
            try
            {
                Verify(frame, pending);
            }
            catch (OmapiProtocolException ex)
            {
                // This request fails with the reason the connection closes for (the caller's Close returns the same one).
                // Closing here, before failing it, not by putting it back: a Close already under way elsewhere would miss it.
                pending.Fail(CloseForViolation(ex));
                throw;
            }

            pending.Succeed(reply);
        }

        private void Verify(OmapiFrame frame, Pending pending)
        {
            OmapiMessage reply = frame.Message;
            bool signed = reply.AuthId != 0 || reply.Signature.Length != 0;
            if (_authId == 0)
            {
                if (signed)
                {
                    throw new OmapiProtocolException("The server signed its reply to '" + pending.Description + "' although this connection opened no authenticator.");
                }

                return;
            }

            if (!signed)
            {
                // dhcpd answers signature and key failures with unsigned STATUS messages; nothing else may come unsigned.
                uint code = reply.Op == OmapiOpcode.Status ? OmapiReplies.ResultOf(reply, _options.ResultNumbering) : 0;
                if (reply.Op == OmapiOpcode.Status && (code == (uint)OmapiResult.InvalidKey || code == (uint)OmapiResult.NoKeys || code == (uint)OmapiResult.KeyUnknown))
                {
                    return;
                }

                throw new OmapiProtocolException("The server's reply to '" + pending.Description + "' was not signed although this connection is authenticated (an unsigned " + reply.Op + "); it may have been forged, so it was refused.");
            }

            if (reply.AuthId != _authId || reply.Signature.Length != _receiveMac!.Length)
            {
                throw new OmapiProtocolException(string.Format(CultureInfo.InvariantCulture, "The server's reply to '{0}' was signed with authenticator {1} and a {2}-byte signature; expected authenticator {3} and {4} bytes.", pending.Description, reply.AuthId, reply.Signature.Length, _authId, _receiveMac!.Length));
            }

            ArraySegment<byte> signedBytes = frame.SignedBytes;
            byte[] expected = _receiveMac.Compute(signedBytes.Array!, signedBytes.Offset, signedBytes.Count);
            if (!OmapiEncoding.FixedTimeEquals(expected, 0, reply.Signature, 0, expected.Length))
            {
                throw new OmapiProtocolException("The signature on the server's reply to '" + pending.Description + "' did not verify: the reply was altered or does not come from a server holding our key.");
            }
        }

        private Exception Close(Exception reason)
        {
            if (!_closed.TrySetResult(reason))
            {
                return _closed.Task.Result;
            }

            _window.Fail(reason);
            try
            {
                _stream.Dispose();
            }
            catch (IOException)
            {
            }

            // Every request is registered under the write lock after a check that the connection is open. Taking the lock
            // here (after the stream is disposed, so no write can hold it for long) waits for a registration in progress:
            // past this point every request is either in _pending, where the loop below fails it, or was refused. Without
            // this, a request registered while the loop ran was never answered nor failed (a bulk scan waited forever).
            lock (_writeGate)
            {
                _sendMac?.Dispose(); // writers check the connection is open, under this lock, before signing
            }

            foreach (KeyValuePair<uint, Pending> entry in _pending)
            {
                if (_pending.TryRemove(entry.Key, out Pending? p))
                {
                    if (p.Callback == null)
                    {
                        Interlocked.Decrement(ref _plainOutstanding);
                    }

                    p.Fail(reason);
                }
            }

            DisposeReceiveMacIfUnread();
            return reason;
        }

        /// <summary>Closes for a protocol violation found in what the server sent; returns the reason the connection closed with.</summary>
        private Exception CloseForViolation(OmapiProtocolException ex) => Close(new OmapiProtocolException(ex.Message + " The connection to " + Endpoint + " was closed.", ex));

        /// <summary>Closes for a failed socket; returns the reason the connection closed with.</summary>
        private Exception CloseForLoss(Exception ex) => Close(new OmapiConnectionException("The connection to dhcpd at " + Endpoint + " was lost: " + ex.Message, ex));

        /// <summary>
        /// Once closed, disposes the receive MAC unless somebody holds the reader role (and may be verifying a reply with it):
        /// then that reader does it when it gives the role up. Whoever disposes keeps the role, so nobody reads again.
        /// </summary>
        private void DisposeReceiveMacIfUnread()
        {
            if (_closed.Task.IsCompleted && Interlocked.CompareExchange(ref _readerRole, 1, 0) == 0)
            {
                _receiveMac?.Dispose();
            }
        }

        private sealed class Pending
        {
            internal Pending(int requestBytes, int replyBytes, string replyKind, string description, Action<OmapiMessage?, Exception?>? callback = null)
            {
                RequestBytes = requestBytes;
                ReplyBytes = replyBytes;
                ReplyKind = replyKind;
                Description = description;
                Callback = callback;
                Completion = callback == null ? new TaskCompletionSource<OmapiMessage>(TaskCreationOptions.RunContinuationsAsynchronously) : null!;
            }

            /// <summary>For bulk requests: called on the read loop with the reply or the failure, instead of completing a task.</summary>
            internal Action<OmapiMessage?, Exception?>? Callback { get; }

            internal void Fail(Exception error)
            {
                if (Callback != null)
                {
                    Callback(null, error);
                }
                else
                {
                    Completion.TrySetException(error);
                }
            }

            internal void Succeed(OmapiMessage reply)
            {
                if (Callback != null)
                {
                    Callback(reply, null);
                }
                else
                {
                    Completion.TrySetResult(reply);
                }
            }

            internal int RequestBytes { get; }

            internal int ReplyBytes { get; }

            internal string ReplyKind { get; }

            internal string Description { get; }

            /// <summary>For requests without a callback: completed with the reply or the failure. Bulk requests have none.</summary>
            internal TaskCompletionSource<OmapiMessage> Completion { get; }
        }
    }
}
