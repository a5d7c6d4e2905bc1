using System;
using System.Linq;
using System.Management.Automation;
using System.Text;
using Omapi.Core.Tests.Dhcpd;
using Xunit;
using PSOmapi.Testing;

namespace PSOmapi.Tests
{
    /// <summary>A transcript of the main cmdlets as a user sees them (Out-Default through a host). The views themselves are tested at 80 columns in real pwsh: tests/Pester/Formatting.Tests.ps1.</summary>
    public class FormatAndTranscriptTests : ModuleTestBase
    {
        public FormatAndTranscriptTests(DhcpdFixture fixture) : base(fixture)
        {
            ConnectMain();
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
    }
}
