using System;
using System.Linq;
using Omapi.Core.Tests.Dhcpd;
using Xunit;
using PSOmapi.Testing;

namespace PSOmapi.Tests
{
    /// <summary>Eight runspaces (as ForEach-Object -Parallel would run them) sharing the server without interfering.</summary>
    public class ParallelRunspaceTests : ModuleTestBase
    {
        public ParallelRunspaceTests(DhcpdFixture fixture) : base(fixture) { }

        [Fact]
        public void Eight_parallel_runspaces_each_get_exactly_their_own_answers()
        {
            Shell.SetVariable("cred", CredentialFor(Fixture.Main));
            var results = Shell.Invoke(
                @"$manifest = $args[0]; $server = $args[1]; $port = $args[2]
                  1..8 | ForEach-Object -ThrottleLimit 8 -Parallel {
                      Import-Module $using:manifest
                      $s = Connect-Omapi -Server $using:server -Port $using:port -Credential $using:cred
                      $worker = $_
                      # Each runspace scans the whole range 5 times, in bulk and one by one, and writes a host of its own.
                      $bulk = 1..5 | ForEach-Object { Get-OmapiLease -Range 198.51.100.10-198.51.100.250 }
                      $single = 10..40 | ForEach-Object { Get-OmapiLease -IPAddress ('198.51.100.' + $_) }
                      $h = New-OmapiHost -Name ('par' + $worker) -MacAddress ('02:00:00:77:00:0' + $worker)
                      $back = Get-OmapiHost -MacAddress ('02:00:00:77:00:0' + $worker)
                      Remove-OmapiHost -Name ('par' + $worker)
                      [pscustomobject]@{
                          Worker = $worker
                          Bulk = @($bulk).Count
                          BulkOrdered = (@($bulk | ForEach-Object { $_.IPAddress.GetAddressBytes()[3] }) -join ',') -eq ((1..5 | ForEach-Object { 10..250 }) -join ',')
                          Single = @($single | Where-Object { $_.IPAddress.ToString() -like '198.51.100.*' }).Count
                          HostBack = $back.Name
                          Sessions = @(Get-OmapiSession).Count
                          Errors = $Error.Count
                      }
                      Disconnect-Omapi
                  }",
                ModuleHarness.ManifestPath,
                Fixture.Main.Host,
                Fixture.Main.Port);
            Assert.Empty(Shell.Errors);
            Assert.Equal(8, results.Count);
            foreach (var r in results)
            {
                int worker = Convert.ToInt32(Value(r, "Worker"), System.Globalization.CultureInfo.InvariantCulture);
                Assert.Equal(5 * DhcpdScenario.RangeSize, Convert.ToInt32(Value(r, "Bulk"), System.Globalization.CultureInfo.InvariantCulture));
                Assert.Equal(true, Value(r, "BulkOrdered"));
                Assert.Equal(31, Convert.ToInt32(Value(r, "Single"), System.Globalization.CultureInfo.InvariantCulture));
                Assert.Equal("par" + worker, Value(r, "HostBack")?.ToString());
                Assert.Equal(1, Convert.ToInt32(Value(r, "Sessions"), System.Globalization.CultureInfo.InvariantCulture));
                Assert.Equal(0, Convert.ToInt32(Value(r, "Errors"), System.Globalization.CultureInfo.InvariantCulture));
            }

            Assert.True(Fixture.Main.IsRunning);
        }

        private static object? Value(System.Management.Automation.PSObject o, string name) =>
            o.Properties[name].Value is System.Management.Automation.PSObject p ? p.BaseObject : o.Properties[name].Value;
    }
}
