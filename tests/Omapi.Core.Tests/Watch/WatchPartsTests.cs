using System;
using System.Linq;
using Omapi.Core.Connection;
using Omapi.Core.Objects;
using Omapi.Core.Watch;
using Xunit;

namespace Omapi.Core.Tests.Watch;

/// <summary>
/// The parts of the watcher that need no server: the back-off it shares with the session, the schedule (on a clock the
/// test moves), the reconnect message made from the real options, and the compare step of one watched entry.
/// </summary>
public class WatchPartsTests
{
    private static readonly DateTime Ends = new DateTime(2031, 1, 2, 3, 4, 5, DateTimeKind.Utc);

    [Fact]
    public void The_back_off_doubles_up_to_its_ceiling_and_says_its_schedule()
    {
        var watch = new Backoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));
        Assert.Equal(new[] { 1.0, 2, 4, 8, 16, 30, 30 }, watch.Delays(7).Select(d => d.TotalSeconds));
        Assert.Equal("1, 2, 4, 8, 16, 30 s, then every 30 s", watch.Describe(null));
        Assert.Equal("1, 2, 4 s", watch.Describe(3));
        Assert.Equal("0.1, 0.2, 0.4 ... 60 s, then every 60 s", new Backoff(TimeSpan.FromSeconds(0.1), TimeSpan.FromSeconds(60)).Describe(null));

        // The session's policy is the same back-off: from ReconnectDelay, doubling, at most 8 s.
        Backoff session = Backoff.ForReconnect(new OmapiConnectionOptions { ReconnectDelay = TimeSpan.FromMilliseconds(500) });
        Assert.Equal("0.5, 1 s", session.Describe(2));
        Assert.Equal("0.5, 1, 2 ... 8 s", session.Describe(9));
        Assert.Equal(8, session.Delays(20).Last().TotalSeconds);
    }

    [Fact]
    public void The_schedule_polls_an_interval_after_each_start_and_spaces_reconnect_rounds_with_the_back_off()
    {
        TimeSpan now = TimeSpan.FromSeconds(100);
        var schedule = new WatchSchedule(new OmapiWatcherOptions { Interval = TimeSpan.FromSeconds(5), FirstRetryDelay = TimeSpan.FromSeconds(2), MaxRetryDelay = TimeSpan.FromSeconds(7) }, () => now);
        Assert.Equal(TimeSpan.FromSeconds(105), schedule.Due);

        // A quick poll: the next starts one interval after this one started; a slow one is followed at once.
        now = TimeSpan.FromSeconds(105.2);
        schedule.Polled(TimeSpan.FromSeconds(105));
        Assert.Equal(TimeSpan.FromSeconds(110), schedule.Due);
        now = TimeSpan.FromSeconds(117);
        schedule.Polled(TimeSpan.FromSeconds(110));
        Assert.Equal(now, schedule.Due);

        // Lost: 2, 4, 7, 7 s between rounds; lost again later: from 2 s again.
        Assert.Equal(TimeSpan.FromSeconds(2), schedule.Lost());
        Assert.Equal(now + TimeSpan.FromSeconds(2), schedule.Due);
        Assert.Equal(new[] { 4.0, 7, 7 }, new[] { schedule.RetryFailed(), schedule.RetryFailed(), schedule.RetryFailed() }.Select(d => d.TotalSeconds));
        Assert.Equal(now + TimeSpan.FromSeconds(7), schedule.Due);
        schedule.Polled(now);
        Assert.Equal(TimeSpan.FromSeconds(2), schedule.Lost());
    }

    [Theory]
    [InlineData(1, 30, 3, 500, "Reconnecting with back-off (1, 2, 4, 8, 16, 30 s, then every 30 s); each round is the session's reconnect: up to 3 tries 0.5, 1 s apart.")]
    [InlineData(2, 10, 1, 500, "Reconnecting with back-off (2, 4, 8, 10 s, then every 10 s); each round is the session's reconnect: one try.")]
    [InlineData(0.25, 0.25, 5, 1000, "Reconnecting with back-off (0.25 s, then every 0.25 s); each round is the session's reconnect: up to 5 tries 1, 2, 4, 8 s apart.")]
    [InlineData(1, 30, 0, 500, "Reconnecting with back-off (1, 2, 4, 8, 16, 30 s, then every 30 s), but reconnecting is turned off for the session watched through (ReconnectAttempts 0): watching resumes only if its connection is re-opened.")]
    public void The_reconnect_message_says_the_schedule_of_the_options(double first, double max, int attempts, int delayMs, string expected)
    {
        var schedule = new WatchSchedule(new OmapiWatcherOptions { FirstRetryDelay = TimeSpan.FromSeconds(first), MaxRetryDelay = TimeSpan.FromSeconds(max) });
        var session = new OmapiConnectionOptions { ReconnectAttempts = attempts, ReconnectDelay = TimeSpan.FromMilliseconds(delayMs) };
        Assert.Equal(expected, schedule.DescribeReconnect(session));
    }

    [Fact]
    public void An_entry_reports_appearance_change_and_disappearance_and_keeps_its_state_on_an_inconclusive_read()
    {
        long sequence = 0;
        long Next() => ++sequence;
        var entry = new WatchEntry(OmapiWatchTarget.ForLease(System.Net.IPAddress.Parse("198.51.100.77")), WatchTargetTests.Lease(5, LeaseState.Free, Ends));
        Assert.Equal(5u, entry.Handle);

        Assert.Null(entry.Take(new WatchRead(WatchTargetTests.Lease(5, LeaseState.Free, Ends), null), Next));
        OmapiChange taken = entry.Take(new WatchRead(WatchTargetTests.Lease(5, LeaseState.Active, Ends), null), Next)!;
        Assert.Equal(OmapiChangeKind.Appeared, taken.Kind);
        Assert.Equal("State", Assert.Single(taken.Changes).Name);
        Assert.Equal(1, taken.Sequence);

        // Several leases share the key now: no conclusion, the last state stands and nothing is reported.
        Assert.Null(entry.Take(new WatchRead(null, new OmapiMultipleMatchesException(4, "multiple", "open lease")), Next));
        Assert.Equal(LeaseState.Active, Assert.IsType<OmapiLease>(entry.Current).GetState());

        OmapiChange extended = entry.Take(new WatchRead(WatchTargetTests.Lease(5, LeaseState.Active, Ends.AddDays(1)), null), Next)!;
        Assert.Equal(OmapiChangeKind.Changed, extended.Kind);
        OmapiChange freed = entry.Take(new WatchRead(WatchTargetTests.Lease(5, LeaseState.Free, Ends.AddDays(1)), null), Next)!;
        Assert.Equal(OmapiChangeKind.Disappeared, freed.Kind);
        Assert.Equal(3, freed.Sequence);

        var host = new WatchEntry(OmapiWatchTarget.ForHost("pc1"), null);
        Assert.Equal(0u, host.Handle);
        OmapiHost created = WatchTargetTests.Host(7, "pc1", "02:00:00:00:00:01", Array.Empty<byte>());
        Assert.Equal(OmapiChangeKind.Appeared, host.Take(new WatchRead(created, null), Next)!.Kind);
        Assert.Equal(7u, host.Handle);
        OmapiChange deleted = host.Take(new WatchRead(null, new OmapiNotFoundException(5, "not found", "open host pc1")), Next)!;
        Assert.Equal(OmapiChangeKind.Disappeared, deleted.Kind);
        Assert.Same(created, deleted.Previous);
        Assert.Null(deleted.Current);
        Assert.Equal(0u, host.Handle);

        // Dhcpd restarted: the same objects, read again by key, have other handles.
        Assert.True(WatchEntry.HandlesChanged(new[] { entry }, new[] { new WatchRead(WatchTargetTests.Lease(6, LeaseState.Free, Ends), null) }));
        Assert.False(WatchEntry.HandlesChanged(new[] { entry }, new[] { new WatchRead(WatchTargetTests.Lease(5, LeaseState.Free, Ends), null) }));
    }
}
