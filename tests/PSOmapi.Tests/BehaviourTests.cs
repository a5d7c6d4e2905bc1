using System;
using System.Diagnostics;
using System.Linq;
using System.Management.Automation;
using System.Threading.Tasks;
using Omapi.Core.Tests.Dhcpd;
using Xunit;
using PSOmapi.Testing;

namespace PSOmapi.Tests
{
    /// <summary>What scripts rely on beyond single cmdlets: Ctrl+C, timeouts, parallel runspaces, ambiguous keys.</summary>
    public class BehaviourTests : ModuleTestBase
    {
        public BehaviourTests(DhcpdFixture fixture) : base(fixture) { }

        [Fact]
        public async Task Stopping_the_pipeline_ends_a_call_waiting_on_an_unresponsive_server_at_once()
        {
            DhcpdInstance frozen = Fixture.ForAlgorithm("HMAC-SHA1");
            ConnectTo(frozen, timeoutSec: 120);
            Signal(frozen, "STOP"); // dhcpd stops answering, the TCP connection stays up
            try
            {
                using var ps = PowerShell.Create();
                ps.Runspace = Shell.Runspace;
                ps.AddScript("Get-OmapiLease -IPAddress $args[0]").AddArgument(DhcpdScenario.UnseededFreeAddress.ToString());
                IAsyncResult running = ps.BeginInvoke();
                await Task.Delay(500, TestContext.Current.CancellationToken);
                Assert.False(running.IsCompleted); // waiting on the socket

                Task stop = Task.Factory.FromAsync(ps.BeginStop(null, null), ps.EndStop);
                // Far below the 120 s request timeout: the stop reached the socket wait. (A hang guard, not a benchmark.)
                Task finished = await Task.WhenAny(stop, Task.Delay(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken));
                Assert.Same(stop, finished);
                Assert.Equal(PSInvocationState.Stopped, ps.InvocationStateInfo.State);
            }
            finally
            {
                Signal(frozen, "CONT");
            }

            // The session is still usable afterwards.
            Assert.Single(Shell.Invoke("Get-OmapiLease -IPAddress $args[0]", DhcpdScenario.UnseededFreeAddress.ToString()));
            Assert.Empty(Shell.Errors);
        }

        [Fact]
        public void A_server_that_stops_answering_gives_OperationTimeout_within_the_configured_time()
        {
            DhcpdInstance frozen = Fixture.ForAlgorithm("HMAC-SHA1");
            ConnectTo(frozen, timeoutSec: 1);
            Signal(frozen, "STOP");
            ErrorRecord error;
            var watch = Stopwatch.StartNew();
            try
            {
                error = Shell.ErrorOf("Get-OmapiLease -IPAddress $args[0]", DhcpdScenario.UnseededFreeAddress.ToString());
            }
            finally
            {
                watch.Stop();
                Signal(frozen, "CONT");
            }

            Assert.Equal("OperationTimeout,PSOmapi.GetOmapiLeaseCommand", error.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.OperationTimeout, error.CategoryInfo.Category);
            Assert.Equal(DhcpdScenario.UnseededFreeAddress, error.TargetObject);
            Assert.Contains("within 1 s", error.Exception.Message, StringComparison.Ordinal);
            Assert.InRange(watch.Elapsed.TotalSeconds, 0.9, 30); // it did wait for the limit, and did not hang
        }

        [Fact]
        public void A_mac_with_several_leases_is_MultipleMatches()
        {
            ConnectMain();
            ErrorRecord error = Shell.ErrorOf("Get-OmapiLease -MacAddress $args[0]", DhcpdScenario.SharedLeaseMac);
            Assert.Equal("MultipleMatches,PSOmapi.GetOmapiLeaseCommand", error.FullyQualifiedErrorId);
            Assert.Equal(DhcpdScenario.SharedLeaseMac, error.TargetObject);
            Assert.Contains("393222", error.Exception.Message, StringComparison.Ordinal);
            Assert.NotNull(error.ErrorDetails?.RecommendedAction);
        }

        [Fact]
        public void ForEach_Object_Parallel_runspaces_each_get_their_own_session()
        {
            PSObject mine = ConnectMain();
            Shell.SetVariable("cred", CredentialFor(Fixture.Main));
            var results = Shell.Invoke(
                @"$manifest = $args[0]; $server = $args[1]; $port = $args[2]; $ips = $args[3]
                  $ips | ForEach-Object -ThrottleLimit 4 -Parallel {
                      Import-Module $using:manifest
                      $s = Connect-Omapi -Server $using:server -Port $using:port -Credential $using:cred
                      $lease = Get-OmapiLease -IPAddress $_
                      [pscustomobject]@{ Ip = $lease.IPAddress.ToString(); SessionId = $s.Id; Sessions = @(Get-OmapiSession).Count }
                      Disconnect-Omapi
                  }",
                ModuleHarness.ManifestPath,
                Fixture.Main.Host,
                Fixture.Main.Port,
                DhcpdScenario.ActiveLeases.Select(l => l.IpAddress.ToString()).ToArray());
            Assert.Empty(Shell.Errors);
            Assert.Equal(DhcpdScenario.ActiveLeases.Count, results.Count);
            Assert.Equal(DhcpdScenario.ActiveLeases.Select(l => l.IpAddress.ToString()).OrderBy(s => s), results.Select(r => r.Properties["Ip"].Value.ToString()).OrderBy(s => s));
            Assert.All(results, r => Assert.Equal(1, (int)r.Properties["Sessions"].Value)); // each runspace sees only its own
            Assert.Equal(results.Count, results.Select(r => r.Properties["SessionId"].Value).Distinct().Count());

            // The caller's default session is untouched.
            PSObject still = Assert.Single(Shell.Invoke("Get-OmapiSession"));
            Assert.Equal(Prop<int>(mine, "Id"), Prop<int>(still, "Id"));
        }

        private void ConnectTo(DhcpdInstance instance, int timeoutSec)
        {
            Shell.SetVariable("cred", CredentialFor(instance));
            Shell.Invoke("Connect-Omapi -Server $args[0] -Port $args[1] -Credential $cred -Algorithm $args[2] -TimeoutSec $args[3]", instance.Host, instance.Port, instance.Algorithm, timeoutSec);
            Assert.Empty(Shell.Errors);
        }

        private static void Signal(DhcpdInstance instance, string signal)
        {
            using Process kill = Process.Start("kill", "-" + signal + " " + instance.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture))!;
            kill.WaitForExit();
            Assert.Equal(0, kill.ExitCode);
        }
    }
}
