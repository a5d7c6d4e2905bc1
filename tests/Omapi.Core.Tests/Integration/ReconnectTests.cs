using System;
using System.Diagnostics;
using System.Threading.Tasks;
using Omapi.Core.Connection;
using Omapi.Core.Objects;
using Omapi.Core.Tests.Dhcpd;
using Xunit;
using PSOmapi.Testing;

namespace Omapi.Core.Tests.Integration
{
    /// <summary>Sessions that survive dhcpd restarts, fail fast while it is gone, and fail over to the next server.</summary>
    public class ReconnectTests : DhcpdTestBase
    {
        public ReconnectTests(DhcpdFixture fixture) : base(fixture) { }

        private DhcpdInstance Victim => Fixture.ForAlgorithm("HMAC-SHA1");

        [Fact]
        public async Task After_a_dhcpd_restart_the_next_call_reconnects_and_reauthenticates_by_itself()
        {
            using OmapiSession session = await ConnectAsync(Victim);
            var ct = TestContext.Current.CancellationToken;
            Assert.Equal(LeaseState.Free, (await session.GetLeaseAsync(DhcpdScenario.UnseededFreeAddress, ct)).GetState());

            await Victim.RestartAsync(ct);

            OmapiLease again = await session.GetLeaseAsync(DhcpdScenario.UnseededFreeAddress, ct);
            Assert.Equal(LeaseState.Free, again.GetState());
            Assert.Equal(1, session.Reconnects);
            Assert.True(session.Connection!.IsAuthenticated);
        }

        [Fact]
        public async Task A_request_in_flight_when_dhcpd_dies_fails_at_once_with_a_connection_error()
        {
            using OmapiSession session = await ConnectAsync(Victim);
            var ct = TestContext.Current.CancellationToken;
            Signal(Victim, "STOP"); // the request will wait on the socket
            Task<OmapiLease> pending = session.GetLeaseAsync(DhcpdScenario.UnseededFreeAddress, ct);
            await Task.Delay(200, ct);
            Assert.False(pending.IsCompleted);
            var watch = Stopwatch.StartNew();
            try
            {
                Signal(Victim, "KILL");
                var ex = await Assert.ThrowsAsync<OmapiConnectionException>(() => pending);
                Assert.Contains(Victim.Host + ":" + Victim.Port, ex.Message, StringComparison.Ordinal); // reset or closed: either way, lost
                Assert.Matches("lost|closed", ex.Message);
                Assert.InRange(watch.Elapsed.TotalSeconds, 0, 10); // not the 20 s request timeout: the loss is seen at once
            }
            finally
            {
                await Victim.RestartAsync(ct);
            }

            Assert.Equal(LeaseState.Free, (await session.GetLeaseAsync(DhcpdScenario.UnseededFreeAddress, ct)).GetState());
        }

        [Fact]
        public async Task With_reconnecting_turned_off_a_lost_connection_stays_lost()
        {
            OmapiConnectionOptions options = OptionsFor(Victim);
            options.ReconnectAttempts = 0;
            using OmapiSession session = await OmapiSession.ConnectAsync(options, TestContext.Current.CancellationToken);
            await Victim.RestartAsync(TestContext.Current.CancellationToken);
            var ex = await Assert.ThrowsAsync<OmapiConnectionException>(() => session.GetLeaseAsync(DhcpdScenario.UnseededFreeAddress, TestContext.Current.CancellationToken));
            Assert.Contains("turned off", ex.Message, StringComparison.Ordinal);
            Assert.Equal(0, session.Reconnects);
        }

        [Fact]
        public async Task The_synchronous_lookup_reconnects_on_its_own_thread_after_a_dhcpd_restart()
        {
            // GetLease (what Get-OmapiLease -IPAddress uses) connects, authenticates and backs off on the calling thread:
            // it never waits on a task that needs the thread pool, which a blocked pipeline thread might be holding up.
            using OmapiSession session = await ConnectAsync(Victim);
            var ct = TestContext.Current.CancellationToken;
            Assert.Equal(LeaseState.Free, session.GetLease(DhcpdScenario.UnseededFreeAddress, ct).GetState());

            await Victim.RestartAsync(ct);
            OmapiLease again = await Task.Factory.StartNew(() => session.GetLease(DhcpdScenario.UnseededFreeAddress, ct), ct, TaskCreationOptions.LongRunning, TaskScheduler.Default);

            Assert.Equal(LeaseState.Free, again.GetState());
            Assert.Equal(1, session.Reconnects);
            Assert.True(session.Connection!.IsAuthenticated);
        }

        [Fact]
        public async Task The_synchronous_lookup_gives_up_after_the_bounded_attempts_too_and_recovers_when_dhcpd_is_back()
        {
            OmapiConnectionOptions options = OptionsFor(Victim);
            options.ReconnectAttempts = 2;
            options.ReconnectDelay = TimeSpan.FromMilliseconds(100);
            using OmapiSession session = await OmapiSession.ConnectAsync(options, TestContext.Current.CancellationToken);
            await Victim.StopAsync(TestContext.Current.CancellationToken);
            try
            {
                var ex = Assert.Throws<OmapiConnectionException>(() => session.GetLease(DhcpdScenario.UnseededFreeAddress, TestContext.Current.CancellationToken));
                Assert.Contains("2 reconnect attempt(s) failed", ex.Message, StringComparison.Ordinal);
            }
            finally
            {
                await Victim.StartAsync(TestContext.Current.CancellationToken);
            }

            Assert.Equal(LeaseState.Free, session.GetLease(DhcpdScenario.UnseededFreeAddress, TestContext.Current.CancellationToken).GetState());
        }

        [Fact]
        public async Task When_dhcpd_stays_down_the_bounded_attempts_end_in_a_connection_error()
        {
            OmapiConnectionOptions options = OptionsFor(Victim);
            options.ReconnectAttempts = 3;
            options.ReconnectDelay = TimeSpan.FromMilliseconds(100);
            using OmapiSession session = await OmapiSession.ConnectAsync(options, TestContext.Current.CancellationToken);
            await Victim.StopAsync(TestContext.Current.CancellationToken);
            try
            {
                var ex = await Assert.ThrowsAsync<OmapiConnectionException>(() => session.GetLeaseAsync(DhcpdScenario.UnseededFreeAddress, TestContext.Current.CancellationToken));
                Assert.Contains("3 reconnect attempt(s) failed", ex.Message, StringComparison.Ordinal);
            }
            finally
            {
                await Victim.StartAsync(TestContext.Current.CancellationToken);
            }

            Assert.Equal(LeaseState.Free, (await session.GetLeaseAsync(DhcpdScenario.UnseededFreeAddress, TestContext.Current.CancellationToken)).GetState());
        }

        [Fact]
        public async Task The_first_server_that_answers_is_used_and_a_lost_one_fails_over_to_the_next()
        {
            // A failover "pair": the first entry refuses connections, the second is the main dhcpd.
            OmapiConnectionOptions options = OptionsFor(Fixture.Main);
            options.Server = "127.0.0.1:1";
            options.AlternateServers = new[] { Fixture.Main.Host + ":" + Fixture.Main.Port };
            using OmapiSession session = await OmapiSession.ConnectAsync(options, TestContext.Current.CancellationToken);
            Assert.Equal(Fixture.Main.Port, session.Port);
            OmapiLease lease = await session.GetLeaseAsync(DhcpdScenario.ActiveLeases[0].IpAddress, TestContext.Current.CancellationToken);
            Assert.Equal(Fixture.Main.Host, lease.Server);

            // Nobody answers at all: one error that names each server's failure.
            OmapiConnectionOptions nobody = OptionsFor(Fixture.Main);
            nobody.Server = "127.0.0.1:1";
            nobody.AlternateServers = new[] { "127.0.0.1:2" };
            var ex = await Assert.ThrowsAsync<OmapiConnectionException>(() => OmapiSession.ConnectAsync(nobody, TestContext.Current.CancellationToken));
            Assert.Contains("127.0.0.1:1", ex.Message, StringComparison.Ordinal);
            Assert.Contains("127.0.0.1:2", ex.Message, StringComparison.Ordinal);

            // A server that answers and refuses the key is an answer: no silent move to the next one.
            OmapiConnectionOptions wrongKey = OptionsFor(Fixture.Main, keyName: "no_such_key");
            wrongKey.AlternateServers = new[] { Fixture.Main.Host + ":" + Fixture.Main.Port };
            await Assert.ThrowsAsync<OmapiAuthenticationException>(() => OmapiSession.ConnectAsync(wrongKey, TestContext.Current.CancellationToken));
        }

        private static void Signal(DhcpdInstance instance, string signal)
        {
            using Process kill = Process.Start("kill", "-" + signal + " " + instance.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture))!;
            kill.WaitForExit();
        }
    }
}
