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
using Omapi.Core.Tests.Dhcpd;
using Xunit;
using PSOmapi.Testing;

namespace Omapi.Core.Tests.Integration
{
    /// <summary>The bulk engine against the real dhcpd: order, per-item failures, cancellation, back-pressure, lost connections, stress.</summary>
    public class BulkTests : DhcpdTestBase
    {
        public BulkTests(DhcpdFixture fixture) : base(fixture) { }

        private static IEnumerable<IPAddress> RangeAndOutside(int passes)
        {
            byte[] first = DhcpdScenario.RangeStart.GetAddressBytes();
            for (int pass = 0; pass < passes; pass++)
            {
                for (int i = -3; i < DhcpdScenario.RangeSize + 3; i++) // 3 addresses below and above the range have no lease
                {
                    yield return new IPAddress(new byte[] { first[0], first[1], first[2], (byte)(first[3] + i) });
                }
            }
        }

        [Fact]
        public async Task A_range_over_four_connections_comes_back_in_order_with_failures_only_where_there_is_no_lease()
        {
            using OmapiSession session = await ConnectMainAsync();
            IPAddress[] input = RangeAndOutside(passes: 10).ToArray();
            using OmapiBulkOperation<IPAddress, OmapiLease> bulk = await session.StartLeaseLookupAsync(input, new OmapiBulkOptions { Connections = 4 }, TestContext.Current.CancellationToken);
            var results = bulk.Results(TestContext.Current.CancellationToken).ToList();

            Assert.Equal(input.Length, results.Count);
            for (int i = 0; i < input.Length; i++)
            {
                Assert.Equal(i, results[i].Index);
                Assert.Equal(input[i], results[i].Key);
                bool inRange = (i % (DhcpdScenario.RangeSize + 6)) is >= 3 and < DhcpdScenario.RangeSize + 3;
                if (inRange)
                {
                    Assert.True(results[i].Succeeded, results[i].Error?.ToString());
                    Assert.Equal(input[i], results[i].Value!.GetIPAddress().ToIPAddress());
                }
                else
                {
                    Assert.IsType<OmapiNotFoundException>(results[i].Error);
                }
            }

            foreach (SeededLease seeded in DhcpdScenario.SeededLeases)
            {
                Assert.All(results.Where(r => r.Key.Equals(seeded.IpAddress)), r => Assert.Equal((LeaseState)seeded.ExpectedState, r.Value!.GetState()));
            }

            Assert.Equal(4, session.Connections.Count);
            Assert.All(session.Connections, c => Assert.True(c.RequestsSent > 100)); // the work was spread
            AssertAllDhcpdAlive();
        }

        [Fact]
        public async Task Keys_pushed_one_by_one_come_back_in_the_order_they_were_added()
        {
            using OmapiSession session = await ConnectMainAsync();
            using OmapiBulkOperation<IPAddress, OmapiLease> bulk = await session.StartLeaseLookupAsync(null, new OmapiBulkOptions { Connections = 2 }, TestContext.Current.CancellationToken);
            var taken = new List<OmapiBulkResult<IPAddress, OmapiLease>>();
            IPAddress[] input = RangeAndOutside(passes: 2).Reverse().ToArray();
            foreach (IPAddress address in input)
            {
                bulk.Add(address);
                while (bulk.TryTake(out OmapiBulkResult<IPAddress, OmapiLease> ready))
                {
                    taken.Add(ready);
                }
            }

            bulk.CompleteAdding();
            taken.AddRange(bulk.Results(TestContext.Current.CancellationToken));
            Assert.Equal(input, taken.Select(r => r.Key));
            Assert.Equal(input.Count(a => a.GetAddressBytes()[3] is >= 10 and <= 250), taken.Count(r => r.Succeeded));
        }

        [Fact]
        public async Task Cancelling_stops_at_once_and_the_session_stays_usable()
        {
            using OmapiSession session = await ConnectMainAsync();
            using var cts = new CancellationTokenSource();
            // An endless input: only cancellation can end it.
            static IEnumerable<IPAddress> Forever()
            {
                while (true)
                {
                    foreach (IPAddress a in RangeAndOutside(1))
                    {
                        yield return a;
                    }
                }
            }

            using OmapiBulkOperation<IPAddress, OmapiLease> bulk = await session.StartLeaseLookupAsync(Forever(), new OmapiBulkOptions { Connections = 2 }, cts.Token);
            int count = 0;
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Task.Run(() =>
            {
                foreach (var unused in bulk.Results(cts.Token))
                {
                    if (++count == 2000)
                    {
                        cts.Cancel();
                    }
                }
            }, TestContext.Current.CancellationToken));
            long issuedAtCancel = bulk.Issued;
            await Task.Delay(300, TestContext.Current.CancellationToken);
            Assert.Equal(issuedAtCancel, bulk.Issued); // nothing more is sent after cancellation

            OmapiLease lease = await session.GetLeaseAsync(DhcpdScenario.UnseededFreeAddress, TestContext.Current.CancellationToken);
            Assert.Equal(LeaseState.Free, lease.GetState());
        }

        [Fact]
        public async Task A_consumer_that_stops_taking_stops_the_requests_and_memory_stays_bounded()
        {
            using OmapiSession session = await ConnectMainAsync();
            using OmapiBulkOperation<IPAddress, OmapiLease> bulk = await session.StartLeaseLookupAsync(RangeAndOutside(passes: 200), new OmapiBulkOptions { Connections = 2, MaxBuffered = 64 }, TestContext.Current.CancellationToken);
            await Task.Delay(500, TestContext.Current.CancellationToken);
            Assert.InRange(bulk.Issued, 1, 65); // at most MaxBuffered (+ one prepared) issued while nobody takes

            int taken = bulk.Results(TestContext.Current.CancellationToken).Count();
            Assert.Equal(200 * (DhcpdScenario.RangeSize + 6), taken);
        }

        [Fact]
        public async Task A_connection_lost_mid_scan_fails_nothing_its_items_are_asked_again_and_it_is_reopened()
        {
            using OmapiSession session = await ConnectMainAsync();
            IPAddress[] input = RangeAndOutside(passes: 20).ToArray();

            // A bulk operation opens its extra connections while it runs; an empty one opens them (its Dispose waits for
            // them), so that the connection cut below is there whatever the timing.
            using (await session.StartLeaseLookupAsync(Array.Empty<IPAddress>(), new OmapiBulkOptions { Connections = 3 }, TestContext.Current.CancellationToken))
            {
            }

            Assert.Equal(3, session.Connections.Count);
            using OmapiBulkOperation<IPAddress, OmapiLease> bulk = await session.StartLeaseLookupAsync(input, new OmapiBulkOptions { Connections = 3 }, TestContext.Current.CancellationToken);
            var results = new List<OmapiBulkResult<IPAddress, OmapiLease>>();
            foreach (var r in bulk.Results(TestContext.Current.CancellationToken))
            {
                results.Add(r);
                if (results.Count == 500)
                {
                    session.Connections[1].Abort(new OmapiConnectionException("test: connection cut"));
                }
            }

            Assert.Equal(input.Length, results.Count);
            Assert.Equal(input, results.Select(r => r.Key));
            Assert.DoesNotContain(results, r => r.Error is OmapiConnectionException);
            int notFound = results.Count(r => r.Error is OmapiNotFoundException);
            Assert.Equal(20 * 6, notFound); // only the addresses without a lease object
            Assert.Equal(input.Length - notFound, results.Count(r => r.Succeeded && r.Value!.GetIPAddress().ToIPAddress().Equals(r.Key)));
            Assert.Equal(1, bulk.LostConnections);

            // Re-opened: the session re-opens the lost connection while the others finish the items; it may still be at it.
            var reopening = Stopwatch.StartNew();
            while (session.Connections.Count < 3 && reopening.Elapsed < TimeSpan.FromSeconds(10))
            {
                await Task.Delay(10, TestContext.Current.CancellationToken);
            }

            Assert.Equal(3, session.Connections.Count);
            AssertAllDhcpdAlive();
        }

        [Fact]
        public async Task Stress_at_the_highest_settings_with_varied_reply_sizes_never_aborts_dhcpd()
        {
            DhcpdInstance stress = Fixture.ForAlgorithm(DhcpdScenario.StressAlgorithm);
            OmapiConnectionOptions options = OptionsFor(stress);
            options.MaxConnections = 16;
            options.WindowBytes = OmapiConnectionOptions.MaxWindowBytes;
            using OmapiSession session = await OmapiSession.ConnectAsync(options, TestContext.Current.CancellationToken);
            Dictionary<IPAddress, SeededLease> expected = DhcpdScenario.StressLeases.ToDictionary(l => l.IpAddress);

            // 16 connections, 40 passes over 241 leases whose replies range from ~250 to ~400 bytes (~9,600 lookups).
            IEnumerable<IPAddress> input = Enumerable.Repeat(DhcpdScenario.StressLeases.Select(l => l.IpAddress), 40).SelectMany(a => a);
            using OmapiBulkOperation<IPAddress, OmapiLease> bulk = await session.StartLeaseLookupAsync(input, new OmapiBulkOptions { Connections = 16 }, TestContext.Current.CancellationToken);
            int count = 0;
            foreach (OmapiBulkResult<IPAddress, OmapiLease> r in bulk.Results(TestContext.Current.CancellationToken))
            {
                Assert.True(r.Succeeded, r.Error?.ToString());
                SeededLease seeded = expected[r.Key];
                Assert.Equal(seeded.ClientHostname, r.Value!.ClientHostname);
                Assert.Equal(seeded.ClientIdentifierHex, r.Value.ClientId);
                count++;
            }

            Assert.Equal(40 * DhcpdScenario.StressLeases.Count, count);
            Assert.Equal(16, session.Connections.Count);
            Assert.True(stress.IsRunning, "dhcpd aborted: " + stress.ReadLogTail());
            Assert.DoesNotContain("REQUIRE", stress.ReadLog(), StringComparison.Ordinal); // dst_api.c REQUIRE failure = the s.14 abort
        }

        [Fact]
        public async Task Synchronous_single_lookups_share_the_connections_of_a_running_scan()
        {
            // GetLease waits for its reply from the connection's reader like every other request; every answer is the right
            // lease and nothing is left in flight.
            DhcpdInstance stress = Fixture.ForAlgorithm(DhcpdScenario.StressAlgorithm);
            OmapiConnectionOptions options = OptionsFor(stress);
            options.MaxConnections = 4;
            using OmapiSession session = await OmapiSession.ConnectAsync(options, TestContext.Current.CancellationToken);
            Dictionary<IPAddress, SeededLease> expected = DhcpdScenario.StressLeases.ToDictionary(l => l.IpAddress);
            IPAddress[] addresses = DhcpdScenario.StressLeases.Select(l => l.IpAddress).ToArray();

            IEnumerable<IPAddress> input = Enumerable.Repeat(addresses, 20).SelectMany(a => a);
            using OmapiBulkOperation<IPAddress, OmapiLease> bulk = await session.StartLeaseLookupAsync(input, new OmapiBulkOptions { Connections = 4 }, TestContext.Current.CancellationToken);
            Task<int> single = Task.Run(() =>
            {
                int n = 0;
                for (int pass = 0; pass < 4; pass++)
                {
                    foreach (IPAddress address in addresses)
                    {
                        OmapiLease lease = session.GetLease(address, TestContext.Current.CancellationToken);
                        Assert.Equal(address, lease.GetIPAddress().ToIPAddress());
                        Assert.Equal(expected[address].ClientHostname, lease.ClientHostname);
                        n++;
                    }
                }

                return n;
            });
            int scanned = bulk.Results(TestContext.Current.CancellationToken).Count(r => r.Succeeded && expected[r.Key].ClientIdentifierHex == r.Value!.ClientId);

            Assert.Equal(20 * addresses.Length, scanned);
            Assert.Equal(4 * addresses.Length, await single);

            // Idle again: both paths still work.
            Assert.Equal(addresses[0], session.GetLease(addresses[0], TestContext.Current.CancellationToken).GetIPAddress().ToIPAddress());
            Assert.Equal(addresses[1], (await session.GetLeaseAsync(addresses[1], TestContext.Current.CancellationToken)).GetIPAddress().ToIPAddress());
            Assert.All(session.Connections, c => Assert.Equal(0, c.InFlight));
            Assert.True(stress.IsRunning, "dhcpd aborted: " + stress.ReadLogTail());
        }

        [Fact]
        public async Task A_consumer_that_pauses_longer_than_the_request_timeout_loses_nothing()
        {
            // The connections keep reading while the consumer is away: a pause must not look like a silent server.
            OmapiConnectionOptions connectOptions = OptionsFor(Fixture.Main);
            connectOptions.RequestTimeout = TimeSpan.FromMilliseconds(300);
            using OmapiSession session = await OmapiSession.ConnectAsync(connectOptions, TestContext.Current.CancellationToken);
            var options = new OmapiBulkOptions { Connections = 2 };
            using OmapiBulkOperation<IPAddress, OmapiLease> bulk = await session.StartLeaseLookupAsync(RangeAndOutside(passes: 3), options, TestContext.Current.CancellationToken);
            Assert.True(bulk.Take(out OmapiBulkResult<IPAddress, OmapiLease> first, TestContext.Current.CancellationToken));

            await Task.Delay(1500, TestContext.Current.CancellationToken);
            var rest = bulk.Results(TestContext.Current.CancellationToken).ToList();

            Assert.Equal(3 * (DhcpdScenario.RangeSize + 6), rest.Count + 1);
            Assert.DoesNotContain(rest.Append(first), r => r.Error is OmapiTimeoutException || r.Error is OmapiConnectionException);
            Assert.All(session.Connections, c => Assert.True(c.IsOpen));
        }

        [Fact]
        public async Task Hosts_are_looked_up_in_bulk_by_name_in_order_with_not_found_for_the_missing()
        {
            using OmapiSession session = await ConnectMainAsync();
            string[] known = DhcpdScenario.ConfHosts.Select(h => h.Name).ToArray();
            string[] names = Enumerable.Range(0, 200).Select(i => i % 7 == 6 ? "bulk-missing-" + i : known[i % known.Length]).ToArray();

            using OmapiBulkOperation<string, OmapiHost> bulk = await session.StartHostLookupAsync(names, new OmapiBulkOptions { Connections = 3 }, TestContext.Current.CancellationToken);
            var results = bulk.Results(TestContext.Current.CancellationToken).ToList();

            Assert.Equal(names, results.Select(r => r.Key));
            foreach (OmapiBulkResult<string, OmapiHost> r in results)
            {
                if (r.Key.StartsWith("bulk-missing-", StringComparison.Ordinal))
                {
                    Assert.IsType<OmapiNotFoundException>(r.Error);
                }
                else
                {
                    Assert.True(r.Succeeded, r.Error?.ToString());
                    Assert.Equal(r.Key, r.Value!.Name);
                    Assert.Equal(DhcpdScenario.ConfHosts.First(h => h.Name == r.Key).HardwareAddress, r.Value.MacAddress);
                }
            }

            Assert.Equal(3, session.Connections.Count);
        }

        [Fact]
        public async Task Watched_objects_are_refreshed_in_bulk_by_handle()
        {
            using OmapiSession session = await ConnectMainAsync();
            SeededLease[] seeded = DhcpdScenario.SeededLeases.Where(l => l.ExpectedState == 2).ToArray();
            var handles = new List<uint>();
            foreach (SeededLease l in seeded)
            {
                handles.Add((await session.GetLeaseAsync(l.IpAddress, TestContext.Current.CancellationToken)).GetHandle());
            }

            IEnumerable<uint> input = Enumerable.Repeat(handles, 30).SelectMany(h => h).Append(0xFFFFFF0u); // and a handle that names nothing
            using OmapiBulkOperation<uint, OmapiObject> bulk = await session.StartRefreshAsync(input, "lease", new OmapiBulkOptions { Connections = 2 }, TestContext.Current.CancellationToken);
            var results = bulk.Results(TestContext.Current.CancellationToken).ToList();

            Assert.Equal(30 * handles.Count + 1, results.Count);
            for (int i = 0; i < results.Count - 1; i++)
            {
                Assert.True(results[i].Succeeded, results[i].Error?.ToString());
                OmapiLease lease = OmapiLease.FromObject(results[i].Value!, "main");
                Assert.Equal(seeded[i % seeded.Length].IpAddress, lease.GetIPAddress().ToIPAddress());
                Assert.Equal(handles[i % handles.Count], results[i].Value!.Handle);
            }

            Assert.IsAssignableFrom<OmapiServerException>(results[^1].Error);
        }
    }
}
