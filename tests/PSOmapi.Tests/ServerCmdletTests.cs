using System;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Threading.Tasks;
using Omapi.Core.Tests.Dhcpd;
using Xunit;
using PSOmapi.Testing;

namespace PSOmapi.Tests
{
    /// <summary>
    /// Get/Set-OmapiFailoverState against the fixture's failover instance (a second session, $fo, next to the default
    /// session to the main instance), and Stop-OmapiServer against one per-algorithm instance, restarted afterwards.
    /// </summary>
    public class ServerCmdletTests : ModuleTestBase
    {
        private const string StopAlgorithm = "HMAC-SHA384";

        public ServerCmdletTests(DhcpdFixture fixture) : base(fixture)
        {
            Shell.SetVariable("fo", Connect(fixture.Failover));
            ConnectMain(); // the default session; failover cmdlets name -Session $fo
        }

        private static FailoverPeerConfig Peer => DhcpdScenario.FailoverPeer;

        // ---- Get-OmapiFailoverState ----

        [Fact]
        public void Get_OmapiFailoverState_reads_the_configured_peer()
        {
            PSObject state = Assert.Single(Shell.Invoke("Get-OmapiFailoverState -Name $args[0] -Session $fo", Peer.Name));
            Assert.Empty(Shell.Errors);
            Assert.Equal("Omapi.Core.Objects.OmapiFailoverState", state.TypeNames[0]);
            Assert.Equal(Peer.Name, Prop<string>(state, "Name"));
            Assert.Equal("Primary", state.Properties["Role"].Value.ToString());
            Assert.Equal(Peer.Mclt, Prop<int?>(state, "Mclt"));
            Assert.Equal(Peer.PeerPort, Prop<int?>(state, "PartnerPort"));
            Assert.Equal(Peer.LocalPort, Prop<int?>(state, "LocalPort"));
            Assert.Equal(Peer.MaxResponseDelay, Prop<int?>(state, "MaxResponseDelay"));
            Assert.Equal(Peer.MaxUnackedUpdates, Prop<int?>(state, "MaxOutstandingUpdates"));
            Assert.Equal(Peer.LoadBalanceMaxSeconds, Prop<int?>(state, "LoadBalanceMaxSecs"));
            Assert.NotEqual("Unknown", state.Properties["LocalState"].Value.ToString());
            Assert.Equal(Fixture.Failover.Host + ":" + Fixture.Failover.Port, Prop<string>(state, "Server")); // not 7911: the port tells servers apart
        }

        [Fact]
        public void Failover_peer_names_bind_from_the_pipeline_by_value_and_by_property_name()
        {
            uint handle = Handle(Assert.Single(Shell.Invoke("$args[0] | Get-OmapiFailoverState -Session $fo", Peer.Name)));
            PSObject byProperty = Assert.Single(Shell.Invoke("[pscustomobject]@{ Name = $args[0] } | Get-OmapiFailoverState -Session $fo", Peer.Name));
            Assert.Equal(handle, Handle(byProperty));
            Assert.Empty(Shell.Errors);
        }

        [Fact]
        public void An_unknown_peer_is_FailoverStateNotFound_and_catchable()
        {
            // The main instance (the default session) declares no failover peer at all.
            var results = Shell.Invoke("Get-OmapiFailoverState $args[0]; Get-OmapiFailoverState $args[1], $args[0] -Session $fo", Peer.Name, "nosuchpeer");
            Assert.Single(results);
            Assert.Equal(2, Shell.Errors.Count);
            Assert.All(Shell.Errors, e =>
            {
                Assert.Equal("FailoverStateNotFound,PSOmapi.GetOmapiFailoverStateCommand", e.FullyQualifiedErrorId);
                Assert.Equal(ErrorCategory.ObjectNotFound, e.CategoryInfo.Category);
            });
            Assert.Equal(new object[] { Peer.Name, "nosuchpeer" }, Shell.Errors.Select(e => e.TargetObject));

            var caught = Shell.Invoke("try { Get-OmapiFailoverState nosuchpeer -Session $fo -ErrorAction Stop } catch { $_.FullyQualifiedErrorId }");
            Assert.Equal("FailoverStateNotFound,PSOmapi.GetOmapiFailoverStateCommand", caught.Single().ToString());
        }

        // ---- Set-OmapiFailoverState ----

        [Fact]
        public void Set_by_name_with_PassThru_returns_the_state_read_back_from_the_server()
        {
            string original = LocalState();
            try
            {
                PSObject result = Assert.Single(Shell.Invoke("Set-OmapiFailoverState -Name $args[0] -LocalState PartnerDown -PassThru -Confirm:$false -Session $fo", Peer.Name));
                Assert.Empty(Shell.Errors);
                Assert.Equal("Omapi.Core.Objects.OmapiFailoverState", result.TypeNames[0]);
                Assert.Equal("PartnerDown", result.Properties["LocalState"].Value.ToString());
                Assert.Equal("PartnerDown", LocalState());
            }
            finally
            {
                Restore(original);
            }
        }

        [Fact]
        public void Set_from_the_pipeline_acts_on_the_handle_and_returns_nothing_without_PassThru()
        {
            string original = LocalState();
            try
            {
                Shell.Invoke("$st = Get-OmapiFailoverState $args[0] -Session $fo", Peer.Name);
                long before = SentRequests("$fo");
                Assert.Empty(Shell.Invoke("$st | Set-OmapiFailoverState -LocalState PartnerDown -Confirm:$false -Session $fo"));
                Assert.Empty(Shell.Errors);
                Assert.Equal(before + 1, SentRequests("$fo")); // the UPDATE alone: no lookup by name
                Assert.Equal("PartnerDown", LocalState());

                // An object with only a Name (e.g. from Import-Csv) binds -Name by property name.
                Assert.Empty(Shell.Invoke("[pscustomobject]@{ Name = $args[0] } | Set-OmapiFailoverState -LocalState $args[1] -Confirm:$false -Session $fo", Peer.Name, original));
                Assert.Empty(Shell.Errors);
                TestContext.Current.SendDiagnosticMessage("restored {0} by name: now {1}", original, LocalState());
            }
            finally
            {
                Restore(original);
            }
        }

        [Fact]
        public void WhatIf_on_Set_OmapiFailoverState_sends_nothing()
        {
            string original = LocalState();
            long before = SentRequests("$fo");
            Assert.Empty(Shell.Invoke("Set-OmapiFailoverState $args[0] -LocalState PartnerDown -WhatIf -Session $fo", Peer.Name));
            Assert.Empty(Shell.Errors);
            Assert.Equal(before, SentRequests("$fo"));

            string shown = Shell.Render("Set-OmapiFailoverState $args[0] -LocalState PartnerDown -WhatIf -Session $fo", Peer.Name);
            Assert.Contains("failover peer '" + Peer.Name + "' on " + Fixture.Failover.Host, shown, StringComparison.Ordinal);
            Assert.Contains("only if the partner is really down", shown, StringComparison.Ordinal);

            Shell.Invoke("$st = Get-OmapiFailoverState $args[0] -Session $fo", Peer.Name);
            before = SentRequests("$fo");
            Shell.Invoke("$st | Set-OmapiFailoverState -LocalState PartnerDown -WhatIf -Session $fo");
            Assert.Equal(before, SentRequests("$fo"));
            Assert.Equal(original, LocalState());
        }

        [Fact]
        public void Set_asks_for_confirmation_and_a_host_that_cannot_prompt_stops_it_before_anything_is_sent()
        {
            // ConfirmImpact High meets the default $ConfirmPreference (High): the engine asks the host, which here
            // cannot prompt. Scripts and non-interactive hosts must pass -Confirm:$false.
            string original = LocalState();
            long before = SentRequests("$fo");
            ErrorRecord error = Shell.ErrorOf("Set-OmapiFailoverState $args[0] -LocalState PartnerDown -Session $fo", Peer.Name);
            TestContext.Current.SendDiagnosticMessage("without -Confirm:$false: {0}: {1}", error.FullyQualifiedErrorId, error.Exception.Message);
            Assert.Contains("cannot prompt", error.Exception.Message, StringComparison.Ordinal);
            Assert.Equal(before, SentRequests("$fo"));
            Assert.Equal(original, LocalState());
        }

        [Fact]
        public void Setting_an_unknown_peer_is_FailoverStateNotFound()
        {
            ErrorRecord error = Shell.ErrorOf("Set-OmapiFailoverState -Name nosuchpeer -LocalState PartnerDown -Confirm:$false -Session $fo");
            Assert.Equal("FailoverStateNotFound,PSOmapi.SetOmapiFailoverStateCommand", error.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
            Assert.Equal("nosuchpeer", error.TargetObject);
            var caught = Shell.Invoke("try { Set-OmapiFailoverState $args[0] -LocalState PartnerDown -Confirm:$false -ErrorAction Stop } catch { $_.FullyQualifiedErrorId }", Peer.Name);
            Assert.Equal("FailoverStateNotFound,PSOmapi.SetOmapiFailoverStateCommand", caught.Single().ToString());
        }

        // ---- Stop-OmapiServer ----

        [Fact]
        public void WhatIf_on_Stop_OmapiServer_sends_nothing_and_names_the_server_and_port()
        {
            DhcpdInstance instance = Fixture.ForAlgorithm(StopAlgorithm);
            Shell.SetVariable("victim", Connect(instance));
            long before = SentRequests("$victim");
            Assert.Empty(Shell.Invoke("Stop-OmapiServer -WhatIf -Session $victim"));
            Assert.Empty(Shell.Errors);
            string shown = Shell.Render("[pscustomobject]@{ Session = $victim } | Stop-OmapiServer -WhatIf");
            Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"dhcpd at {instance.Host}:{instance.Port}"), shown, StringComparison.Ordinal);
            Assert.Equal(before, SentRequests("$victim"));
            Assert.True(instance.IsRunning);
            Assert.Single(Shell.Invoke("Get-OmapiLease $args[0] -Session $victim", DhcpdScenario.UnseededFreeAddress.ToString()));
        }

        [Fact]
        public void Stop_OmapiServer_asks_for_confirmation_and_a_host_that_cannot_prompt_stops_it()
        {
            DhcpdInstance instance = Fixture.ForAlgorithm(StopAlgorithm);
            Shell.SetVariable("victim", Connect(instance));
            long before = SentRequests("$victim");
            ErrorRecord error = Shell.ErrorOf("Stop-OmapiServer -Session $victim");
            TestContext.Current.SendDiagnosticMessage("without -Confirm:$false: {0}: {1}", error.FullyQualifiedErrorId, error.Exception.Message);
            Assert.Contains("cannot prompt", error.Exception.Message, StringComparison.Ordinal);
            Assert.Equal(before, SentRequests("$victim"));
            Assert.True(instance.IsRunning);
        }

        [Fact]
        public async Task Stop_OmapiServer_shuts_dhcpd_down_and_the_session_reconnects_after_a_restart()
        {
            DhcpdInstance instance = Fixture.ForAlgorithm(StopAlgorithm);
            Shell.SetVariable("victim", Connect(instance));
            try
            {
                var clock = Stopwatch.StartNew();
                Assert.Empty(Shell.Invoke("Stop-OmapiServer -Session $victim -Confirm:$false -Verbose"));
                Assert.Empty(Shell.Errors);
                TimeSpan cmdlet = clock.Elapsed;
                Assert.Contains(Shell.Verbose, v => v.Contains("accepted the shutdown", StringComparison.Ordinal));

                while (instance.IsRunning && clock.Elapsed < TimeSpan.FromSeconds(30))
                {
                    await Task.Delay(200, TestContext.Current.CancellationToken);
                }

                TestContext.Current.SendDiagnosticMessage("Stop-OmapiServer returned after {0:0.0} s; dhcpd gone after {1:0.0} s", cmdlet.TotalSeconds, clock.Elapsed.TotalSeconds);
                Assert.False(instance.IsRunning, "dhcpd still runs 30 s after Stop-OmapiServer; log tail:\n" + instance.ReadLogTail());

                // While it is down the session reports the refused connection.
                Assert.Equal("ConnectionFailed,PSOmapi.GetOmapiLeaseCommand", Shell.ErrorOf("Get-OmapiLease $args[0] -Session $victim", DhcpdScenario.UnseededFreeAddress.ToString()).FullyQualifiedErrorId);
            }
            finally
            {
                await instance.RestartAsync(TestContext.Current.CancellationToken);
            }

            // The same session reconnects to the restarted server by itself.
            Assert.Single(Shell.Invoke("Get-OmapiLease $args[0] -Session $victim", DhcpdScenario.UnseededFreeAddress.ToString()));
            Assert.Empty(Shell.Errors);
        }

        private PSObject Connect(DhcpdInstance instance)
        {
            Shell.SetVariable("cred", CredentialFor(instance));
            var result = Shell.Invoke("Connect-Omapi -Server $args[0] -Port $args[1] -Credential $cred -Algorithm $args[2]", instance.Host, instance.Port, instance.Algorithm);
            Assert.Empty(Shell.Errors);
            return Assert.Single(result);
        }

        private string LocalState() =>
            Assert.Single(Shell.Invoke("(Get-OmapiFailoverState $args[0] -Session $fo).LocalState.ToString()", Peer.Name)).ToString();

        private void Restore(string state)
        {
            Shell.Invoke("Set-OmapiFailoverState $args[0] -LocalState $args[1] -Confirm:$false -Session $fo", Peer.Name, state);
            TestContext.Current.SendDiagnosticMessage("restore to {0}: errors {1}; now {2}", state, Shell.Errors.Count, LocalState());
        }

        private long SentRequests(string session) => Convert.ToInt64(Shell.Invoke("(" + session + ").RequestsSent")[0].BaseObject, CultureInfo.InvariantCulture);
    }
}
