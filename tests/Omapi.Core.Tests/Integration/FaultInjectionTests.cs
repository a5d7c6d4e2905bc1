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
using Omapi.Core.Tests.Dhcpd;
using PSOmapi.Testing;
using Xunit;

namespace Omapi.Core.Tests.Integration
{
    /// <summary>
    /// Faults injected between the module and a real dhcpd by a proxy (<see cref="OmapiFaultProxy"/>): replies dropped,
    /// delayed past the timeout, truncated, duplicated, reordered, re-signed with changed contents, trickled a byte at a
    /// time; connections closed before a reply or before a request reaches dhcpd; a black hole; a server that closes new
    /// connections; a network that cuts the byte stream anywhere. For a change the module must tell the truth (applied with
    /// a warning, not applied, or outcome unknown); for a lookup it must give the right object or a specific error, and the
    /// session must stay usable.
    /// </summary>
    public class FaultInjectionTests : DhcpdTestBase
    {
        private static int s_mac;

        public FaultInjectionTests(DhcpdFixture fixture) : base(fixture) { }

        private DhcpdInstance Instance => Fixture.ForAlgorithm("HMAC-SHA384");

        private OmapiFaultProxy NewProxy() => new OmapiFaultProxy(Instance.Host, Instance.Port, new ProxyKey(Instance.Algorithm, Instance.SecretBase64));

        private Task<OmapiSession> ConnectAsync(OmapiFaultProxy proxy, double requestSeconds = 20, int reconnectAttempts = 3)
        {
            OmapiConnectionOptions options = OptionsFor(Instance);
            options.Port = proxy.Port;
            options.RequestTimeout = TimeSpan.FromSeconds(requestSeconds);
            options.ReconnectAttempts = reconnectAttempts;
            options.ReconnectDelay = TimeSpan.FromMilliseconds(50);
            options.ConnectTimeout = TimeSpan.FromSeconds(5);
            return OmapiSession.ConnectAsync(options, TestContext.Current.CancellationToken);
        }

        private static OmapiHostDefinition NewHost(string name) => new OmapiHostDefinition
        {
            Name = name,
            HardwareAddress = new byte[] { 2, 0, 0, 0xfa, 0, (byte)Interlocked.Increment(ref s_mac) },
            IPAddresses = new[] { IPAddress.Parse("198.51.100." + (150 + (s_mac % 50))) },
        };

        private async Task<OmapiHost?> FindHostAsync(string name)
        {
            using OmapiSession direct = await ConnectAsync(Instance);
            try
            {
                return await direct.GetHostByNameAsync(name, TestContext.Current.CancellationToken);
            }
            catch (OmapiNotFoundException)
            {
                return null;
            }
        }

        private async Task DeleteIfThereAsync(string name)
        {
            using OmapiSession direct = await ConnectAsync(Instance);
            try
            {
                await direct.DeleteHostAsync(await direct.GetHostByNameAsync(name, TestContext.Current.CancellationToken), TestContext.Current.CancellationToken);
            }
            catch (OmapiNotFoundException)
            {
            }
        }

        public static TheoryData<FaultAction> LostReplies() => new() { FaultAction.DropReply, FaultAction.DelayReply, FaultAction.TruncateReply, FaultAction.CloseBeforeReply };

        [Theory]
        [MemberData(nameof(LostReplies))]
        public async Task A_create_whose_reply_is_lost_is_read_back_and_reported_applied(FaultAction fault)
        {
            string name = "fault-create-" + fault.ToString().ToLowerInvariant();
            await DeleteIfThereAsync(name);
            using OmapiFaultProxy proxy = NewProxy();
            FaultRule rule = proxy.Add(new FaultRule(fault, r => r.IsOpen("host") && r.Message.MessageValues.Any(v => v.Key == "create")) { Delay = TimeSpan.FromSeconds(3) });
            using OmapiSession session = await ConnectAsync(proxy, requestSeconds: 1);

            OmapiWriteResult<OmapiHost> result = await session.CreateHostAsync(NewHost(name), TestContext.Current.CancellationToken);

            Assert.Equal(1, rule.Fired);
            Assert.True(result.ReplyLost);
            Assert.Contains("was applied", result.Note, StringComparison.Ordinal);
            Assert.Equal(name, result.Value.Name);
            Assert.NotNull(await FindHostAsync(name));
            await DeleteIfThereAsync(name);
        }

        [Theory]
        [InlineData(FaultAction.CloseBeforeRequest)]
        [InlineData(FaultAction.DropRequest)]
        public async Task A_create_that_never_reached_dhcpd_is_reported_not_applied_and_safe_to_repeat(FaultAction fault)
        {
            string name = "fault-notapplied-" + fault.ToString().ToLowerInvariant();
            await DeleteIfThereAsync(name);
            using OmapiFaultProxy proxy = NewProxy();
            proxy.Add(new FaultRule(fault, r => r.IsOpen("host") && r.Message.MessageValues.Any(v => v.Key == "create")));
            using OmapiSession session = await ConnectAsync(proxy, requestSeconds: 1);

            OmapiException ex = await Assert.ThrowsAnyAsync<OmapiException>(() => session.CreateHostAsync(NewHost(name), TestContext.Current.CancellationToken));

            Assert.True(ex.NotApplied, ex.ToString());
            Assert.True(ex is OmapiConnectionException || ex is OmapiTimeoutException, ex.GetType().Name);
            Assert.Contains("NOT applied", ex.Message, StringComparison.Ordinal);
            Assert.Null(await FindHostAsync(name));

            // The natural retry works (it would fail with HostAlreadyExists had the first one been applied).
            OmapiWriteResult<OmapiHost> again = await session.CreateHostAsync(NewHost(name), TestContext.Current.CancellationToken);
            Assert.False(again.ReplyLost);
            await DeleteIfThereAsync(name);
        }

        [Fact]
        public async Task A_delete_whose_reply_is_lost_is_read_back_and_reported_applied()
        {
            string name = "fault-delete";
            await DeleteIfThereAsync(name);
            using OmapiFaultProxy proxy = NewProxy();
            using OmapiSession session = await ConnectAsync(proxy, requestSeconds: 1);
            OmapiHost host = (await session.CreateHostAsync(NewHost(name), TestContext.Current.CancellationToken)).Value;
            proxy.Add(new FaultRule(FaultAction.CloseBeforeReply, r => r.Op == 6));

            OmapiWriteResult deleted = await session.DeleteHostAsync(host, TestContext.Current.CancellationToken);

            Assert.True(deleted.ReplyLost);
            Assert.Null(await FindHostAsync(name));
        }

        [Fact]
        public async Task When_the_server_cannot_be_asked_afterwards_the_outcome_is_unknown()
        {
            string name = "fault-unknown";
            await DeleteIfThereAsync(name);
            using OmapiFaultProxy proxy = NewProxy();
            proxy.Add(new FaultRule(FaultAction.CloseBeforeReply, r => r.IsOpen("host") && r.Message.MessageValues.Any(v => v.Key == "create")));
            using OmapiSession session = await ConnectAsync(proxy, reconnectAttempts: 2);
            proxy.CloseNewConnections = true; // the reconnect for the read-back finds no server

            var ex = await Assert.ThrowsAsync<OmapiOutcomeUnknownException>(() => session.CreateHostAsync(NewHost(name), TestContext.Current.CancellationToken));

            Assert.True(ex.ReplyLost);
            Assert.Contains("may or may not have been applied", ex.Message, StringComparison.Ordinal);
            Assert.NotNull(await FindHostAsync(name)); // it was, in fact: the module did not claim otherwise
            await DeleteIfThereAsync(name);
        }

        [Fact]
        public async Task Host_statements_whose_reply_is_lost_cannot_be_read_back_and_are_outcome_unknown()
        {
            string name = "fault-statements";
            await DeleteIfThereAsync(name);
            using OmapiFaultProxy proxy = NewProxy();
            using OmapiSession session = await ConnectAsync(proxy, requestSeconds: 1);
            OmapiHost host = (await session.CreateHostAsync(NewHost(name), TestContext.Current.CancellationToken)).Value;
            proxy.Add(new FaultRule(FaultAction.DropReply, r => r.Op == 3));

            var ex = await Assert.ThrowsAsync<OmapiOutcomeUnknownException>(() => session.UpdateHostAsync(host, new OmapiHostChanges { Statements = "option host-name \"x\";" }, TestContext.Current.CancellationToken));

            Assert.Contains("never returns a host's statements", ex.Message, StringComparison.Ordinal);
            await DeleteIfThereAsync(name);
        }

        [Fact]
        public async Task A_fixed_address_change_whose_reply_is_lost_is_compared_after_reading_back()
        {
            string name = "fault-address";
            await DeleteIfThereAsync(name);
            using OmapiFaultProxy proxy = NewProxy();
            using OmapiSession session = await ConnectAsync(proxy, requestSeconds: 1);
            OmapiHost host = (await session.CreateHostAsync(NewHost(name), TestContext.Current.CancellationToken)).Value;
            proxy.Add(new FaultRule(FaultAction.TruncateReply, r => r.Op == 3) { Bytes = 5 });

            OmapiWriteResult result = await session.UpdateHostAsync(host, new OmapiHostChanges { IPAddresses = new[] { IPAddress.Parse("198.51.100.233") } }, TestContext.Current.CancellationToken);

            Assert.True(result.ReplyLost);
            Assert.Contains("198.51.100.233", result.Note, StringComparison.Ordinal);
            Assert.Equal(new[] { IPAddress.Parse("198.51.100.233") }, (await FindHostAsync(name))!.GetIPAddresses().Select(a => a.ToIPAddress()));
            await DeleteIfThereAsync(name);
        }

        [Theory]
        [InlineData(FaultAction.CloseBeforeReply, true)]
        [InlineData(FaultAction.DelayReply, true)]
        [InlineData(FaultAction.CloseBeforeRequest, false)]
        public async Task A_lease_change_whose_reply_is_lost_is_read_back_and_reported_truthfully(FaultAction fault, bool reachesDhcpd)
        {
            IPAddress address = IPAddress.Parse(reachesDhcpd ? (fault == FaultAction.DelayReply ? "198.51.100.211" : "198.51.100.210") : "198.51.100.212");
            using OmapiFaultProxy proxy = NewProxy();
            using OmapiSession session = await ConnectAsync(proxy, requestSeconds: 1);
            OmapiLease lease = await session.GetLeaseAsync(address, TestContext.Current.CancellationToken);
            DateTime ends = new DateTime(2035, 1, 2, 3, 4, 5, DateTimeKind.Utc).AddSeconds(lease.GetHandle() % 1000);
            proxy.Add(new FaultRule(fault, r => r.Op == 3) { Delay = TimeSpan.FromSeconds(3) });
            var changes = new OmapiLeaseChanges { Ends = ends, State = LeaseState.Active };

            if (reachesDhcpd)
            {
                OmapiWriteResult<OmapiLease> result = await session.UpdateLeaseAsync(lease, changes, TestContext.Current.CancellationToken);
                Assert.True(result.ReplyLost);
                Assert.Equal(LeaseState.Active, result.Value.GetState());
                Assert.Equal(ends, result.Value.Ends);
            }
            else
            {
                var ex = await Assert.ThrowsAsync<OmapiConnectionException>(() => session.UpdateLeaseAsync(lease, changes, TestContext.Current.CancellationToken));
                Assert.True(ex.NotApplied);
                OmapiLease unchanged = await session.RefreshLeaseAsync(lease.GetHandle(), TestContext.Current.CancellationToken);
                Assert.Equal(lease.State, unchanged.State);
                Assert.Equal(lease.Ends, unchanged.Ends);
            }

            using OmapiSession direct = await ConnectAsync(Instance);
            OmapiLease now = await direct.GetLeaseAsync(address, TestContext.Current.CancellationToken);
            await direct.UpdateLeaseAsync(now, new OmapiLeaseChanges { State = LeaseState.Free }, TestContext.Current.CancellationToken);
        }

        [Fact]
        public async Task A_lease_keeps_its_state_through_lookups_and_changes_cut_at_random_and_each_change_is_one_update()
        {
            // The end time and the state go in one UPDATE: however the connection is cut (between the lookup and the
            // change, during it, after it), an Active lease is never left Free while success is reported.
            IPAddress address = IPAddress.Parse("198.51.100.215");
            using OmapiFaultProxy proxy = NewProxy();
            using OmapiSession session = await ConnectAsync(proxy, requestSeconds: 2);
            OmapiLease first = await session.GetLeaseAsync(address, TestContext.Current.CancellationToken);
            await session.UpdateLeaseAsync(first, new OmapiLeaseChanges { Ends = DateTime.UtcNow.AddDays(30), State = LeaseState.Active }, TestContext.Current.CancellationToken);
            FaultRule updates = proxy.Add(new FaultRule(FaultAction.Pass, r => r.Op == 3, times: -1));
            var random = new Random(11);
            int calls = 0, reported = 0, lost = 0, notApplied = 0;
            for (int i = 0; i < 60; i++)
            {
                int cutAfterUs = random.Next(0, 3000);
                var cutter = new Thread(() =>
                {
                    var w = Stopwatch.StartNew();
                    while (w.Elapsed.TotalMilliseconds * 1000 < cutAfterUs)
                    {
                    }

                    proxy.CutAll();
                });
                cutter.Start();
                OmapiLease? lease = null;
                try
                {
                    lease = await session.GetLeaseAsync(address, TestContext.Current.CancellationToken);
                }
                catch (OmapiConnectionException)
                {
                    // cut twice in a row: a lookup is asked only once more
                }

                if (lease != null)
                {
                    calls++;
                    try
                    {
                        OmapiWriteResult<OmapiLease> result = await session.UpdateLeaseAsync(lease, new OmapiLeaseChanges { Ends = DateTime.UtcNow.AddDays(30).AddSeconds(i), State = LeaseState.Active }, TestContext.Current.CancellationToken);
                        Assert.Equal(LeaseState.Active, result.Value.GetState());
                        reported++;
                        lost += result.ReplyLost ? 1 : 0;
                    }
                    catch (OmapiException ex) when (ex.NotApplied || !ex.ReplyLost)
                    {
                        notApplied++; // not applied, or never written: nothing changed
                    }
                }

                Assert.True(cutter.Join(TimeSpan.FromSeconds(10)));
                using OmapiSession direct = await ConnectAsync(Instance);
                Assert.Equal(LeaseState.Active, (await direct.GetLeaseAsync(address, TestContext.Current.CancellationToken)).GetState());
            }

            Assert.InRange(updates.Fired, reported, calls); // at most one UPDATE per change, and every change reported done reached dhcpd
            Assert.True(reported > 10, reported + " of " + calls + " changes reported done (" + lost + " after a lost reply), " + notApplied + " not applied");
            using OmapiSession cleanup = await ConnectAsync(Instance);
            await cleanup.UpdateLeaseAsync(await cleanup.GetLeaseAsync(address, TestContext.Current.CancellationToken), new OmapiLeaseChanges { State = LeaseState.Free }, TestContext.Current.CancellationToken);
        }

        [Fact]
        public async Task A_refused_lease_change_is_read_back_so_the_error_says_what_is_in_effect()
        {
            // dhcpd applies an UPDATE's values in order and stops at the first it refuses without undoing the earlier ones
            // (observed: the end time applied, the state refused, the lease left Free). Here the refusal is forged after
            // dhcpd applied everything: the error must report what reading back shows, not guess.
            IPAddress address = IPAddress.Parse("198.51.100.216");
            using OmapiFaultProxy proxy = NewProxy();
            using OmapiSession session = await ConnectAsync(proxy);
            OmapiLease lease = await session.GetLeaseAsync(address, TestContext.Current.CancellationToken);
            proxy.Add(new FaultRule(FaultAction.RewriteReply, r => r.Op == 3)
            {
                Rewrite = (reply, _) =>
                {
                    reply.MessageValues.Clear();
                    reply.MessageValues.Add(new("result", new byte[] { 0, 0, 0, 26 }));
                    reply.MessageValues.Add(new("message", "can't update object"u8.ToArray()));
                },
            });
            DateTime ends = new DateTime(2036, 6, 7, 8, 9, 10, DateTimeKind.Utc);

            var ex = await Assert.ThrowsAsync<OmapiServerException>(() => session.UpdateLeaseAsync(lease, new OmapiLeaseChanges { Ends = ends, State = LeaseState.Active }, TestContext.Current.CancellationToken));

            Assert.Equal(OmapiResult.IOError, ex.Result);
            Assert.Contains("read back after the refusal: the lease is now Active, ends 2036-06-07 08:09:10 UTC", ex.Message, StringComparison.Ordinal);
            using OmapiSession direct = await ConnectAsync(Instance);
            await direct.UpdateLeaseAsync(await direct.GetLeaseAsync(address, TestContext.Current.CancellationToken), new OmapiLeaseChanges { State = LeaseState.Free }, TestContext.Current.CancellationToken);
        }

        [Fact]
        public async Task A_duplicated_reply_does_not_fail_the_lookup_it_answers_and_the_session_goes_on()
        {
            using OmapiFaultProxy proxy = NewProxy();
            using OmapiSession session = await ConnectAsync(proxy);
            SeededLease seeded = DhcpdScenario.CrossingLeases[5];
            proxy.Add(new FaultRule(FaultAction.DuplicateReply, r => r.IsOpen("lease")));

            OmapiLease lease = session.GetLease(seeded.IpAddress, TestContext.Current.CancellationToken);

            Assert.Equal(seeded.IpAddress, lease.GetIPAddress().ToIPAddress());
            Assert.Equal(seeded.ClientHostname, lease.ClientHostname);
            OmapiLease next = await session.GetLeaseAsync(DhcpdScenario.CrossingLeases[6].IpAddress, TestContext.Current.CancellationToken);
            Assert.Equal(DhcpdScenario.CrossingLeases[6].IpAddress, next.GetIPAddress().ToIPAddress());
            Assert.Equal(1, session.Reconnects); // the duplicate closed the first connection: a stream that repeats itself is not trusted
        }

        [Fact]
        public async Task Replies_reordered_and_trickled_a_byte_at_a_time_still_answer_the_right_requests()
        {
            using OmapiFaultProxy proxy = NewProxy();
            using OmapiSession session = await ConnectAsync(proxy);
            proxy.Add(new FaultRule(FaultAction.ReorderReply, r => r.IsOpen("lease") && r.Index % 7 == 3, times: -1));
            proxy.Add(new FaultRule(FaultAction.TrickleReply, r => r.IsOpen("lease") && r.Index % 50 == 11, times: 3) { Delay = TimeSpan.Zero });
            SeededLease[] leases = DhcpdScenario.CrossingLeases.Take(300).ToArray();

            using OmapiBulkOperation<IPAddress, OmapiLease> bulk = await session.StartLeaseLookupAsync(leases.Select(l => l.IpAddress), new OmapiBulkOptions { Connections = 3 }, TestContext.Current.CancellationToken);
            var results = bulk.Results(TestContext.Current.CancellationToken).ToList();

            Assert.Equal(leases.Select(l => l.IpAddress), results.Select(r => r.Key));
            Assert.All(results.Zip(leases), p => Assert.Equal(p.Second.ClientHostname, p.First.Value!.ClientHostname));
        }

        public static TheoryData<string> Forgeries() => new() { "another address", "state 99", "a host", "handle 0", "state twice" };

        [Theory]
        [MemberData(nameof(Forgeries))]
        public async Task A_reply_re_signed_with_contents_that_do_not_answer_the_request_is_a_protocol_error_for_that_item_only(string forgery)
        {
            using OmapiFaultProxy proxy = NewProxy();
            using OmapiSession session = await ConnectAsync(proxy);
            SeededLease[] leases = DhcpdScenario.CrossingLeases.Take(40).ToArray();
            IPAddress victim = leases[17].IpAddress;
            proxy.Add(new FaultRule(FaultAction.RewriteReply, r => r.IsOpen("lease") && new IPAddress(r.Message.Object("ip-address")!).Equals(victim))
            {
                Rewrite = (reply, _) =>
                {
                    switch (forgery)
                    {
                        case "another address":
                            reply.SetObject("ip-address", leases[18].IpAddress.GetAddressBytes());
                            break;
                        case "state 99":
                            reply.SetObject("state", new byte[] { 0, 0, 0, 99 });
                            break;
                        case "a host":
                            reply.ObjectValues.Clear();
                            reply.ObjectValues.Add(new("name", "somehost"u8.ToArray()));
                            reply.ObjectValues.Add(new("hardware-address", new byte[] { 2, 0, 0, 0, 0, 1 }));
                            break;
                        case "handle 0":
                            reply.Handle = 0;
                            break;
                        default:
                            reply.ObjectValues.Add(new("state", new byte[] { 0, 0, 0, 1 }));
                            break;
                    }
                },
            });

            using OmapiBulkOperation<IPAddress, OmapiLease> bulk = await session.StartLeaseLookupAsync(leases.Select(l => l.IpAddress), new OmapiBulkOptions { Connections = 2 }, TestContext.Current.CancellationToken);
            var results = bulk.Results(TestContext.Current.CancellationToken).ToList();

            Assert.Equal(leases.Select(l => l.IpAddress), results.Select(r => r.Key)); // no address twice, none missing
            var bad = Assert.Single(results, r => !r.Succeeded);
            Assert.Equal(victim, bad.Key);
            Assert.IsType<OmapiProtocolException>(bad.Error);
            Assert.Contains("does not answer it", bad.Error!.Message, StringComparison.Ordinal);
            Assert.All(results.Where(r => r.Succeeded), r => Assert.Equal(r.Key, r.Value!.GetIPAddress().ToIPAddress()));
            Assert.Equal(0, session.Reconnects); // a wrong answer to one request does not take the connection down
        }

        [Fact]
        public async Task Timeouts_retire_their_connection_so_a_black_hole_never_leaves_the_session_stuck()
        {
            // A half-open connection (a NAT or firewall that forgot it) swallows requests. Each lookup times out and retires
            // its connection; the next one opens a new connection and is answered. It used to stall every later command.
            using OmapiFaultProxy proxy = NewProxy();
            using OmapiSession session = await ConnectAsync(proxy, requestSeconds: 0.5);
            FaultRule hole = proxy.Add(new FaultRule(FaultAction.DropRequest, r => r.IsOpen("lease"), times: 3));
            IPAddress address = DhcpdScenario.CrossingLeases[0].IpAddress;
            for (int i = 0; i < 3; i++)
            {
                var ex = await Assert.ThrowsAsync<OmapiTimeoutException>(() => session.GetLeaseAsync(address, TestContext.Current.CancellationToken));
                Assert.True(ex.ReplyLost);
            }

            Assert.Equal(3, hole.Fired);
            Assert.Equal(address, session.GetLease(address, TestContext.Current.CancellationToken).GetIPAddress().ToIPAddress());
            Assert.Equal(3, session.Reconnects);
        }

        [Fact]
        public async Task A_server_that_closes_new_connections_before_its_intro_is_tried_again_and_reported_as_a_connection_problem()
        {
            using OmapiFaultProxy proxy = NewProxy();
            proxy.CloseNewConnections = true;
            var ex = await Assert.ThrowsAsync<OmapiConnectionException>(() => ConnectAsync(proxy, reconnectAttempts: 2));
            Assert.Contains("closed it before sending the OMAPI intro", ex.Message, StringComparison.Ordinal);
            Assert.True(ex.Transient);
            Assert.Equal(3, proxy.Accepted); // the first attempt and two more

            // dhcpd back: the same call succeeds on a later attempt.
            var opened = Task.Run(() => ConnectAsync(proxy, reconnectAttempts: 20));
            await Task.Delay(150, TestContext.Current.CancellationToken);
            proxy.CloseNewConnections = false;
            using OmapiSession session = await opened;
            Assert.True(session.IsConnected);
        }

        [Fact]
        public async Task A_network_that_cuts_the_byte_stream_anywhere_never_makes_dhcpd_abort()
        {
            // Segments of 1..120 bytes cut inside messages, written separately: dhcpd reads partial messages and its input
            // ring keeps unread bytes between reads. The window's bound on bytes sent since the connection was last idle
            // keeps every request inside one fresh ring.
            using OmapiFaultProxy proxy = NewProxy();
            proxy.SegmentBytes = 120;
            using OmapiSession session = await ConnectAsync(proxy);
            IPAddress[] scan = AddressRange.Parse("198.18.0.0-198.18.3.255").Addresses().ToArray();
            var seeded = DhcpdScenario.CrossingLeases.ToDictionary(l => l.IpAddress);
            for (int pass = 0; pass < 2; pass++)
            {
                using OmapiBulkOperation<IPAddress, OmapiLease> bulk = await session.StartLeaseLookupAsync(scan, new OmapiBulkOptions { Connections = 4 }, TestContext.Current.CancellationToken);
                foreach (OmapiBulkResult<IPAddress, OmapiLease> r in bulk.Results(TestContext.Current.CancellationToken))
                {
                    Assert.Equal(seeded.ContainsKey(r.Key), r.Succeeded);
                }
            }

            Assert.True(Instance.IsRunning, "dhcpd aborted: " + Instance.ReadLogTail());
            Assert.DoesNotContain("REQUIRE", Instance.ReadLog(), StringComparison.Ordinal);
        }
    }
}
