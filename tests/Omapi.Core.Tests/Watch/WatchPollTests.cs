using System;
using System.Diagnostics;
using System.Linq;
using System.Threading.Tasks;
using Omapi.Core.Connection;
using Omapi.Core.Objects;
using Omapi.Core.Tests.Dhcpd;
using Omapi.Core.Tests.Integration;
using Omapi.Core.Watch;
using PSOmapi.Testing;
using Xunit;

namespace Omapi.Core.Tests.Watch;

/// <summary>
/// The poll step against the real dhcpd (main instance, read only): one request per target through the session's public
/// API on one connection, by handle where one is known and by key otherwise, each refusal kept with its target.
/// </summary>
public class WatchPollTests : DhcpdTestBase
{
    public WatchPollTests(DhcpdFixture fixture) : base(fixture)
    {
    }

    [Fact]
    public async Task A_poll_reads_each_target_with_one_request_by_handle_or_by_key_and_keeps_refusals_per_target()
    {
        var ct = TestContext.Current.CancellationToken;
        using OmapiSession session = await ConnectMainAsync();
        ConfHost conf = DhcpdScenario.FixedAddressHost;
        OmapiWatchTarget[] targets =
        {
            OmapiWatchTarget.ForLease(WatcherTests.Address(133)),
            OmapiWatchTarget.ForLease(DhcpdScenario.ActiveLeases[0].IpAddress),
            OmapiWatchTarget.ForHost(conf.Name),
            OmapiWatchTarget.ForHostByMacAddress(HardwareAddress.ParseMac(conf.HardwareAddress!)),
            OmapiWatchTarget.ForHost("notify-core-poll-absent"),
            OmapiWatchTarget.ForLease(DhcpdScenario.AddressOutsideRange),
            OmapiWatchTarget.ForLeaseByMacAddress(HardwareAddress.ParseMac(DhcpdScenario.SharedLeaseMac)),
        };

        // By key (no handles yet): one request each, lease addresses and host names in bulk, the MAC keys one by one.
        OmapiTraffic before = session.Traffic;
        WatchRead[] byKey = await WatchPoll.ReadAsync(session, targets, new uint[targets.Length], ct);
        Assert.Equal(targets.Length, (session.Traffic - before).RequestsSent);
        Assert.Equal(WatcherTests.Address(133), Assert.IsType<OmapiLease>(byKey[0].Value).GetIPAddress().ToIPAddress());
        Assert.Equal(LeaseState.Active, Assert.IsType<OmapiLease>(byKey[1].Value).GetState());
        Assert.Equal(conf.Name, Assert.IsType<OmapiHost>(byKey[2].Value).Name);
        Assert.Equal(byKey[2].Value!.GetHandle(), byKey[3].Value!.GetHandle()); // the same host by name and by MAC
        Assert.True(byKey[4].IsNotFound && byKey[4].Value == null);
        Assert.True(byKey[5].IsNotFound);
        Assert.IsType<OmapiMultipleMatchesException>(byKey[6].Error);
        Assert.True(byKey[6].IsInconclusive);

        // By the handles just read: still one request each (REFRESH for the objects found, by key for the rest).
        uint[] handles = byKey.Select(r => r.Value?.GetHandle() ?? 0).ToArray();
        before = session.Traffic;
        WatchRead[] byHandle = await WatchPoll.ReadAsync(session, targets, handles, ct);
        Assert.Equal(targets.Length, (session.Traffic - before).RequestsSent);
        Assert.Equal(handles, byHandle.Select(r => r.Value?.GetHandle() ?? 0));
        Assert.Equal(byKey.Select(r => r.Error?.GetType()), byHandle.Select(r => r.Error?.GetType()));

        // A handle that names another object (as after a dhcpd restart): the refresh is not believed, the key is asked.
        handles[0] = handles[2];
        before = session.Traffic;
        WatchRead[] swapped = await WatchPoll.ReadAsync(session, targets, handles, ct);
        Assert.Equal(targets.Length + 1, (session.Traffic - before).RequestsSent);
        Assert.Equal(WatcherTests.Address(133), Assert.IsType<OmapiLease>(swapped[0].Value).GetIPAddress().ToIPAddress());

        // All of it on one connection of the session.
        Assert.Single(session.Connections);
    }

    [Fact]
    public async Task A_poll_of_a_whole_range_awaits_the_bulk_engine_instead_of_holding_a_thread()
    {
        var ct = TestContext.Current.CancellationToken;
        using OmapiSession session = await ConnectMainAsync();
        OmapiWatchTarget[] targets = OmapiWatchTarget.ForRange(DhcpdScenario.RangeStart, DhcpdScenario.RangeEnd).ToArray();
        WatchRead[] first = await WatchPoll.ReadAsync(session, targets, new uint[targets.Length], ct);
        uint[] handles = first.Select(r => r.Value?.GetHandle() ?? 0).ToArray();

        // Many polls at once, each awaiting its operation: if each held a thread until its results were in, the threads
        // of the process would grow by one per poll.
        int threads = Process.GetCurrentProcess().Threads.Count;
        WatchRead[][] polls = await Task.WhenAll(Enumerable.Range(0, 32).Select(_ => WatchPoll.ReadAsync(session, targets, handles, ct)));
        Assert.All(polls, reads => Assert.Equal(handles, reads.Select(r => r.Value?.GetHandle() ?? 0)));
        Assert.True(Process.GetCurrentProcess().Threads.Count < threads + 16, "threads grew from " + threads + " to " + Process.GetCurrentProcess().Threads.Count);
        AssertAllDhcpdAlive();
    }
}
