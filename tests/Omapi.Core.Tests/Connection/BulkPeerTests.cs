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

        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public async Task An_input_sequence_that_throws_gives_its_items_then_its_exception_and_the_connections_stay_open(bool consumerReads)
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

            using OmapiBulkOperation<IPAddress, OmapiLease> bulk = await session.StartLeaseLookupAsync(Input(), new OmapiBulkOptions { Connections = 3, ReadOnConsumerThread = consumerReads }, TestContext.Current.CancellationToken);
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
            Assert.Equal(Address(3), (await session.GetLeaseAsync(Address(3), TestContext.Current.CancellationToken)).IPAddress);
        }

        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public async Task A_dropped_connection_fails_exactly_its_unanswered_items_and_the_others_finish_in_order(bool consumerReads)
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

            using OmapiBulkOperation<IPAddress, OmapiLease> bulk = await session.StartLeaseLookupAsync(input, new OmapiBulkOptions { Connections = 3, ReadOnConsumerThread = consumerReads }, TestContext.Current.CancellationToken);
            var results = bulk.Results(TestContext.Current.CancellationToken).ToList();

            Assert.Equal(input, results.Select(r => r.Key));
            int failed = results.Count(r => r.Error is OmapiConnectionException);
            Assert.InRange(failed, 1, 10);
            lock (droppedIds)
            {
                Assert.Equal(droppedIds.Count, failed);
            }

            Assert.Equal(input.Length - failed, results.Count(r => r.Succeeded && r.Value!.IPAddress.Equals(r.Key) && r.Value.State == LeaseState.Active));
        }

        /// <summary>
        /// A connection closed from another thread while its reader and the bulk pump use it: every request registered at that
        /// moment must still be answered or failed (a request registered while Close failed the others was once left waiting
        /// forever, and a reply being verified as Close disposed the MAC threw a NullReferenceException out of Take).
        /// </summary>
        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public async Task A_connection_closed_from_another_thread_mid_scan_never_leaves_an_item_unanswered(bool consumerReads)
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
                using OmapiBulkOperation<IPAddress, OmapiLease> bulk = await session.StartLeaseLookupAsync(input, new OmapiBulkOptions { Connections = 3, ReadOnConsumerThread = consumerReads }, TestContext.Current.CancellationToken);
                int delayUs = random.Next(0, 20000);
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
                Assert.All(results, r => Assert.True(r.Succeeded || r.Error is OmapiConnectionException, r.Error?.ToString()));
                if (results.Any(r => r.Error != null))
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
