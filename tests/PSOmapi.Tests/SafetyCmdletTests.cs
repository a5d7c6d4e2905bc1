using System;
using System.Linq;
using System.Management.Automation;
using System.Threading.Tasks;
using Omapi.Core.Tests.Dhcpd;
using PSOmapi.Testing;
using Xunit;

namespace PSOmapi.Tests
{
    /// <summary>
    /// Issue 11 as users meet it: names dhcpd would lose refused before anything is sent, a scan that cannot go on ends
    /// with one error, a change whose reply is lost reported as it really ended, a typo'd /8 refused, and the hostname a
    /// lease change drops announced. Faults go through a proxy between the module and a real dhcpd.
    /// </summary>
    public class SafetyCmdletTests : ModuleTestBase
    {
        public SafetyCmdletTests(DhcpdFixture fixture) : base(fixture)
        {
        }

        private DhcpdInstance Crossing => Fixture.ForAlgorithm("HMAC-SHA256");

        /// <summary>Connect-Omapi to the crossing instance, through <paramref name="proxy"/> when given.</summary>
        private void Connect(OmapiFaultProxy? proxy = null, int timeoutSec = 20, string extra = "")
        {
            Shell.SetVariable("cred", CredentialFor(Crossing));
            Shell.Invoke("Connect-Omapi -Server $args[0] -Port $args[1] -Credential $cred -Algorithm $args[2] -TimeoutSec $args[3] " + extra, Crossing.Host, proxy?.Port ?? Crossing.Port, Crossing.Algorithm, timeoutSec);
            Assert.Empty(Shell.Errors);
        }

        private OmapiFaultProxy NewProxy() => new OmapiFaultProxy(Crossing.Host, Crossing.Port, new ProxyKey(Crossing.Algorithm, Crossing.SecretBase64));

        [Theory]
        [InlineData("front desk printer")]
        [InlineData("semi;colon")]
        [InlineData("q\"x")]
        [InlineData("_underscore")]
        [InlineData("a..b")]
        [InlineData("caf\u00e9")]
        public void A_host_name_dhcpd_would_lose_at_its_next_restart_is_refused_before_anything_is_sent(string name)
        {
            Connect();
            Shell.SetVariable("name", name);
            foreach (string script in new[] { "New-OmapiHost -Name $name -MacAddress 02:00:00:c0:ff:ee", "New-OmapiHost -Name $name -MacAddress 02:00:00:c0:ff:ee -WhatIf" })
            {
                ErrorRecord error = Shell.ErrorOf(script);
                Assert.StartsWith("InvalidHostName,", error.FullyQualifiedErrorId, StringComparison.Ordinal);
                Assert.Equal(name, error.TargetObject);
                Assert.Contains("next restart", error.Exception.Message, StringComparison.Ordinal);
            }

            Assert.StartsWith("HostNotFound,", Shell.ErrorOf("Get-OmapiHost -Name $name").FullyQualifiedErrorId, StringComparison.Ordinal);
        }

        [Fact]
        public void Set_OmapiHost_NewName_refuses_a_name_dhcpd_would_lose_and_leaves_the_host_as_it_was()
        {
            Connect();
            Shell.Invoke("New-OmapiHost -Name safety-rename -MacAddress 02:00:00:c0:00:01");
            Assert.Empty(Shell.Errors);
            try
            {
                ErrorRecord error = Shell.ErrorOf("Set-OmapiHost -Name safety-rename -NewName 'ok name' -Confirm:$false");
                Assert.StartsWith("InvalidHostName,", error.FullyQualifiedErrorId, StringComparison.Ordinal);
                Assert.Single(Shell.Invoke("Get-OmapiHost -Name safety-rename"));
            }
            finally
            {
                Shell.Invoke("Remove-OmapiHost -Name safety-rename -Confirm:$false");
            }
        }

        [Theory]
        [InlineData("10.0.0.0/8", "16,777,216")]
        [InlineData("10.0.0.0/16, 10.1.0.0/32", "65,537")]
        public void A_range_of_more_than_a_slash_16_needs_Force_and_says_how_many_and_how_long(string ranges, string count)
        {
            Connect();
            long before = (long)Shell.Invoke("(Get-OmapiSession -Default).RequestsSent")[0].BaseObject;
            ErrorRecord error = Shell.ErrorOf("Get-OmapiLease -Range (" + string.Join(", ", ranges.Split(", ").Select(r => "'" + r + "'")) + ")");
            Assert.StartsWith("RangeTooLarge,", error.FullyQualifiedErrorId, StringComparison.Ordinal);
            Assert.Contains(count + " addresses", error.Exception.Message, StringComparison.Ordinal);
            Assert.Contains("-Force", error.Exception.Message, StringComparison.Ordinal);
            Assert.Matches(@"roughly \d+ (seconds|minutes|hours|\.)", error.Exception.Message);
            Assert.Equal(before, (long)Shell.Invoke("(Get-OmapiSession -Default).RequestsSent")[0].BaseObject); // nothing was sent
        }

        [Fact]
        public void A_slash_16_is_scanned_without_Force()
        {
            Connect();
            var leases = Shell.Invoke("Get-OmapiLease -Range 198.18.0.0/16 -State Active");
            Assert.Empty(Shell.Errors);
            Assert.Equal(DhcpdScenario.CrossingLeases.Count, leases.Count);
        }

        [Fact]
        public void Changing_the_end_time_or_flags_of_a_lease_with_a_client_hostname_warns_that_dhcpd_drops_it()
        {
            Connect();
            SeededLease lease = DhcpdScenario.CrossingLeases.Last(l => l.ClientHostname != null);
            Shell.Invoke("Set-OmapiLease -IPAddress $args[0] -Reserved $true -Confirm:$false", lease.IpAddress.ToString());
            Assert.Empty(Shell.Errors);
            string warning = Assert.Single(Shell.Warnings);
            Assert.Contains(lease.ClientHostname!, warning, StringComparison.Ordinal);
            Assert.Contains("drops the client hostname", warning, StringComparison.Ordinal);
            PSObject after = Assert.Single(Shell.Invoke("Get-OmapiLease -IPAddress $args[0]", lease.IpAddress.ToString()));
            Assert.Null(after.Properties["ClientHostname"].Value); // what the warning said
            Assert.Equal("Active", after.Properties["State"].Value.ToString());

            // A lease without a hostname: nothing to warn about.
            Shell.Invoke("Set-OmapiLease -IPAddress $args[0] -Reserved $false -Confirm:$false", lease.IpAddress.ToString());
            Assert.Empty(Shell.Warnings);
        }

        [Fact]
        public void A_host_created_but_whose_reply_was_lost_is_returned_with_a_warning_not_an_error()
        {
            using OmapiFaultProxy proxy = NewProxy();
            Connect(proxy, timeoutSec: 2);
            proxy.Add(new FaultRule(FaultAction.CloseBeforeReply, r => r.IsOpen("host") && r.Message.MessageValues.Any(v => v.Key == "create")));
            try
            {
                PSObject host = Assert.Single(Shell.Invoke("New-OmapiHost -Name safety-lost -MacAddress 02:00:00:c0:00:02"));
                Assert.Empty(Shell.Errors);
                Assert.Equal("safety-lost", host.Properties["Name"].Value);
                string warning = Assert.Single(Shell.Warnings);
                Assert.Contains("was lost", warning, StringComparison.Ordinal);
                Assert.Contains("was applied", warning, StringComparison.Ordinal);
            }
            finally
            {
                Shell.Invoke("Remove-OmapiHost -Name safety-lost -Confirm:$false");
            }
        }

        [Fact]
        public void A_host_create_that_never_reached_dhcpd_says_so_and_the_retry_succeeds()
        {
            using OmapiFaultProxy proxy = NewProxy();
            Connect(proxy, timeoutSec: 1);
            proxy.Add(new FaultRule(FaultAction.DropRequest, r => r.IsOpen("host") && r.Message.MessageValues.Any(v => v.Key == "create")));
            try
            {
                ErrorRecord error = Shell.ErrorOf("New-OmapiHost -Name safety-notapplied -MacAddress 02:00:00:c0:00:03");
                Assert.StartsWith("OperationTimeout,", error.FullyQualifiedErrorId, StringComparison.Ordinal);
                Assert.Contains("NOT applied", error.Exception.Message, StringComparison.Ordinal);
                Assert.Contains("run the command again", error.ErrorDetails.RecommendedAction, StringComparison.Ordinal);
                Assert.Single(Shell.Invoke("New-OmapiHost -Name safety-notapplied -MacAddress 02:00:00:c0:00:03"));
                Assert.Empty(Shell.Errors);
            }
            finally
            {
                Shell.Invoke("Remove-OmapiHost -Name safety-notapplied -Confirm:$false");
            }
        }

        [Fact]
        public void A_removal_whose_outcome_cannot_be_found_out_is_OutcomeUnknown()
        {
            using OmapiFaultProxy proxy = NewProxy();
            Connect(proxy, timeoutSec: 2, extra: "-NoReconnect");
            Shell.Invoke("New-OmapiHost -Name safety-unknown -MacAddress 02:00:00:c0:00:04");
            Assert.Empty(Shell.Errors);
            proxy.Add(new FaultRule(FaultAction.CloseBeforeReply, r => r.Op == 6));
            proxy.CloseNewConnections = true;
            try
            {
                ErrorRecord error = Shell.ErrorOf("Remove-OmapiHost -Name safety-unknown -Confirm:$false");
                Assert.StartsWith("OutcomeUnknown,", error.FullyQualifiedErrorId, StringComparison.Ordinal);
                Assert.Equal("safety-unknown", error.TargetObject);
                Assert.Contains("may or may not have been applied", error.Exception.Message, StringComparison.Ordinal);
            }
            finally
            {
                proxy.CloseNewConnections = false;
                Connect();
                Shell.Invoke("Remove-OmapiHost -Name safety-unknown -Confirm:$false");
            }
        }

        [Fact]
        public async Task A_scan_whose_server_goes_away_ends_with_one_ConnectionFailed_not_one_error_per_address()
        {
            using OmapiFaultProxy proxy = NewProxy();
            Connect(proxy, timeoutSec: 5);
            using var ps = PowerShell.Create();
            ps.Runspace = Shell.Runspace;
            ps.AddScript("Get-OmapiLease -Range 198.18.0.0/16");
            var output = new PSDataCollection<PSObject>();
            IAsyncResult running = ps.BeginInvoke<PSObject, PSObject>(null, output);
            while (output.Count < 100)
            {
                Assert.False(running.IsCompleted, "the scan ended before the server went away");
                await Task.Delay(10, TestContext.Current.CancellationToken);
            }

            proxy.CloseNewConnections = true;
            proxy.CutAll(); // the server is gone, and does not come back
            await Task.Factory.FromAsync(running, ps.EndInvoke).WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);

            // One statement-terminating error, as a script sees it, not one per remaining address (it was once 917,236).
            ErrorRecord error = Assert.Single(ps.Streams.Error);
            Assert.StartsWith("ConnectionFailed,", error.FullyQualifiedErrorId, StringComparison.Ordinal);
            Assert.Contains("stopped after", error.Exception.Message, StringComparison.Ordinal);
            Assert.Equal("198.18.0.0/16", Assert.Single((string[])error.TargetObject));
            Assert.InRange(output.Count, 100, DhcpdScenario.CrossingLeases.Count - 1); // what it emitted before stays
            Assert.Equal(output.Select(o => o.Properties["IPAddress"].Value.ToString()), DhcpdScenario.CrossingLeases.Take(output.Count).Select(l => l.IpAddress.ToString()));
        }
    }
}
