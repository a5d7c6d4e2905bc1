using System;
using System.Linq;
using System.Management.Automation;
using System.Text;
using System.Text.RegularExpressions;
using Omapi.Core.Tests.Dhcpd;
using Xunit;
using PSOmapi.Testing;

namespace PSOmapi.Tests
{
    /// <summary>The format views as a user sees them (Out-Default through a host), and a transcript of the main cmdlets.</summary>
    public class FormatAndTranscriptTests : ModuleTestBase
    {
        public FormatAndTranscriptTests(DhcpdFixture fixture) : base(fixture)
        {
            ConnectMain();
        }

        [Fact]
        public void Host_table_shows_name_mac_client_id_and_fixed_addresses()
        {
            ConfHost host = DhcpdScenario.FixedAddressHost;
            string[] lines = Lines(Shell.Render("Get-OmapiHost -Name $args[0]", host.Name));
            Assert.Matches(@"^Name\s+MacAddress\s+ClientId\s+IPAddress$", lines[0]);
            Assert.Matches("^" + Regex.Escape(host.Name) + @"\s+" + Regex.Escape(host.HardwareAddress!) + @"\s+" + Regex.Escape(host.FixedAddress!.ToString()) + "$", lines[2]);
        }

        [Fact]
        public void Session_table_shows_id_server_port_key_and_state_but_never_the_secret()
        {
            string text = Shell.Render("Get-OmapiSession");
            string[] lines = Lines(text);
            Assert.Matches(@"^Id\s+Server\s+Port\s+KeyName\s+Algorithm\s+Connected$", lines[0]);
            Assert.Matches(@"^\s*\d+\s+" + Regex.Escape(Fixture.Main.Host) + @"\s+" + Fixture.Main.Port + @"\s+" + Fixture.Main.KeyName + @"\s+HMAC-MD5\s+True$", lines[2]);
            // Every property value and ToString(): the secret is nowhere.
            string all = string.Join("\n", Shell.Invoke("Get-OmapiSession | ForEach-Object { $_.ToString(); $_.psobject.Properties | ForEach-Object { $_.Name + '=' + $_.Value } }").Select(o => o.ToString()));
            Assert.Contains("KeyName=" + Fixture.Main.KeyName, all, StringComparison.Ordinal);
            Assert.DoesNotContain(Fixture.Main.SecretBase64, text + all, StringComparison.Ordinal);
        }

        [Fact]
        public void Group_class_subclass_pool_and_control_tables_render()
        {
            Assert.Matches(@"(?m)^grp1\s+\d+\s+" + Regex.Escape(Fixture.Main.Host) + "$", Shell.Render("Get-OmapiGroup grp1"));
            Assert.Matches(@"(?m)^cls1\s+\d+\s+\d+\s+" + Regex.Escape(Fixture.Main.Host) + "$", Shell.Render("Get-OmapiClass cls1"));
            Assert.Matches(@"(?m)^cls1\s+01:00:11:22:33:44:77\s+\d+\s+\d+$", Shell.Render("Get-OmapiSubclass -ClassName cls1 -HashString 01:00:11:22:33:44:77"));
            Assert.Matches(@"(?m)^\s*" + DhcpdScenario.RangeSize + @"\s+\d+\s+0\s+" + Regex.Escape(Fixture.Main.Host) + "$",
                Shell.Render("$l = Get-OmapiLease -IPAddress $args[0]; [Omapi.Core.Objects.OmapiPool]::FromObject((Invoke-OmapiRequest -Operation Refresh -Handle $l.PoolHandle), $l.Server)", DhcpdScenario.UnseededFreeAddress.ToString()));
        }

        [Fact]
        public void Failover_table_shows_role_and_both_states()
        {
            Shell.SetVariable("fcred", CredentialFor(Fixture.Failover));
            string text = Shell.Render("$s = Connect-Omapi -Server $args[0] -Port $args[1] -Credential $fcred; Get-OmapiFailoverState -Name $args[2] -Session $s", Fixture.Failover.Host, Fixture.Failover.Port, DhcpdScenario.FailoverPeer.Name);
            string[] lines = Lines(text);
            Assert.Matches(@"^Name\s+Role\s+LocalState\s+PartnerState\s+Mclt\s+Server$", lines[0]);
            Assert.Matches("^" + DhcpdScenario.FailoverPeer.Name + @"\s+Primary\s+\w+\s+\w+\s+" + DhcpdScenario.FailoverPeer.Mclt + @"\s+", lines[2]);
        }

        [Fact]
        public void Lookup_keys_naming_different_hosts_are_KeyConflict()
        {
            ErrorRecord error = Shell.ErrorOf(
                "Invoke-OmapiRequest -Operation Open -Type host -Values @{ name = $args[0]; 'hardware-address' = [byte[]]($args[1] -split ':' | ForEach-Object { [Convert]::ToByte($_, 16) }); 'hardware-type' = 1 }",
                DhcpdScenario.FixedAddressHost.Name,
                DhcpdScenario.GroupHost.HardwareAddress!);
            Assert.Equal("KeyConflict,PSOmapi.InvokeOmapiRequestCommand", error.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
            Assert.Contains("393223", error.Exception.Message, StringComparison.Ordinal);
            Assert.Contains("object lookup failed", error.Exception.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void Transcript_of_the_main_cmdlets_as_a_user_sees_them()
        {
            var transcript = new StringBuilder();
            string[] ips = DhcpdScenario.ActiveLeases.Take(3).Select(l => l.IpAddress.ToString()).ToArray();
            void Step(string shown, string script, params object[] args)
            {
                string output = Shell.Render(script, args);
                transcript.Append("PS> ").Append(shown).Append('\n').Append(output.TrimEnd()).Append("\n\n");
            }

            Step("Get-OmapiSession", "Get-OmapiSession");
            Step("Get-OmapiLease -IPAddress " + string.Join(", ", ips), "Get-OmapiLease -IPAddress $args[0]", (object)ips);
            Step("New-OmapiHost -Name printer7 -MacAddress 02-00-00-aa-bb-07 -IPAddress 198.51.100.7", "New-OmapiHost -Name printer7 -MacAddress 02-00-00-aa-bb-07 -IPAddress 198.51.100.7");
            Step("Get-OmapiHost -MacAddress 020000aabb07 | Remove-OmapiHost -WhatIf", "Get-OmapiHost -MacAddress 020000aabb07 | Remove-OmapiHost -WhatIf");
            Step("Get-OmapiHost -MacAddress 020000aabb07 | Remove-OmapiHost", "Get-OmapiHost -MacAddress 020000aabb07 | Remove-OmapiHost");
            Step("Get-OmapiHost -Name printer7", "Get-OmapiHost -Name printer7 2>&1");
            Step("Get-OmapiLease -IPAddress " + DhcpdScenario.AddressOutsideRange, "Get-OmapiLease -IPAddress $args[0] 2>&1", DhcpdScenario.AddressOutsideRange.ToString());

            string text = transcript.ToString();
            TestContext.Current.TestOutputHelper!.WriteLine(text);
            Assert.Contains("printer7", text, StringComparison.Ordinal);
            Assert.Contains("02:00:00:aa:bb:07", text, StringComparison.Ordinal);
            Assert.Contains("What if: Performing the operation", text, StringComparison.Ordinal);
            Assert.Matches(@"HostNotFound|no object matches specification", text);
            Assert.Contains("no object matches specification", text, StringComparison.Ordinal);
            foreach (string ip in ips)
            {
                Assert.Contains(ip, text, StringComparison.Ordinal);
            }

            Assert.Empty(Shell.Invoke("Get-OmapiHost -Name printer7 -ErrorAction SilentlyContinue"));
        }

        private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd()).Where(l => l.Length > 0).ToArray();
    }
}
