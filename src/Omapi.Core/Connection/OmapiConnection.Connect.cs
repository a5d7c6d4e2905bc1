using System;
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
    // Opening a connection: name lookup, TCP connect, the intro exchange and authentication, every step a blocking call on
    // one thread. What an open connection does is in OmapiConnection.cs.
    //
    // Every socket stays a blocking socket for its whole life (docs/design/core-connection.md, "Blocking sockets"): .NET
    // registers a socket with its epoll engine at its first asynchronous operation, and from then on every reply that
    // arrives also wakes the engine's thread and a thread-pool worker that have nothing to do (measured in real pwsh: about
    // one epoll wake-up and one sched_yield per lookup, a fifth of the client's CPU in a bulk scan). So the asynchronous
    // entry point runs the same blocking code on a thread of its own rather than using the socket's asynchronous methods.
    public sealed partial class OmapiConnection
    {
        /// <summary>
        /// Connects, exchanges intros, and when <see cref="OmapiConnectionOptions.Key"/> is set opens the authenticator and
        /// proves the secret with one signed round trip. Throws <see cref="OmapiConnectionException"/>,
        /// <see cref="OmapiTimeoutException"/>, <see cref="OmapiProtocolException"/> or <see cref="OmapiAuthenticationException"/>.
        /// </summary>
        public static Task<OmapiConnection> ConnectAsync(OmapiConnectionOptions options, CancellationToken cancellationToken = default) =>
            ConnectAsync(options, null, cancellationToken);

        /// <summary>
        /// Connects, sharing <paramref name="sizes"/> (the session's learned reply sizes) when given: <see cref="Connect"/> on
        /// a thread of its own (not a thread-pool thread: a connect may wait up to its time limit, and the timer that enforces
        /// the limit needs the pool).
        /// </summary>
        internal static Task<OmapiConnection> ConnectAsync(OmapiConnectionOptions options, ReplySizes? sizes, CancellationToken cancellationToken) =>
            Task.Factory.StartNew(() => Connect(options, sizes, cancellationToken), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        /// <summary>
        /// Connects on the calling thread, for a caller that blocks anyway (the synchronous lookup) and for
        /// <see cref="ConnectAsync(OmapiConnectionOptions, ReplySizes, CancellationToken)"/>. The time limit and
        /// <paramref name="cancellationToken"/> work by disposing the socket, which ends whatever blocking call is under way.
        /// </summary>
        internal static OmapiConnection Connect(OmapiConnectionOptions options, ReplySizes? sizes, CancellationToken cancellationToken)
        {
            if (options == null)
            {
                throw new ArgumentNullException(nameof(options));
            }

            options = options.Clone();
            options.Validate();
            cancellationToken.ThrowIfCancellationRequested();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.ConnectTimeout);
            Socket? socket = null;
            OmapiConnection? connection = null;
            try
            {
                IPAddress[] addresses = Resolve(options.Server);
                socket = ConnectSocket(addresses, options, timeout.Token);
                byte[] intro = OmapiCodec.EncodeIntro();
                WriteAll(socket, intro, timeout.Token);
                byte[] peerIntro = ReadIntro(socket, options.Endpoint, timeout.Token);
                int extra = OmapiCodec.ParseIntro(peerIntro, 0);
                connection = new OmapiConnection(options, socket, extra, sizes ?? new ReplySizes());
                socket = null; // owned by the connection now
                connection._channel.CountIntro(intro.Length, peerIntro.Length);
                connection._reader.Start();
                if (options.Key != null)
                {
                    connection.Authenticate(options.Key, timeout.Token);
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

        private static IPAddress[] Resolve(string server)
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
                all = Dns.GetHostAddresses(server);
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

        private static Socket ConnectSocket(IPAddress[] addresses, OmapiConnectionOptions options, CancellationToken token)
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
                        socket.Connect(new IPEndPoint(address, options.Port));
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

        private static void WriteAll(Socket socket, byte[] data, CancellationToken token)
        {
            using (token.Register(static s => ((Socket)s!).Dispose(), socket))
            {
                int sent = 0;
                while (sent < data.Length)
                {
                    sent += socket.Send(data, sent, data.Length - sent, SocketFlags.None);
                }
            }

            token.ThrowIfCancellationRequested();
        }

        private static byte[] ReadIntro(Socket socket, string endpoint, CancellationToken token)
        {
            var buffer = new byte[OmapiCodec.IntroLength];
            int read = 0;
            using (token.Register(static s => ((Socket)s!).Dispose(), socket))
            {
                while (read < buffer.Length)
                {
                    int n;
                    try
                    {
                        n = socket.Receive(buffer, read, buffer.Length - read, SocketFlags.None);
                    }
                    catch (ObjectDisposedException) when (token.IsCancellationRequested)
                    {
                        throw new OperationCanceledException(token);
                    }
                    catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionReset || ex.SocketErrorCode == SocketError.ConnectionAborted)
                    {
                        throw ClosedBeforeIntro(endpoint, read, ex);
                    }

                    if (n == 0)
                    {
                        throw ClosedBeforeIntro(endpoint, read, null);
                    }

                    read += n;
                }
            }

            token.ThrowIfCancellationRequested();
            return buffer;
        }

        /// <summary>
        /// The server accepted the connection and closed it before its intro: dhcpd does that while it restarts or shuts down,
        /// and when it is out of room for OMAPI connections (dhcpd 4.4 closes at once any connection whose descriptor is above
        /// 200, so about 190 connections from all clients together is its limit). A transient condition: the session's
        /// reconnect policy tries again.
        /// </summary>
        private static OmapiConnectionException ClosedBeforeIntro(string endpoint, int read, Exception? inner) =>
            new OmapiConnectionException(
                "The server at " + endpoint + " accepted the connection and closed it before sending the OMAPI intro" + (read == 0 ? string.Empty : " (after " + read.ToString(CultureInfo.InvariantCulture) + " of its 8 bytes)") + ": dhcpd is restarting or shutting down, or has no room for another OMAPI connection (dhcpd 4.4 takes about 190 at once from all clients; close sessions you no longer use with Disconnect-Omapi). Try again in a moment.",
                inner)
            { Transient = true };

        private void Authenticate(OmapiKey key, CancellationToken token)
        {
            var open = new OmapiRequest(
                OmapiOpcode.Open,
                0,
                new OmapiValueList().Add("type", AuthenticatorType),
                new OmapiValueList().Add("name", key.Name).Add("algorithm", OmapiAlgorithms.WireName(key.Algorithm)),
                "open the authenticator '" + key.Name + "'",
                "open authenticator");
            OmapiMessage reply = Send(open, token);
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

            _channel.Authenticate(key, reply.Handle);

            // Opening the authenticator needs only the key's name: prove the secret with one signed round trip whose
            // reply must carry a valid signature too (a wrong secret gets an unsigned INVALIDKEY STATUS).
            var probe = new OmapiRequest(OmapiOpcode.Refresh, reply.Handle, null, null, "verify the secret of key '" + key.Name + "'", "refresh authenticator");
            OmapiMessage verified = Send(probe, token);
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
    }
}
