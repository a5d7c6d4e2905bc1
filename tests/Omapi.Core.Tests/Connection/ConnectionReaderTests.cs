using System;
using System.Diagnostics;
using System.Linq;
using System.Net;
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
    /// One reader per connection, from connect to close: blocking (Send) and awaiting (SendAsync) callers write and wait for
    /// the reader to end their request. Each case must leave the connection usable (or closed, for a protocol violation or a
    /// timeout) with no request left unanswered and no window bytes leaked.
    /// </summary>
    public class ConnectionReaderTests
    {
        private static readonly OmapiKey Key = new OmapiKey("fake_key", OmapiAlgorithm.HmacSha256, Enumerable.Range(0, 32).Select(i => (byte)(i * 5)).ToArray());

        private static OmapiConnectionOptions Options(FakeOmapiServer server, double requestSeconds = 10) => server.ClientOptions(Key, requestSeconds);

        private static OmapiRequest Refresh(uint handle) => new OmapiRequest(OmapiOpcode.Refresh, handle, null, null, "refresh " + handle, "refresh");

        private static Task Serve(FakePeer peer) => peer.HandshakeAsync(Key, 9);

        /// <summary>A signed UPDATE answering <paramref name="rid"/> that carries the handle asked for, so answers can be told apart.</summary>
        private static Task Answer(FakePeer peer, OmapiMessage request)
        {
            using OmapiMac mac = Key.CreateMac();
            return peer.SendAsync(new OmapiMessage(OmapiOpcode.Update, request.Handle, 5000 + request.Handle, request.Id, null, new OmapiValueList().Add("state", 2u)) { AuthId = 9 }, mac);
        }

        [Fact]
        public async Task Every_reply_is_read_by_the_one_reader_thread_and_wakes_its_caller()
        {
            await using var server = new FakeOmapiServer(async (peer, _) =>
            {
                await Serve(peer);
                while (await peer.ReadMessageAsync() is { } request)
                {
                    await Answer(peer, request.Message);
                }
            });
            using OmapiConnection c = await OmapiConnection.ConnectAsync(Options(server), TestContext.Current.CancellationToken);
            var readers = new System.Collections.Concurrent.ConcurrentDictionary<int, bool>();
            c.WindowOpened += () => readers[Environment.CurrentManagedThreadId] = true;

            int caller = 0;
            OmapiMessage reply = await Task.Run(() =>
            {
                caller = Environment.CurrentManagedThreadId;
                return c.Send(Refresh(41), TestContext.Current.CancellationToken);
            });
            OmapiMessage later = await c.SendAsync(Refresh(42), TestContext.Current.CancellationToken);
            OmapiMessage[] many = await Task.WhenAll(Enumerable.Range(100, 20).Select(h => c.SendAsync(Refresh((uint)h), TestContext.Current.CancellationToken)));

            Assert.Equal(41u, reply.Handle);
            Assert.Equal(42u, later.Handle);
            Assert.Equal(Enumerable.Range(100, 20).Select(h => (uint)h), many.Select(m => m.Handle));
            int reader = Assert.Single(readers.Keys);
            Assert.NotEqual(caller, reader);
            Assert.Equal(0, c.InFlight);
            Assert.True(c.IsOpen);
        }

        [Fact]
        public async Task A_timeout_retires_the_connection_so_a_late_or_half_read_reply_cannot_stall_later_requests()
        {
            var answerLate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            await using var server = new FakeOmapiServer(async (peer, _) =>
            {
                await Serve(peer);
                var first = await peer.ReadMessageAsync();
                await answerLate.Task;
                await Answer(peer, first!.Value.Message);
                while (await peer.ReadMessageAsync() is { } request)
                {
                    await Answer(peer, request.Message);
                }
            });
            using OmapiConnection c = await OmapiConnection.ConnectAsync(Options(server, requestSeconds: 0.3), TestContext.Current.CancellationToken);

            var clock = Stopwatch.StartNew();
            var ex = Assert.Throws<OmapiTimeoutException>(() => c.Send(Refresh(7), TestContext.Current.CancellationToken));
            Assert.Equal("refresh 7", ex.Operation);
            Assert.True(ex.ReplyLost); // it was sent: the server may have acted on it
            Assert.InRange(clock.Elapsed.TotalSeconds, 0.25, 5);
            Assert.False(c.IsOpen); // retired: not kept with a request the server still owes
            Assert.IsType<OmapiConnectionException>(c.Fault);
            Assert.Contains("got no reply within 0.3 s", c.Fault!.Message, StringComparison.Ordinal);
            Assert.Equal(0, c.InFlight);

            var next = Assert.Throws<OmapiConnectionException>(() => c.Send(Refresh(8), TestContext.Current.CancellationToken));
            Assert.False(next.ReplyLost); // refused before anything was written
            answerLate.SetResult();
        }

        [Fact]
        public async Task Cancellation_ends_the_wait_within_milliseconds()
        {
            await using var server = new FakeOmapiServer(async (peer, _) =>
            {
                await Serve(peer);
                while (await peer.ReadMessageAsync() != null)
                {
                    // never answer
                }
            });
            using OmapiConnection c = await OmapiConnection.ConnectAsync(Options(server), TestContext.Current.CancellationToken);
            // The clock starts before the token's timer: started after it, a busy machine measured 93 ms for a 150 ms
            // cancellation (the time between the two was not counted).
            var clock = Stopwatch.StartNew();
            using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(150));
            Assert.ThrowsAny<OperationCanceledException>(() => c.Send(Refresh(3), stop.Token));
            Assert.InRange(clock.Elapsed.TotalSeconds, 0.1, 2);
            Assert.True(c.IsOpen);
        }

        [Fact]
        public async Task A_server_that_drops_the_connection_fails_the_wait_at_once()
        {
            await using var server = new FakeOmapiServer(async (peer, _) =>
            {
                await Serve(peer);
                await peer.ReadMessageAsync();
                peer.Dispose();
            });
            using OmapiConnection c = await OmapiConnection.ConnectAsync(Options(server), TestContext.Current.CancellationToken);

            var clock = Stopwatch.StartNew();
            var ex = Assert.Throws<OmapiConnectionException>(() => c.Send(Refresh(3), TestContext.Current.CancellationToken));
            Assert.Contains("unanswered", ex.Message, StringComparison.Ordinal);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5));
            Assert.False(c.IsOpen);
        }

        [Fact]
        public async Task A_protocol_violation_read_by_the_caller_closes_the_connection()
        {
            await using var server = new FakeOmapiServer(async (peer, _) =>
            {
                await Serve(peer);
                var request = await peer.ReadMessageAsync();
                await peer.SendAsync(FakePeer.Status(request!.Value.Message.Id, 0)); // unsigned on an authenticated connection
                await peer.ReadMessageAsync();
            });
            using OmapiConnection c = await OmapiConnection.ConnectAsync(Options(server), TestContext.Current.CancellationToken);

            var ex = Assert.Throws<OmapiProtocolException>(() => c.Send(Refresh(3), TestContext.Current.CancellationToken));
            Assert.Contains("not signed", ex.Message, StringComparison.Ordinal);
            Assert.False(c.IsOpen);
            Assert.Throws<OmapiProtocolException>(() => c.Send(Refresh(4), TestContext.Current.CancellationToken));
        }

        [Fact]
        public async Task Blocking_and_awaiting_callers_share_the_connection_and_each_gets_its_own_reply()
        {
            // The server holds every answer until three requests have arrived, then answers in reverse order.
            await using var server = new FakeOmapiServer(async (peer, _) =>
            {
                await Serve(peer);
                var a = await peer.ReadMessageAsync();
                var b = await peer.ReadMessageAsync();
                var d = await peer.ReadMessageAsync();
                await Answer(peer, d!.Value.Message);
                await Answer(peer, b!.Value.Message);
                await Answer(peer, a!.Value.Message);
                await peer.ReadMessageAsync();
            });
            using OmapiConnection c = await OmapiConnection.ConnectAsync(Options(server), TestContext.Current.CancellationToken);

            // Continuations asynchronously: completed inline, the rest of this test would run on the caller thread and end by
            // joining it - itself - which hung a test run for good (2026-12-02).
            var syncDone = new TaskCompletionSource<OmapiMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
            var caller = new Thread(() =>
            {
                try
                {
                    syncDone.SetResult(c.Send(Refresh(1), TestContext.Current.CancellationToken));
                }
                catch (Exception ex)
                {
                    syncDone.SetException(ex);
                }
            });
            caller.Start();
            await WaitUntil(() => c.InFlight == 1);
            Task<OmapiMessage> async1 = c.SendAsync(Refresh(2), TestContext.Current.CancellationToken);
            Task<OmapiMessage> async2 = c.SendAsync(Refresh(3), TestContext.Current.CancellationToken);

            Assert.Equal(1u, (await syncDone.Task).Handle);
            Assert.Equal(2u, (await async1).Handle);
            Assert.Equal(3u, (await async2).Handle);
            Assert.True(caller.Join(TimeSpan.FromSeconds(10)), "the caller thread did not end");
            Assert.Equal(0, c.InFlight);
        }

        [Fact]
        public async Task Replies_out_of_order_are_matched_by_id()
        {
            var answer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            await using var server = new FakeOmapiServer(async (peer, _) =>
            {
                await Serve(peer);
                var first = await peer.ReadMessageAsync();
                var second = await peer.ReadMessageAsync();
                await answer.Task;
                await Answer(peer, second!.Value.Message); // out of order: replies are matched by id
                await Answer(peer, first!.Value.Message);
                await peer.ReadMessageAsync();
            });
            using OmapiConnection c = await OmapiConnection.ConnectAsync(Options(server), TestContext.Current.CancellationToken);

            Task<OmapiMessage> pending = c.SendAsync(Refresh(10), TestContext.Current.CancellationToken);
            Task<OmapiMessage> sync = Task.Run(() => c.Send(Refresh(11), TestContext.Current.CancellationToken));
            await WaitUntil(() => c.InFlight == 2);
            answer.SetResult();

            Assert.Equal(11u, (await sync).Handle);
            Assert.Equal(10u, (await pending).Handle);
            Assert.Equal(0, c.InFlight);
        }

        [Fact]
        public async Task A_session_notices_an_idle_connection_the_server_closed_and_reconnects_before_sending()
        {
            // The reader sees the server's close at once, so the session opens a new connection rather than send on the dead
            // one and fail the request.
            await using var server = new FakeOmapiServer(async (peer, index) =>
            {
                await Serve(peer);
                var request = await peer.ReadMessageAsync();
                using OmapiMac mac = Key.CreateMac();
                await peer.SendAsync(new OmapiMessage(OmapiOpcode.Update, 77, 2000 + (uint)index, request!.Value.Message.Id, null, new OmapiValueList()
                    .Add("ip-address", new byte[] { 198, 51, 100, 9 }).Add("state", 2u)) { AuthId = 9 }, mac);
                if (index == 0)
                {
                    return; // close the connection once it is idle
                }

                await peer.ReadMessageAsync();
            });
            using OmapiSession session = await OmapiSession.ConnectAsync(Options(server), TestContext.Current.CancellationToken);
            IPAddress address = IPAddress.Parse("198.51.100.9");
            Assert.Equal(LeaseState.Active, session.GetLease(address, TestContext.Current.CancellationToken).GetState());
            await WaitUntil(() => server.Accepted == 1);
            await Task.Delay(200, TestContext.Current.CancellationToken); // the server's close reaches our socket

            OmapiLease again = session.GetLease(address, TestContext.Current.CancellationToken);

            Assert.Equal(LeaseState.Active, again.GetState());
            Assert.Equal(2, server.Accepted);
        }

        private static async Task WaitUntil(Func<bool> condition)
        {
            var clock = Stopwatch.StartNew();
            while (!condition())
            {
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), "condition not reached within 10 s");
                await Task.Delay(5, TestContext.Current.CancellationToken);
            }
        }
    }
}
