using System;
using System.IO;
using System.Linq;
using System.Net;
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
/// A watch across a dhcpd stop and start (the HMAC-SHA512 instance, so the main instance is untouched): the loss and
/// the resumption are reported, and a lease written into the leases file while dhcpd was down is reported once it is
/// back, by comparison with the state before the loss (old handles are worthless after a restart).
/// </summary>
[Collection(DhcpdLifecycleCollection.Name)]
public class WatcherRestartTests : DhcpdTestBase
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    public WatcherRestartTests(DhcpdFixture fixture) : base(fixture)
    {
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_restart_is_reported_as_lost_then_resumed_and_a_change_made_while_dhcpd_was_down_is_reported(bool sessionsOfItsOwn)
    {
        var ct = TestContext.Current.CancellationToken;
        DhcpdInstance instance = Fixture.ForAlgorithm("HMAC-SHA512");
        // Each case its own never-used lease: a freed lease keeps its MAC address and hostname.
        IPAddress changed = WatcherTests.Address(sessionsOfItsOwn ? 131 : 139);
        IPAddress unchanged = WatcherTests.Address(sessionsOfItsOwn ? 132 : 140);
        string hostName = "notify-core-restart-" + (sessionsOfItsOwn ? "a" : "b");
        string mac = sessionsOfItsOwn ? "02:00:00:4e:01:31" : "02:00:00:4e:01:39";
        var ends = new DateTime(2034, 5, 6, 7, 8, 9, DateTimeKind.Utc);
        using OmapiSession other = await ConnectAsync(instance);
        await other.CreateHostAsync(new OmapiHostDefinition { Name = hostName, HardwareAddress = HardwareAddress.ParseMac(sessionsOfItsOwn ? "02:00:00:4e:01:32" : "02:00:00:4e:01:40") }, ct);
        try
        {
            OmapiLease before = await other.GetLeaseAsync(changed, ct);
            Assert.Equal(LeaseState.Free, before.GetState());
            // A session of its own (as Register-OmapiNotify uses), from options that turn reconnecting off (-NoReconnect):
            // the watch's session still tries once per round, rounds 1, 2, 4 ... s apart. Otherwise a session given to the
            // watcher, with the session's default policy (3 tries, 0.5 and 1 s apart) and a shorter back-off between rounds.
            // Either way the session re-opens its own connection, and the message says the schedule of the options.
            OmapiConnectionOptions noReconnect = OptionsFor(instance);
            noReconnect.ReconnectAttempts = 0;
            using OmapiWatcher watcher = sessionsOfItsOwn
                ? await OmapiWatcher.ConnectAsync(noReconnect, new OmapiWatcherOptions { Interval = Interval }, ct)
                : new OmapiWatcher(await ConnectAsync(instance), new OmapiWatcherOptions { Interval = Interval, OwnsSession = true, FirstRetryDelay = TimeSpan.FromSeconds(0.5), MaxRetryDelay = TimeSpan.FromSeconds(3) });
            string schedule = sessionsOfItsOwn
                ? "Reconnecting with back-off (1, 2, 4, 8, 16, 30 s, then every 30 s); each round is the session's reconnect: one try."
                : "Reconnecting with back-off (0.5, 1, 2, 3 s, then every 3 s); each round is the session's reconnect: up to 3 tries 0.5, 1 s apart.";
            OmapiSession first = watcher.Session;
            await watcher.AddAsync(new[] { OmapiWatchTarget.ForLease(changed), OmapiWatchTarget.ForLease(unchanged), OmapiWatchTarget.ForHost(hostName) }, ct);
            var log = new ChangeRecorder(watcher);
            watcher.Start();
            await WatcherTests.WaitForPollsAsync(watcher, 1, ct);

            // dhcpd goes down: the loss is reported at once (the connection closes), not at the next poll.
            TimeSpan since = log.Now;
            await instance.StopAsync(ct);
            OmapiChange lost = log.WaitFor(c => c.Kind == OmapiChangeKind.ConnectionLost, TimeSpan.FromSeconds(10), since, "connection lost").Change;
            Assert.Contains(instance.Host, lost.Message, StringComparison.Ordinal);
            Assert.EndsWith(schedule, lost.Message, StringComparison.Ordinal);
            Assert.Null(lost.Target);

            // While it is down, the lease is taken: written into its leases file, as dhcpd itself would have.
            var file = new LeasesFileWriter("Appended by WatcherRestartTests while dhcpd was stopped.");
            file.AddLease(changed, new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc), ends, "active", mac, null, "while-down");
            await File.AppendAllTextAsync(instance.LeasesFilePath, file.ToString(), ct);
            await Task.Delay(Interval * 2, ct); // at least one failed reconnect attempt
            Assert.Equal(OmapiWatcherState.Reconnecting, watcher.State);
            await instance.StartAsync(ct);

            // Reconnect rounds come 1, 2, 4 ... s (or 0.5, 1, 2 ... s) apart: within ~8 s of the loss here.
            OmapiChange resumed = log.WaitFor(c => c.Kind == OmapiChangeKind.Resumed, TimeSpan.FromSeconds(20), since, "resumed").Change;
            Assert.StartsWith("Watching resumed after", resumed.Message, StringComparison.Ordinal);
            OmapiChange taken = log.WaitFor(c => c.Key == "lease " + changed && c.Kind == OmapiChangeKind.Appeared, TimeSpan.FromSeconds(10), since, "change made while down").Change;
            Assert.True(taken.Sequence > resumed.Sequence);
            WatcherTests.AssertChange(taken, "State", LeaseState.Free, LeaseState.Active);
            WatcherTests.AssertChange(taken, "MacAddress", null, mac);
            WatcherTests.AssertChange(taken, "ClientHostname", null, "while-down");
            WatcherTests.AssertChange(taken, "Ends", before.Ends, ends);
            Assert.Equal(OmapiWatcherState.Running, watcher.State);
            Assert.Same(first, watcher.Session); // the session re-opened its connection: no second copy of reconnecting
            Assert.True(first.IsConnected);
            Assert.True(first.Reconnects >= 1);

            // Nothing else changed: the other lease and the host (with new handles now) are not reported.
            await WatcherTests.WaitForPollsAsync(watcher, 2, ct);
            foreach (OmapiChange change in log.All.OrderBy(c => c.Sequence))
            {
                TestContext.Current.TestOutputHelper?.WriteLine(change.ToString());
            }

            Assert.Equal(new[] { OmapiChangeKind.ConnectionLost, OmapiChangeKind.Resumed, OmapiChangeKind.Appeared }, log.Since(since).OrderBy(c => c.Sequence).Select(c => c.Kind));
            Assert.DoesNotContain(log.All, c => c.Key == "lease " + unchanged || c.Key == "host " + hostName);
        }
        finally
        {
            await instance.StartAsync(ct);
            using OmapiSession cleanup = await ConnectAsync(instance);
            OmapiLease lease = await cleanup.GetLeaseAsync(changed, ct);
            if (lease.GetState() != LeaseState.Free)
            {
                await cleanup.UpdateLeaseAsync(lease, new OmapiLeaseChanges { State = LeaseState.Free }, ct);
            }

            OmapiHost host = await cleanup.GetHostByNameAsync(hostName, ct);
            await cleanup.DeleteAsync(host.GetHandle(), null, ct);
        }
    }
}
