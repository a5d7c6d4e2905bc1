using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using Omapi.Core.Connection;
using Omapi.Core.Objects;
using Omapi.Core.Protocol;
using Omapi.Core.Security;
using Xunit;

namespace Omapi.Core.Tests.Connection
{
    /// <summary>
    /// Behaviour against peers that misbehave in ways a real dhcpd cannot be made to: each gives a specific error,
    /// closes only the offending connection, and never hangs.
    /// </summary>
    public class HostilePeerTests
    {
        private static readonly OmapiKey Key = new OmapiKey("fake_key", OmapiAlgorithm.HmacSha256, Enumerable.Range(0, 32).Select(i => (byte)(i * 7)).ToArray());

        private static OmapiConnectionOptions Options(FakeOmapiServer server, bool withKey, double requestSeconds = 10) => server.ClientOptions(withKey ? Key : null, requestSeconds);

        private static async Task<OmapiLease> AskLease(OmapiConnection c)
        {
            OmapiMessage reply = await c.SendAsync(new OmapiRequest(OmapiOpcode.Open, 0, new OmapiValueList().Add("type", "lease"), new OmapiValueList().Add("ip-address", new byte[] { 198, 51, 100, 9 }), "open lease 198.51.100.9", "open lease"));
            return OmapiLease.FromObject(OmapiReplies.ExpectObject(reply, "lease", "open lease"), "fake");
        }

        private static Task Serve(FakePeer peer, bool withKey) => peer.HandshakeAsync(withKey ? Key : null, 9);

        [Fact]
        public async Task A_server_that_never_answers_gives_a_timeout_naming_the_operation()
        {
            await using var server = new FakeOmapiServer(async (peer, _) =>
            {
                await Serve(peer, withKey: false);
                while (await peer.ReadMessageAsync() != null)
                {
                    // swallow every request
                }
            });
            using OmapiConnection c = await OmapiConnection.ConnectAsync(Options(server, false, requestSeconds: 0.3), TestContext.Current.CancellationToken);
            var ex = await Assert.ThrowsAsync<OmapiTimeoutException>(() => c.SendAsync(new OmapiRequest(OmapiOpcode.Refresh, 5, null, null, "refresh lease 5"), TestContext.Current.CancellationToken));
            Assert.Equal("refresh lease 5", ex.Operation);
            Assert.Contains("0.3 s", ex.Message, StringComparison.Ordinal);
        }

        [Fact]
        public async Task A_server_that_never_sends_its_intro_gives_a_connect_timeout()
        {
            await using var server = new FakeOmapiServer(async (peer, _) => await Task.Delay(Timeout.Infinite, TestContext.Current.CancellationToken));
            var options = Options(server, false);
            options.ConnectTimeout = TimeSpan.FromMilliseconds(300);
            await Assert.ThrowsAsync<OmapiTimeoutException>(() => OmapiConnection.ConnectAsync(options, TestContext.Current.CancellationToken));
        }

        [Fact]
        public async Task A_server_that_never_completes_the_TCP_handshake_gives_a_connect_timeout_by_either_path()
        {
            // Sockets are blocking (docs/design/core-connection.md): the time limit must end a connect() that hangs, as it
            // does behind a firewall that drops. A listener whose accept queue is full drops SYNs: the next connect hangs.
            using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            listener.Listen(1);
            int port = ((IPEndPoint)listener.LocalEndPoint!).Port;
            var fillers = new List<Socket>();
            try
            {
                for (int i = 0; i < 4; i++)
                {
                    var filler = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { Blocking = false };
                    fillers.Add(filler);
                    try
                    {
                        filler.Connect(IPAddress.Loopback, port);
                    }
                    catch (SocketException)
                    {
                        // in progress
                    }
                }

                await Task.Delay(200, TestContext.Current.CancellationToken);
                var options = new OmapiConnectionOptions { Server = "127.0.0.1", Port = port, ConnectTimeout = TimeSpan.FromMilliseconds(400) };

                // The asynchronous entry point (Connect-Omapi, bulk connections) ...
                Task<OmapiConnection> connecting = OmapiConnection.ConnectAsync(options, TestContext.Current.CancellationToken);
                Task first = await Task.WhenAny(connecting, Task.Delay(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken));
                Assert.True(first == connecting, "the connect did not end within 20 s: its time limit did not abort the blocking connect()");
                await Assert.ThrowsAsync<OmapiTimeoutException>(() => connecting);

                // ... and the synchronous one (a lookup that re-opens its session's connection on the pipeline thread).
                Task<OmapiConnection> blocking = Task.Factory.StartNew(() => OmapiConnection.Connect(options, null, TestContext.Current.CancellationToken), TestContext.Current.CancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);
                first = await Task.WhenAny(blocking, Task.Delay(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken));
                Assert.True(first == blocking, "the synchronous connect did not end within 20 s");
                await Assert.ThrowsAsync<OmapiTimeoutException>(() => blocking);
            }
            finally
            {
                foreach (Socket filler in fillers)
                {
                    filler.Dispose();
                }
            }
        }

        [Fact]
        public async Task A_server_that_never_answers_the_authentication_gives_a_connect_timeout()
        {
            await using var server = new FakeOmapiServer(async (peer, _) =>
            {
                await peer.SendIntroAsync();
                await peer.ReadIntroAsync();
                while (await peer.ReadMessageAsync() != null)
                {
                    // swallow the authenticator open
                }
            });
            var options = Options(server, withKey: true);
            options.ConnectTimeout = TimeSpan.FromMilliseconds(400);
            var ex = await Assert.ThrowsAsync<OmapiTimeoutException>(() => OmapiConnection.ConnectAsync(options, TestContext.Current.CancellationToken));
            Assert.Contains("connect to 127.0.0.1", ex.Operation, StringComparison.Ordinal);
        }

        [Fact]
        public async Task Cancellation_ends_the_wait_and_the_late_reply_is_discarded()
        {
            var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            await using var server = new FakeOmapiServer(async (peer, _) =>
            {
                await Serve(peer, withKey: false);
                var first = await peer.ReadMessageAsync();
                await release.Task;
                await peer.SendAsync(FakePeer.Status(first!.Value.Message.Id, 0));
                var second = await peer.ReadMessageAsync();
                await peer.SendAsync(FakePeer.Status(second!.Value.Message.Id, 0));
                await peer.ReadMessageAsync();
            });
            using OmapiConnection c = await OmapiConnection.ConnectAsync(Options(server, false), TestContext.Current.CancellationToken);
            using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => c.SendAsync(new OmapiRequest(OmapiOpcode.Delete, 5, null, null, "delete"), cts.Token));
            Assert.Equal(1, c.InFlight); // still owed by the server: its bytes stay counted

            release.SetResult();
            OmapiMessage reply = await c.SendAsync(new OmapiRequest(OmapiOpcode.Delete, 6, null, null, "delete"), TestContext.Current.CancellationToken);
            Assert.Equal(OmapiOpcode.Status, reply.Op);
            Assert.True(c.IsOpen); // the late reply to the cancelled request was not a protocol error
            Assert.Equal(0, c.InFlight);
        }

        [Fact]
        public async Task An_unsigned_update_on_an_authenticated_connection_is_refused_and_closes_it()
        {
            await using var server = new FakeOmapiServer(async (peer, _) =>
            {
                await Serve(peer, withKey: true);
                var request = await peer.ReadMessageAsync();
                await peer.SendAsync(new OmapiMessage(OmapiOpcode.Update, 77, 2000, request!.Value.Message.Id, null, new OmapiValueList().Add("ip-address", new byte[] { 198, 51, 100, 9 }).Add("state", 2u)));
                await peer.ReadMessageAsync();
            });
            using OmapiConnection c = await OmapiConnection.ConnectAsync(Options(server, true), TestContext.Current.CancellationToken);
            Assert.True(c.IsAuthenticated);
            var ex = await Assert.ThrowsAsync<OmapiProtocolException>(() => AskLease(c));
            Assert.Contains("not signed", ex.Message, StringComparison.Ordinal);
            Assert.False(c.IsOpen);
        }

        [Fact]
        public async Task A_reply_with_a_bad_signature_is_refused()
        {
            await using var server = new FakeOmapiServer(async (peer, _) =>
            {
                await Serve(peer, withKey: true);
                var request = await peer.ReadMessageAsync();
                using OmapiMac wrong = new OmapiKey("fake_key", OmapiAlgorithm.HmacSha256, new byte[32]).CreateMac();
                await peer.SendAsync(new OmapiMessage(OmapiOpcode.Update, 77, 2000, request!.Value.Message.Id, null, new OmapiValueList().Add("state", 2u)) { AuthId = 9 }, wrong);
                await peer.ReadMessageAsync();
            });
            using OmapiConnection c = await OmapiConnection.ConnectAsync(Options(server, true), TestContext.Current.CancellationToken);
            var ex = await Assert.ThrowsAsync<OmapiProtocolException>(() => AskLease(c));
            Assert.Contains("did not verify", ex.Message, StringComparison.Ordinal);
        }

        [Fact]
        public async Task An_unsigned_invalidkey_status_is_accepted_as_the_servers_answer()
        {
            await using var server = new FakeOmapiServer(async (peer, _) =>
            {
                await Serve(peer, withKey: true);
                var request = await peer.ReadMessageAsync();
                await peer.SendAsync(FakePeer.Status(request!.Value.Message.Id, (uint)OmapiResult.InvalidKey));
                await peer.ReadMessageAsync();
            });
            using OmapiConnection c = await OmapiConnection.ConnectAsync(Options(server, true), TestContext.Current.CancellationToken);
            var ex = await Assert.ThrowsAsync<OmapiAuthenticationException>(() => AskLease(c));
            Assert.Equal((uint)OmapiResult.InvalidKey, ex.ResultCode);
            Assert.True(c.IsOpen);
        }

        [Fact]
        public async Task A_reply_to_an_id_never_asked_is_a_protocol_error()
        {
            await using var server = new FakeOmapiServer(async (peer, _) =>
            {
                await Serve(peer, withKey: false);
                var request = await peer.ReadMessageAsync();
                await peer.SendAsync(FakePeer.Status(request!.Value.Message.Id + 1000, 0));
                await peer.ReadMessageAsync();
            });
            using OmapiConnection c = await OmapiConnection.ConnectAsync(Options(server, false), TestContext.Current.CancellationToken);
            var ex = await Assert.ThrowsAsync<OmapiProtocolException>(() => c.SendAsync(new OmapiRequest(OmapiOpcode.Delete, 5, null, null, "delete"), TestContext.Current.CancellationToken));
            Assert.Contains("never sent", ex.Message, StringComparison.Ordinal);
            Assert.False(c.IsOpen);
        }

        [Fact]
        public async Task An_absurd_length_closes_the_connection_without_waiting_or_allocating()
        {
            await using var server = new FakeOmapiServer(async (peer, _) =>
            {
                await Serve(peer, withKey: false);
                var request = await peer.ReadMessageAsync();
                byte[] header = OmapiCodec.Encode(new OmapiMessage(OmapiOpcode.Update, 1, 1, request!.Value.Message.Id)).Take(24).ToArray();
                await peer.SendRawAsync(header.Concat(TestHex.Bytes("0004 \"name\" fffffff0")).ToArray());
                await Task.Delay(Timeout.Infinite, TestContext.Current.CancellationToken); // never send the 4 GiB
            });
            using OmapiConnection c = await OmapiConnection.ConnectAsync(Options(server, false), TestContext.Current.CancellationToken);
            long before = GC.GetTotalAllocatedBytes(precise: true);
            var ex = await Assert.ThrowsAsync<OmapiProtocolException>(() => c.SendAsync(new OmapiRequest(OmapiOpcode.Refresh, 1, null, null, "refresh"), TestContext.Current.CancellationToken));
            Assert.Contains("MaxMessageSize", ex.Message, StringComparison.Ordinal);
            Assert.True(GC.GetTotalAllocatedBytes(precise: true) - before < 16 * 1024 * 1024);
            Assert.False(c.IsOpen);
        }

        [Theory]
        [InlineData(101u, 24u)]
        [InlineData(100u, 20u)]
        public async Task A_wrong_intro_is_a_protocol_error(uint version, uint headerLength)
        {
            await using var server = new FakeOmapiServer(async (peer, _) =>
            {
                await peer.SendIntroAsync(version, headerLength);
                await peer.ReadIntroAsync();
                await peer.ReadMessageAsync();
            });
            await Assert.ThrowsAsync<OmapiProtocolException>(() => OmapiConnection.ConnectAsync(Options(server, false), TestContext.Current.CancellationToken));
        }

        [Fact]
        public async Task Garbage_instead_of_a_reply_is_a_protocol_error()
        {
            await using var server = new FakeOmapiServer(async (peer, _) =>
            {
                await Serve(peer, withKey: false);
                await peer.ReadMessageAsync();
                await peer.SendRawAsync(System.Text.Encoding.ASCII.GetBytes("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"));
                await peer.ReadMessageAsync();
            });
            using OmapiConnection c = await OmapiConnection.ConnectAsync(Options(server, false), TestContext.Current.CancellationToken);
            await Assert.ThrowsAsync<OmapiProtocolException>(() => c.SendAsync(new OmapiRequest(OmapiOpcode.Refresh, 1, null, null, "refresh"), TestContext.Current.CancellationToken));
        }

        [Fact]
        public async Task A_server_announcing_a_longer_header_has_its_padding_skipped()
        {
            await using var server = new FakeOmapiServer(async (peer, _) =>
            {
                await peer.SendIntroAsync(100, 56);
                await peer.ReadIntroAsync();
                var request = await peer.ReadMessageAsync();
                byte[] reply = OmapiCodec.Encode(FakePeer.Status(request!.Value.Message.Id, 23, "no object matches specification"));
                await peer.SendRawAsync(reply.Take(24).Concat(new byte[32]).Concat(reply.Skip(24)).ToArray());
                await peer.ReadMessageAsync();
            });
            using OmapiConnection c = await OmapiConnection.ConnectAsync(Options(server, false), TestContext.Current.CancellationToken);
            OmapiMessage reply = await c.SendAsync(new OmapiRequest(OmapiOpcode.Refresh, 1, null, null, "refresh"), TestContext.Current.CancellationToken);
            Assert.Equal(23u, OmapiReplies.ResultOf(reply));
            Assert.Equal("no object matches specification", OmapiReplies.MessageOf(reply));
        }

        [Fact]
        public async Task A_lookup_whose_connection_drops_is_asked_again_on_a_new_one()
        {
            await using var server = new FakeOmapiServer(async (peer, index) =>
            {
                await Serve(peer, withKey: true);
                var request = await peer.ReadMessageAsync();
                if (index == 0)
                {
                    return; // drop the connection with the request unanswered
                }

                using OmapiMac mac = Key.CreateMac();
                await peer.SendAsync(new OmapiMessage(OmapiOpcode.Update, 77, 2000, request!.Value.Message.Id, null, new OmapiValueList()
                    .Add("ip-address", new byte[] { 198, 51, 100, 9 }).Add("state", 2u)) { AuthId = 9 }, mac);
                await peer.ReadMessageAsync();
            });
            using OmapiSession session = await OmapiSession.ConnectAsync(Options(server, true), TestContext.Current.CancellationToken);

            // A lookup changes nothing, so the session asks it once more on a new connection (dhcpd restarting under a script).
            OmapiLease lease = await session.GetLeaseAsync(IPAddress.Parse("198.51.100.9"), TestContext.Current.CancellationToken);
            Assert.Equal(LeaseState.Active, lease.GetState());
            Assert.Equal(2, server.Accepted);
            Assert.Equal(1, session.Reconnects);
        }
    }
}
