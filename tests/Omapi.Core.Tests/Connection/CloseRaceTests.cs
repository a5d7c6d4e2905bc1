using System;
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
    /// A connection closed from another thread while its reader and the bulk pump use it: every request registered at that
    /// moment must still be answered or failed (a request registered while Close failed the others was once left waiting
    /// forever, and a reply being verified as Close disposed the MAC threw a NullReferenceException out of Take).
    /// </summary>
    public class CloseRaceTests
    {
        private static readonly OmapiKey Key = new OmapiKey("race_key", OmapiAlgorithm.HmacMd5, Enumerable.Range(0, 32).Select(i => (byte)(i * 7)).ToArray());

        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public async Task A_connection_closed_from_another_thread_mid_scan_never_leaves_an_item_unanswered(bool consumerReads)
        {
            await using FakeOmapiServer server = BulkPeerTests.AnsweringServer(Key);
            var options = new OmapiConnectionOptions { Server = "127.0.0.1", Port = server.Port, Key = Key, RequestTimeout = TimeSpan.FromSeconds(60) };
            IPAddress[] input = Enumerable.Range(0, 3000).Select(BulkPeerTests.Address).ToArray();
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

                cutter.Join();
                rounds++;
            }

            // Most rounds must really cut a connection with requests in flight, or the test proves nothing.
            Assert.True(cutMidScan > 20 && cutMidScan * 2 > rounds, cutMidScan + " of " + rounds + " rounds cut mid-scan");
        }
    }
}
