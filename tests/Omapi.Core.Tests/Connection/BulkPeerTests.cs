using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using Omapi.Core.Bulk;
using Omapi.Core.Connection;
using Omapi.Core.Objects;
using Omapi.Core.Protocol;
using Omapi.Core.Security;
using Xunit;

namespace Omapi.Core.Tests.Connection
{
    /// <summary>
    /// Bulk behaviour a real dhcpd cannot be made to show on cue: one connection dropping with requests unanswered, an input
    /// sequence that throws, connections cut from another thread at random moments of a scan.
    /// </summary>
    public class BulkPeerTests
    {
        private static readonly OmapiKey Key = new OmapiKey("bulk_key", OmapiAlgorithm.HmacMd5, Enumerable.Range(0, 32).Select(i => (byte)(i * 3)).ToArray());

        /// <summary>A peer that answers every lease lookup with an active lease at the address asked for.</summary>
        internal static FakeOmapiServer AnsweringServer(OmapiKey key) => new FakeOmapiServer(async (peer, _) =>
        {
            await peer.HandshakeAsync(key, 4);
            using OmapiMac mac = key.CreateMac();
            while (await peer.ReadMessageAsync() is (OmapiMessage request, int _))
            {
                byte[] ip = request.ObjectValues.Get("ip-address")!;
                await peer.SendAsync(new OmapiMessage(OmapiOpcode.Update, 100, 9, request.Id, null, new OmapiValueList().Add("ip-address", ip).Add("state", 2u)) { AuthId = 4 }, mac);
            }
        });

        internal static IPAddress Address(int i) => new IPAddress(new byte[] { 198, 51, (byte)(i / 250), (byte)(1 + (i % 250)) });

        [Fact]
        public async Task An_input_sequence_that_throws_gives_its_items_then_its_exception_and_the_connections_stay_open()
        {
            // The sequence is read by whichever thread refills a window, often a reader inside a connection's dispatch: its
            // exception must reach the consumer, not take a connection down.
            await using FakeOmapiServer server = AnsweringServer(Key);
            var options = server.ClientOptions(Key, 20);
            using OmapiSession session = await OmapiSession.ConnectAsync(options, TestContext.Current.CancellationToken);
            var broken = new InvalidOperationException("test: the input failed");
            IEnumerable<IPAddress> Input()
            {
                for (int i = 0; i < 700; i++)
                {
                    yield return Address(i);
                }

                throw broken;
            }

            using OmapiBulkOperation<IPAddress, OmapiLease> bulk = await session.StartLeaseLookupAsync(Input(), new OmapiBulkOptions { Connections = 3 }, TestContext.Current.CancellationToken);
            var taken = new List<OmapiBulkResult<IPAddress, OmapiLease>>();
            var thrown = Assert.Throws<InvalidOperationException>(() =>
            {
                foreach (OmapiBulkResult<IPAddress, OmapiLease> r in bulk.Results(TestContext.Current.CancellationToken))
                {
                    taken.Add(r);
                }
            });

            Assert.Same(broken, thrown);
            Assert.Equal(Enumerable.Range(0, 700).Select(Address), taken.Select(r => r.Key));
            Assert.All(taken, r => Assert.True(r.Succeeded, r.Error?.ToString()));
            Assert.All(session.Connections, c => Assert.True(c.IsOpen));
            Assert.Equal(Address(3), (await session.GetLeaseAsync(Address(3), TestContext.Current.CancellationToken)).GetIPAddress().ToIPAddress());
        }

        [Fact]
        public async Task A_bulk_operation_runs_on_the_open_connection_when_the_server_takes_no_more()
        {
            // dhcpd closes a connection it has no room for before its intro (about 190 from all clients together). The
            // operation starts on the session's open connection and opens the others while it runs: one that cannot be opened
            // leaves it on fewer, it neither fails nor waits.
            await using var server = new FakeOmapiServer(async (peer, index) =>
            {
                if (index > 0)
                {
                    return; // closed before the intro
                }

                await peer.HandshakeAsync(Key, 4);
                using OmapiMac mac = Key.CreateMac();
                while (await peer.ReadMessageAsync() is (OmapiMessage request, int _))
                {
                    byte[] ip = request.ObjectValues.Get("ip-address")!;
                    await peer.SendAsync(new OmapiMessage(OmapiOpcode.Update, 100, 9, request.Id, null, new OmapiValueList().Add("ip-address", ip).Add("state", 2u)) { AuthId = 4 }, mac);
                }
            });
            using OmapiSession session = await OmapiSession.ConnectAsync(server.ClientOptions(Key, 20), TestContext.Current.CancellationToken);
            IPAddress[] input = Enumerable.Range(0, 700).Select(Address).ToArray();

            using OmapiBulkOperation<IPAddress, OmapiLease> bulk = await session.StartLeaseLookupAsync(input, new OmapiBulkOptions { Connections = 4 }, TestContext.Current.CancellationToken);
            List<OmapiBulkResult<IPAddress, OmapiLease>> results = bulk.Results(TestContext.Current.CancellationToken).ToList();

            Assert.Equal(input, results.Select(r => r.Key));
            Assert.All(results, r => Assert.True(r.Succeeded, r.Error?.ToString()));
            Assert.True(server.Accepted >= 2, "the operation never tried to open another connection: " + server.Accepted);
            Assert.Equal(0, bulk.LostConnections);
            OmapiConnection only = Assert.Single(session.Connections);
            Assert.Equal(input.Length + 2, only.RepliesReceived); // every lookup went over it (+ the two of authentication)
        }

        [Fact]
        public async Task A_dropped_connection_fails_nothing_its_unanswered_items_are_asked_again_and_all_finish_in_order()
        {
            var droppedIds = new List<uint>();
            await using var server = new FakeOmapiServer(async (peer, index) =>
            {
                await peer.HandshakeAsync(Key, 4);
                using OmapiMac mac = Key.CreateMac();
                while (await peer.ReadMessageAsync() is (OmapiMessage request, int _))
                {
                    if (index == 1)
                    {
                        // The second connection takes its first requests and then drops without answering them.
                        lock (droppedIds)
                        {
                            droppedIds.Add(request.Id);
                        }

                        if (!peer.HasBufferedData)
                        {
                            return;
                        }

                        continue;
                    }

                    byte[] ip = request.ObjectValues.Get("ip-address")!;
                    await peer.SendAsync(new OmapiMessage(OmapiOpcode.Update, 100, 9, request.Id, null, new OmapiValueList().Add("ip-address", ip).Add("state", 2u)) { AuthId = 4 }, mac);
                }
            });
            var options = server.ClientOptions(Key, 20);
            using OmapiSession session = await OmapiSession.ConnectAsync(options, TestContext.Current.CancellationToken);
            IPAddress[] input = Enumerable.Range(1, 200).Select(i => new IPAddress(new byte[] { 198, 51, 100, (byte)i })).ToArray();

            // A bulk operation opens its extra connections while it runs; an empty one opens them (its Dispose waits for
            // them), so that the scan below has the second connection, the one that drops, from its first request.
            using (await session.StartLeaseLookupAsync(Array.Empty<IPAddress>(), new OmapiBulkOptions { Connections = 3 }, TestContext.Current.CancellationToken))
            {
            }

            Assert.Equal(3, session.Connections.Count);
            using OmapiBulkOperation<IPAddress, OmapiLease> bulk = await session.StartLeaseLookupAsync(input, new OmapiBulkOptions { Connections = 3 }, TestContext.Current.CancellationToken);
            var results = bulk.Results(TestContext.Current.CancellationToken).ToList();

            Assert.Equal(input, results.Select(r => r.Key));
            Assert.All(results, r => Assert.True(r.Succeeded && r.Value!.GetIPAddress().ToIPAddress().Equals(r.Key) && r.Value.GetState() == LeaseState.Active, r.Error?.ToString()));
            lock (droppedIds)
            {
                Assert.NotEmpty(droppedIds); // the drop really happened with requests unanswered
            }

            Assert.Equal(1, bulk.LostConnections);

            // The session re-opens the lost connection while the others finish the items: it may still be at it.
            var reopening = Stopwatch.StartNew();
            while (server.Accepted < 4 && reopening.Elapsed < TimeSpan.FromSeconds(10))
            {
                await Task.Delay(10, TestContext.Current.CancellationToken);
            }

            Assert.True(server.Accepted >= 4, "the lost connection was re-opened: " + server.Accepted + " accepted");
        }

        [Fact]
        public async Task When_the_server_is_gone_for_good_the_operation_ends_with_one_error_after_the_results_it_had()
        {
            // The server answers 500 lookups, then goes away (connections closed, listener stopped): every further connect is
            // refused. One terminating error, not one per remaining address (it was once 917,236 of them for a /12).
            int answered = 0;
            var gone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var server = new FakeOmapiServer(async (peer, _) =>
            {
                await peer.HandshakeAsync(Key, 4);
                using OmapiMac mac = Key.CreateMac();
                while (await peer.ReadMessageAsync() is (OmapiMessage request, int _))
                {
                    if (Interlocked.Increment(ref answered) > 500)
                    {
                        gone.TrySetResult();
                        return;
                    }

                    byte[] ip = request.ObjectValues.Get("ip-address")!;
                    await peer.SendAsync(new OmapiMessage(OmapiOpcode.Update, 100, 9, request.Id, null, new OmapiValueList().Add("ip-address", ip).Add("state", 2u)) { AuthId = 4 }, mac);
                }
            });
            OmapiConnectionOptions options = server.ClientOptions(Key, 20);
            options.ReconnectDelay = TimeSpan.FromMilliseconds(50);
            using OmapiSession session = await OmapiSession.ConnectAsync(options, TestContext.Current.CancellationToken);
            IEnumerable<IPAddress> Endless()
            {
                for (int i = 0; ; i++)
                {
                    yield return Address(i % 60000);
                }
            }

            using OmapiBulkOperation<IPAddress, OmapiLease> bulk = await session.StartLeaseLookupAsync(Endless(), new OmapiBulkOptions { Connections = 3 }, TestContext.Current.CancellationToken);
            _ = gone.Task.ContinueWith(_ => server.DisposeAsync().AsTask(), TaskScheduler.Default);
            var results = new List<OmapiBulkResult<IPAddress, OmapiLease>>();
            Task<Exception?> consume = Task.Factory.StartNew<Exception?>(
                () =>
                {
                    try
                    {
                        foreach (OmapiBulkResult<IPAddress, OmapiLease> r in bulk.Results(TestContext.Current.CancellationToken))
                        {
                            results.Add(r);
                        }
                    }
                    catch (OmapiConnectionException ex)
                    {
                        return ex;
                    }

                    return null;
                },
                TestContext.Current.CancellationToken,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default);
            Exception? error = await consume.WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);

            Assert.NotNull(error);
            Assert.Contains("stopped after", error!.Message, StringComparison.Ordinal);
            Assert.InRange(results.Count, 1, 500);
            Assert.All(results, r => Assert.True(r.Succeeded, r.Error?.ToString())); // no error item: just the one exception
            Assert.Equal(Enumerable.Range(0, results.Count).Select(Address), results.Select(r => r.Key));
        }

        /// <summary>
        /// A connection closed from another thread while its reader and the bulk pump use it: every item registered at that
        /// moment must still be answered, on another connection (a request registered while Close failed the others was once
        /// left waiting forever, and a reply being verified as Close disposed the MAC threw a NullReferenceException out of Take).
        /// </summary>
        [Fact]
        public async Task A_connection_closed_from_another_thread_mid_scan_never_leaves_an_item_unanswered()
        {
            await using FakeOmapiServer server = AnsweringServer(Key);
            var options = server.ClientOptions(Key, 60);
            IPAddress[] input = Enumerable.Range(0, 3000).Select(Address).ToArray();
            var random = new Random(7);
            var clock = Stopwatch.StartNew();
            int rounds = 0;
            int cutMidScan = 0;
            while (clock.Elapsed < TimeSpan.FromSeconds(10))
            {
                using OmapiSession session = await OmapiSession.ConnectAsync(options, TestContext.Current.CancellationToken);
                using OmapiBulkOperation<IPAddress, OmapiLease> bulk = await session.StartLeaseLookupAsync(input, new OmapiBulkOptions { Connections = 3 }, TestContext.Current.CancellationToken);
                int delayUs = random.Next(0, 20000);

                // The operation starts on the first connection and opens the others as it runs: cut one of those once it is in.
                var opening = Stopwatch.StartNew();
                while (session.Connections.Count < 3 && opening.Elapsed < TimeSpan.FromSeconds(10))
                {
                    Thread.Yield();
                }

                OmapiConnection victim = session.Connections[1];
                var cutter = new Thread(() =>
                {
                    var w = Stopwatch.StartNew();
                    while (w.Elapsed.TotalMilliseconds * 1000 < delayUs)
                    {
                    }

                    victim.Abort(new OmapiConnectionException("test: cut"));
                });
                cutter.Start();
                var consume = Task.Factory.StartNew(() => bulk.Results(TestContext.Current.CancellationToken).ToList(), TestContext.Current.CancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);
                Task finished = await Task.WhenAny(consume, Task.Delay(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
                Assert.True(finished == consume, "round " + rounds + " (cut after " + delayUs + " µs) hung: issued " + bulk.Issued);
                var results = await consume;
                Assert.Equal(input, results.Select(r => r.Key));
                Assert.All(results, r => Assert.True(r.Succeeded, r.Error?.ToString())); // the cut connection's items were asked again
                if (bulk.LostConnections > 0)
                {
                    cutMidScan++;
                }

                Assert.True(cutter.Join(TimeSpan.FromSeconds(10)), "the cutting thread did not end");
                rounds++;
            }

            // Most rounds must really cut a connection with requests in flight, or the test proves nothing.
            Assert.True(cutMidScan > 20 && cutMidScan * 2 > rounds, cutMidScan + " of " + rounds + " rounds cut mid-scan");
        }
    }
}
