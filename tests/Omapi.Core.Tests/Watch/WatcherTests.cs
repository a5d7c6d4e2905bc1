using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using Omapi.Core.Objects;
using Omapi.Core.Tests.Dhcpd;
using Omapi.Core.Tests.Integration;
using Omapi.Core.Watch;
using Xunit;
using PSOmapi.Testing;

namespace Omapi.Core.Tests.Watch;

/// <summary>
/// The change detector against the real dhcpd (main instance). Changes are made from a second session, on unseeded free
/// leases 198.51.100.131-140 only (each put back to Free without flags) and on hosts named notify-core-*; the watcher
/// polls every second, so each change must be reported within two intervals.
/// </summary>
public class WatcherTests : DhcpdTestBase
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    // Two intervals, plus the time a poll of a few objects takes and scheduling slack on a loaded 2-core machine.
    private static readonly TimeSpan TwoIntervals = TimeSpan.FromSeconds(2.5);

    /// <summary>How long a test waits for a change it expects: the wait ends as soon as it comes (within about one interval),
    /// so a generous deadline costs nothing and a loaded CI machine does not fail a test whose change is merely late. How
    /// soon a change is seen is asserted once, on its own (TwoIntervals).</summary>
    private static readonly TimeSpan ChangeDeadline = TimeSpan.FromSeconds(10);
    private static readonly DateTime Future = new DateTime(2033, 4, 5, 6, 7, 8, DateTimeKind.Utc);

    public WatcherTests(DhcpdFixture fixture) : base(fixture)
    {
    }

    [Fact]
    public async Task A_lease_taken_changed_and_freed_is_reported_with_old_and_new_values()
    {
        var ct = TestContext.Current.CancellationToken;
        IPAddress watchedAddress = Address(131);
        IPAddress quietAddress = Address(132);
        using OmapiSession other = await ConnectMainAsync();
        using OmapiWatcher watcher = await StartWatcherAsync(new[] { OmapiWatchTarget.ForLease(watchedAddress), OmapiWatchTarget.ForLease(quietAddress) }, ct);
        var log = new ChangeRecorder(watcher);
        try
        {
            OmapiLease free = await other.GetLeaseAsync(watchedAddress, ct);
            Assert.Equal(LeaseState.Free, free.GetState());

            // Taken: Free -> Active with an end time.
            TimeSpan since = log.Now;
            await other.UpdateLeaseAsync(free, new OmapiLeaseChanges { State = LeaseState.Active, Ends = Future }, ct);
            (OmapiChange taken, TimeSpan at) = log.WaitFor(c => c.Key == "lease " + watchedAddress && c.Kind == OmapiChangeKind.Appeared, ChangeDeadline, since, "lease taken");
            Assert.True(at - since <= TwoIntervals);
            AssertChange(taken, "State", LeaseState.Free, LeaseState.Active);
            AssertChange(taken, "Ends", free.Ends, Future);
            Assert.DoesNotContain(taken.Changes, c => c.Name == OmapiObjectComparer.RemoteHandleVariable);
            OmapiLease now = Assert.IsType<OmapiLease>(taken.Current);
            Assert.Equal(LeaseState.Active, now.GetState());
            Assert.Equal(free.GetHandle(), now.GetHandle());
            Assert.Equal(LeaseState.Free, Assert.IsType<OmapiLease>(taken.Previous).GetState());

            // Flags: Changed.
            since = log.Now;
            await other.UpdateLeaseAsync(free, new OmapiLeaseChanges { Flags = LeaseFlags.Reserved, State = LeaseState.Active }, ct);
            OmapiChange flagged = log.WaitFor(c => c.Key == "lease " + watchedAddress && c.Kind == OmapiChangeKind.Changed, ChangeDeadline, since, "flags").Change;
            AssertChange(flagged, "Flags", LeaseFlags.None, LeaseFlags.Reserved);
            Assert.DoesNotContain(flagged.Changes, c => c.Name == "State" || c.Name == "Ends");

            // End time: Changed.
            since = log.Now;
            await other.UpdateLeaseAsync(free, new OmapiLeaseChanges { Ends = Future.AddDays(1), State = LeaseState.Active }, ct);
            OmapiChange extended = log.WaitFor(c => c.Key == "lease " + watchedAddress && c.Kind == OmapiChangeKind.Changed, ChangeDeadline, since, "ends").Change;
            AssertChange(extended, "Ends", Future, Future.AddDays(1));

            // Freed: Disappeared.
            since = log.Now;
            await other.UpdateLeaseAsync(free, new OmapiLeaseChanges { State = LeaseState.Free, Flags = LeaseFlags.None }, ct);
            OmapiChange freed = log.WaitFor(c => c.Key == "lease " + watchedAddress && c.Kind == OmapiChangeKind.Disappeared, ChangeDeadline, since, "lease freed").Change;
            AssertChange(freed, "State", LeaseState.Active, LeaseState.Free);
            AssertChange(freed, "Flags", LeaseFlags.Reserved, LeaseFlags.None);
            Assert.Equal(LeaseState.Free, Assert.IsType<OmapiLease>(freed.Current).GetState());

            foreach (OmapiChange change in log.All)
            {
                TestContext.Current.TestOutputHelper?.WriteLine(change.ToString());
            }

            // The other lease never changed; sequence numbers follow detection order.
            Assert.DoesNotContain(log.All, c => c.Key == "lease " + quietAddress);
            Assert.Equal(Enumerable.Range(1, log.All.Count).Select(i => (long)i), log.All.Select(c => c.Sequence).OrderBy(s => s));
        }
        finally
        {
            await RestoreAsync(other, watchedAddress);
        }
    }

    [Fact]
    public async Task Nothing_is_reported_while_nothing_changes_and_each_poll_costs_one_request_per_object()
    {
        var ct = TestContext.Current.CancellationToken;
        var targets = new[]
        {
            OmapiWatchTarget.ForLease(Address(133)),
            OmapiWatchTarget.ForLease(DhcpdScenario.ActiveLeases[0].IpAddress),
            OmapiWatchTarget.ForHost(DhcpdScenario.FixedAddressHost.Name),
        };
        using OmapiWatcher watcher = await StartWatcherAsync(targets, ct);
        var log = new ChangeRecorder(watcher);

        // Read the counters right after a poll, so no poll is half done when they are read.
        await WaitForPollsAsync(watcher, 1, ct);
        long polls = watcher.Polls;
        long requests = watcher.RequestsSent;
        long sent = watcher.BytesSent;
        long received = watcher.BytesReceived;
        await WaitForPollsAsync(watcher, 3, ct);
        long pollsDone = watcher.Polls - polls;
        long requestsDone = watcher.RequestsSent - requests;

        Assert.Empty(log.All);
        Assert.Equal(3, pollsDone);
        Assert.Equal(pollsDone * targets.Length, requestsDone);
        Assert.True(watcher.BytesSent - sent > 0 && watcher.BytesReceived - received > watcher.BytesSent - sent);
        Assert.Equal(OmapiWatcherState.Running, watcher.State);
        Assert.NotNull(watcher.LastPoll);
        Assert.True(watcher.LastPollDuration < Interval);
    }

    [Fact]
    public async Task A_host_created_changed_and_deleted_is_reported()
    {
        var ct = TestContext.Current.CancellationToken;
        const string name = "notify-core-host";
        byte[] mac = HardwareAddress.ParseMac("02:00:00:4e:00:01");
        using OmapiSession other = await ConnectMainAsync();
        using OmapiWatcher watcher = new OmapiWatcher(await ConnectMainAsync(), new OmapiWatcherOptions { Interval = Interval, OwnsSession = true });
        IReadOnlyList<OmapiWatchResolution> added = await watcher.AddAsync(new[] { OmapiWatchTarget.ForHost(name), OmapiWatchTarget.ForHostByMacAddress(mac) }, ct);
        Assert.All(added, r => Assert.True(r.IsWatched && r.Current == null && r.Error == null, r.Target.Key));
        Assert.StartsWith("not asked", await watcher.RequestNotificationsAsync(ct), StringComparison.Ordinal);
        var log = new ChangeRecorder(watcher);
        watcher.Start();
        try
        {
            TimeSpan since = log.Now;
            OmapiHost created = (await other.CreateHostAsync(new OmapiHostDefinition { Name = name, HardwareAddress = mac }, ct)).Value;
            OmapiChange appeared = log.WaitFor(c => c.Key == "host " + name && c.Kind == OmapiChangeKind.Appeared, ChangeDeadline, since, "host created").Change;
            AssertChange(appeared, "Name", null, name);
            AssertChange(appeared, "MacAddress", null, "02:00:00:4e:00:01");
            Assert.Null(appeared.Previous);
            Assert.Equal(created.GetHandle(), Assert.IsType<OmapiHost>(appeared.Current).GetHandle());
            log.WaitFor(c => c.Key == "host with MAC 02:00:00:4e:00:01" && c.Kind == OmapiChangeKind.Appeared, ChangeDeadline, since, "host by MAC");

            since = log.Now;
            await other.UpdateHostAsync(created, new OmapiHostChanges { IPAddresses = new[] { IPAddress.Parse("198.51.100.252") } }, ct);
            OmapiChange moved = log.WaitFor(c => c.Key == "host " + name && c.Kind == OmapiChangeKind.Changed, ChangeDeadline, since, "host changed").Change;
            OmapiPropertyChange address = Assert.Single(moved.Changes);
            Assert.Equal("IPAddress", address.Name);
            Assert.Empty((IReadOnlyList<string>)address.OldValue!);
            Assert.Equal(new[] { "198.51.100.252" }, (IReadOnlyList<string>)address.NewValue!);

            since = log.Now;
            await other.DeleteAsync(created.GetHandle(), null, ct);
            OmapiChange deleted = log.WaitFor(c => c.Key == "host " + name && c.Kind == OmapiChangeKind.Disappeared, ChangeDeadline, since, "host deleted").Change;
            Assert.Null(deleted.Current);
            Assert.Equal(name, Assert.IsType<OmapiHost>(deleted.Previous).Name);
            AssertChange(deleted, "Name", name, null);
            log.WaitFor(c => c.Key == "host with MAC 02:00:00:4e:00:01" && c.Kind == OmapiChangeKind.Disappeared, ChangeDeadline, since, "host by MAC deleted");
        }
        finally
        {
            await DeleteHostIfThereAsync(other, name);
        }
    }

    [Fact]
    public async Task The_server_declines_notifications_with_27_and_the_watcher_polls()
    {
        var ct = TestContext.Current.CancellationToken;
        using var watcher = new OmapiWatcher(await ConnectMainAsync(), new OmapiWatcherOptions { Interval = Interval, OwnsSession = true });
        await watcher.AddAsync(new[] { OmapiWatchTarget.ForLease(Address(134)) }, ct);
        long before = watcher.RequestsSent;
        string status = await watcher.RequestNotificationsAsync(ct);
        Assert.Equal(1, watcher.RequestsSent - before);
        Assert.Contains("notify not implemented yet", status, StringComparison.Ordinal);
        Assert.Contains("result 27", status, StringComparison.Ordinal);
        Assert.False(watcher.NotificationsAccepted);
        Assert.Equal(status, watcher.NotificationStatus);
    }

    [Fact]
    public async Task Targets_that_cannot_be_watched_come_back_with_the_reason()
    {
        var ct = TestContext.Current.CancellationToken;
        using var watcher = new OmapiWatcher(await ConnectMainAsync(), new OmapiWatcherOptions { Interval = Interval, OwnsSession = true });
        SeededLease expired = DhcpdScenario.SeededLeases.Single(l => l.SeededBindingState == "expired");
        var targets = new[]
        {
            OmapiWatchTarget.ForLease(DhcpdScenario.AddressOutsideRange),
            OmapiWatchTarget.ForLeaseByMacAddress(HardwareAddress.ParseMac(DhcpdScenario.SharedLeaseMac)),
            OmapiWatchTarget.ForLeaseByMacAddress(HardwareAddress.ParseMac(expired.HardwareAddress!)),
            OmapiWatchTarget.ForLeaseByClientId(HardwareAddress.ParseClientId("01:02:03:04:05:06:07")),
            OmapiWatchTarget.ForLease(Address(135)),
            OmapiWatchTarget.ForLease(Address(135)),
        };

        IReadOnlyList<OmapiWatchResolution> resolutions = await watcher.AddAsync(targets, ct);

        Assert.Equal(5, resolutions.Count); // the duplicate is skipped
        Assert.IsType<OmapiNotFoundException>(resolutions[0].Error);
        Assert.False(resolutions[0].IsWatched);
        Assert.IsType<OmapiMultipleMatchesException>(resolutions[1].Error);
        Assert.False(resolutions[1].IsWatched);
        Assert.True(resolutions[2].IsWatched);
        Assert.Equal(expired.IpAddress, Assert.IsType<OmapiLease>(resolutions[2].Current).GetIPAddress().ToIPAddress());
        Assert.True(resolutions[3].IsWatched); // not there yet: its appearance would be reported
        Assert.Null(resolutions[3].Current);
        Assert.True(resolutions[4].IsWatched);
        Assert.Equal(new[] { "lease of MAC " + expired.HardwareAddress, "lease of client id 01:02:03:04:05:06:07", "lease " + Address(135) }, watcher.Targets.Select(t => t.Key));

        watcher.Start();
        Assert.Throws<InvalidOperationException>(() => watcher.AddAsync(targets).GetAwaiter().GetResult());
        Assert.Throws<InvalidOperationException>(() => watcher.Start());
    }

    [Fact]
    public async Task A_lease_object_already_read_is_refreshed_by_its_handle_not_looked_up_again()
    {
        var ct = TestContext.Current.CancellationToken;
        using OmapiSession other = await ConnectMainAsync();
        OmapiLease lease = await other.GetLeaseAsync(Address(136), ct);
        using var watcher = new OmapiWatcher(await ConnectMainAsync(), new OmapiWatcherOptions { Interval = Interval, OwnsSession = true });
        OmapiWatchResolution resolution = Assert.Single(await watcher.AddAsync(new[] { OmapiWatchTarget.ForObject(lease) }, ct));
        Assert.Equal(lease.GetHandle(), Assert.IsType<OmapiLease>(resolution.Current).GetHandle());
        Assert.Equal(1, watcher.RequestsSent); // one REFRESH, no OPEN
    }

    [Fact]
    public async Task After_Stop_nothing_is_sent_or_reported()
    {
        var ct = TestContext.Current.CancellationToken;
        IPAddress address = Address(137);
        using OmapiSession other = await ConnectMainAsync();
        OmapiWatcher watcher = await StartWatcherAsync(new[] { OmapiWatchTarget.ForLease(address) }, ct);
        var log = new ChangeRecorder(watcher);
        try
        {
            await WaitForPollsAsync(watcher, 2, ct);
            watcher.Stop();
            Assert.Equal(OmapiWatcherState.Stopped, watcher.State);
            Assert.False(watcher.IsRunning);
            Assert.False(watcher.Session.IsConnected);
            await watcher.Completion.WaitAsync(TimeSpan.FromSeconds(5), ct);
            long requests = watcher.RequestsSent;
            long sent = watcher.BytesSent;
            long polls = watcher.Polls;

            OmapiLease lease = await other.GetLeaseAsync(address, ct);
            await other.UpdateLeaseAsync(lease, new OmapiLeaseChanges { State = LeaseState.Active, Ends = Future }, ct);
            await Task.Delay(Interval * 3, ct);

            Assert.Equal(requests, watcher.RequestsSent);
            Assert.Equal(sent, watcher.BytesSent);
            Assert.Equal(polls, watcher.Polls);
            Assert.Empty(log.All);
            watcher.Stop(); // idempotent
        }
        finally
        {
            watcher.Dispose();
            await RestoreAsync(other, address);
        }
    }

    [Fact]
    public async Task StopWhen_ends_the_watch_with_a_Stopped_report()
    {
        var ct = TestContext.Current.CancellationToken;
        bool closed = false;
        var options = new OmapiWatcherOptions { Interval = Interval, OwnsSession = true, StopWhen = () => Volatile.Read(ref closed) ? "the owner closed" : null };
        using var watcher = new OmapiWatcher(await ConnectMainAsync(), options);
        await watcher.AddAsync(new[] { OmapiWatchTarget.ForLease(Address(138)) }, ct);
        var log = new ChangeRecorder(watcher);
        watcher.Start();
        Volatile.Write(ref closed, true);

        OmapiChange stopped = log.WaitFor(c => c.Kind == OmapiChangeKind.Stopped, ChangeDeadline, default, "stopped").Change;
        Assert.Equal("the owner closed", stopped.Message);
        await watcher.Completion.WaitAsync(TimeSpan.FromSeconds(5), ct);
        Assert.Equal(OmapiWatcherState.Stopped, watcher.State);
        Assert.Equal("the owner closed", watcher.StopReason);
        Assert.False(watcher.Session.IsConnected);
        Assert.Equal(0, watcher.Polls);
    }

    [Fact]
    public async Task A_whole_range_is_polled_within_the_send_window_and_dhcpd_survives()
    {
        var ct = TestContext.Current.CancellationToken;
        (IPAddress first, IPAddress last) = OmapiWatchTarget.ParseRange(DhcpdScenario.RangeStart + "-" + DhcpdScenario.RangeEnd);
        using OmapiWatcher watcher = await StartWatcherAsync(OmapiWatchTarget.ForRange(first, last), ct);
        Assert.Equal(DhcpdScenario.RangeSize, watcher.Count);
        var log = new ChangeRecorder(watcher);
        await WaitForPollsAsync(watcher, 3, ct);

        Assert.Empty(log.All);
        Assert.True(watcher.LastPollDuration < Interval, "a poll of the range took " + watcher.LastPollDuration);
        AssertAllDhcpdAlive();
    }

    internal static IPAddress Address(int lastOctet) => IPAddress.Parse("198.51.100." + lastOctet.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>A change carries the object's exchange values: states and flags by name, times as instants.</summary>
    internal static void AssertChange(OmapiChange change, string name, object? oldValue, object? newValue)
    {
        OmapiPropertyChange property = Assert.Single(change.Changes, c => c.Name == name);
        Assert.Equal(AsExchanged(oldValue), property.OldValue);
        Assert.Equal(AsExchanged(newValue), property.NewValue);
    }

    private static object? AsExchanged(object? value) => value switch
    {
        Enum e => e.ToString(),
        DateTime t => new DateTimeOffset(t),
        _ => value,
    };

    internal static async Task WaitForPollsAsync(OmapiWatcher watcher, long polls, CancellationToken ct)
    {
        long target = watcher.Polls + polls;
        DateTime deadline = DateTime.UtcNow + (watcher.Interval * (polls + 2));
        while (watcher.Polls < target)
        {
            Assert.True(DateTime.UtcNow < deadline, "the watcher did not poll " + polls + " times in time (" + watcher.Polls + ")");
            await Task.Delay(50, ct);
        }
    }

    private static async Task RestoreAsync(OmapiSession session, IPAddress address)
    {
        OmapiLease lease = await session.GetLeaseAsync(address);
        if (lease.GetState() != LeaseState.Free || lease.GetFlags() != LeaseFlags.None)
        {
            await session.UpdateLeaseAsync(lease, new OmapiLeaseChanges { State = LeaseState.Free, Flags = LeaseFlags.None });
        }

        lease = await session.GetLeaseAsync(address);
        Assert.Equal(LeaseState.Free, lease.GetState());
        Assert.Equal(LeaseFlags.None, lease.GetFlags());
    }

    private static async Task DeleteHostIfThereAsync(OmapiSession session, string name)
    {
        try
        {
            OmapiHost host = await session.GetHostByNameAsync(name);
            await session.DeleteAsync(host.GetHandle());
        }
        catch (OmapiNotFoundException)
        {
        }
    }

    private async Task<OmapiWatcher> StartWatcherAsync(IEnumerable<OmapiWatchTarget> targets, CancellationToken ct)
    {
        var watcher = new OmapiWatcher(await ConnectMainAsync(), new OmapiWatcherOptions { Interval = Interval, OwnsSession = true });
        IReadOnlyList<OmapiWatchResolution> resolutions = await watcher.AddAsync(targets, ct);
        Assert.All(resolutions, r => Assert.Null(r.Error));
        await watcher.RequestNotificationsAsync(ct);
        watcher.Start();
        return watcher;
    }
}
