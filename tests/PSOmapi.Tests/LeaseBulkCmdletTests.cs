using System;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Threading.Tasks;
using Omapi.Core.Tests.Dhcpd;
using Xunit;
using PSOmapi.Testing;

namespace PSOmapi.Tests
{
    /// <summary>Get-OmapiLease in bulk: ranges, state filter, progress, pipeline input, cancellation.</summary>
    public class LeaseBulkCmdletTests : ModuleTestBase
    {
        public LeaseBulkCmdletTests(DhcpdFixture fixture) : base(fixture)
        {
            ConnectMain();
        }

        [Fact]
        public void A_CIDR_range_returns_every_lease_in_address_order_skipping_addresses_without_one()
        {
            var leases = Shell.Invoke("Get-OmapiLease -Range 198.51.100.0/24");
            Assert.Empty(Shell.Errors); // .0-.9 and .251-.255 have no lease object: skipped silently
            Assert.Equal(DhcpdScenario.RangeSize, leases.Count);
            uint[] order = leases.Select(l => ToUInt(AddressOf(l))).ToArray();
            Assert.Equal(order.OrderBy(x => x), order);
            Assert.Equal(DhcpdScenario.RangeStart, AddressOf(leases[0]));
            Assert.Equal(DhcpdScenario.RangeEnd, AddressOf(leases[^1]));
            // Progress (paced by time: a scan this short writes none) is tested in tests/Pester/Lease.Tests.ps1.
        }

        [Fact]
        public void A_dash_range_with_a_state_filter_returns_only_those_states()
        {
            var leases = Shell.Invoke("Get-OmapiLease -Range 198.51.100.10-198.51.100.24 -State Active, Abandoned");
            Assert.Empty(Shell.Errors);
            var expected = DhcpdScenario.SeededLeases
                .Where(l => (l.ExpectedState == 2 || l.ExpectedState == 5) && l.IpAddress.GetAddressBytes()[3] <= 24)
                .Select(l => l.IpAddress)
                .ToArray();
            Assert.Equal(expected, leases.Select(l => AddressOf(l)));
        }

        [Fact]
        public void Many_piped_addresses_use_several_connections_and_keep_their_order_and_their_errors()
        {
            string[] ips = Enumerable.Range(5, 250).Select(i => "198.51.100." + i).ToArray(); // .5-.9 and .251-.254 have no lease
            Shell.SetVariable("ips", ips);
            var leases = Shell.Invoke("$ips | Get-OmapiLease -ThrottleLimit 6");
            Assert.Equal(ips.Where(ip => int.Parse(ip.Split('.')[3], System.Globalization.CultureInfo.InvariantCulture) is >= 10 and <= 250), leases.Select(l => AddressOf(l).ToString()));
            Assert.Equal(9, Shell.Errors.Count);
            Assert.All(Shell.Errors, e => Assert.Equal("LeaseNotFound,PSOmapi.GetOmapiLeaseCommand", e.FullyQualifiedErrorId));
            Assert.Equal(IPAddress.Parse("198.51.100.5"), Shell.Errors[0].TargetObject);
            Assert.Equal(IPAddress.Parse("198.51.100.254"), Shell.Errors[^1].TargetObject);
            // More than the old default pool of 4: -ThrottleLimit is what limits the connections.
            Assert.Equal(6, Convert.ToInt32(Shell.Invoke("(Get-OmapiSession -Default).Connections")[0].BaseObject, System.Globalization.CultureInfo.InvariantCulture));
        }

        [Fact]
        public void An_invalid_range_is_InvalidIPAddress_and_a_zero_throttle_is_refused()
        {
            ErrorRecord error = Shell.ErrorOf("Get-OmapiLease -Range 198.51.100.0/33");
            Assert.Equal("InvalidIPAddress,PSOmapi.GetOmapiLeaseCommand", error.FullyQualifiedErrorId);
            Assert.Equal("198.51.100.0/33", error.TargetObject);
            Assert.Contains("prefix", error.Exception.Message, StringComparison.Ordinal);

            ErrorRecord throttle = Shell.ErrorOf("Get-OmapiLease -Range 198.51.100.0/30 -ThrottleLimit 0");
            Assert.StartsWith("ParameterArgumentValidationError", throttle.FullyQualifiedErrorId, StringComparison.Ordinal);
        }

        [Fact]
        public void Neither_or_both_of_IPAddress_and_Range_is_a_clear_error()
        {
            ErrorRecord neither = Shell.ErrorOf("Get-OmapiLease");
            Assert.Equal("InvalidArgument,PSOmapi.GetOmapiLeaseCommand", neither.FullyQualifiedErrorId);
            Assert.Contains("-Range", neither.Exception.Message, StringComparison.Ordinal);
            ErrorRecord both = Shell.ErrorOf("Get-OmapiLease -IPAddress 198.51.100.11 -Range 198.51.100.0/30");
            Assert.Equal("InvalidArgument,PSOmapi.GetOmapiLeaseCommand", both.FullyQualifiedErrorId);
        }

        [Fact]
        public async Task Stopping_a_large_scan_ends_it_at_once()
        {
            await StopWhileRunningAsync("Get-OmapiLease -Range 198.18.0.0/15 -Force", 300); // 131,072 addresses without lease objects

            Assert.Single(Shell.Invoke("Get-OmapiLease -IPAddress $args[0]", DhcpdScenario.UnseededFreeAddress.ToString()));
            Assert.True(Fixture.Main.IsRunning);
        }

        [Fact]
        public async Task Stopping_a_pipeline_fed_bulk_lookup_hands_its_connections_back_in_order()
        {
            // Stopped mid-way, the cmdlet never reaches EndProcessing: disposing it must stop the bulk operation and let the
            // connections absorb the replies still owed (nothing stays reserved in their windows).
            await StopWhileRunningAsync("& { $i = 0; while ($true) { '198.51.100.' + (10 + ($i++ % 200)) } } | Get-OmapiLease | ForEach-Object { $_ }", 500);

            // The module is loaded by the engine, not referenced: read the connections' InFlight through the session's core.
            const string InFlight = "$info = Get-OmapiSession -Default; "
                + "$core = $info.GetType().GetProperty('Core', [System.Reflection.BindingFlags]'NonPublic,Instance').GetValue($info); "
                + "$core.Connections | ForEach-Object { $_.InFlight }";
            int[] owed = Shell.Invoke(InFlight).Select(o => (int)o.BaseObject).ToArray();
            Assert.True(owed.Length >= 2, "the lookup used " + owed.Length + " connection(s)");
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (owed.Any(n => n != 0))
            {
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), "replies still owed 10 s after the stop: " + string.Join(", ", owed));
                await Task.Delay(20, TestContext.Current.CancellationToken);
                owed = Shell.Invoke(InFlight).Select(o => (int)o.BaseObject).ToArray();
            }

            var again = Shell.Invoke("Get-OmapiLease -IPAddress $args", "198.51.100.11", "198.51.100.12", "198.51.100.13");
            Assert.Equal(3, again.Count);
            Assert.True(Fixture.Main.IsRunning);
        }

        /// <summary>Starts <paramref name="script"/> in the shell's runspace, checks it still runs after the delay, stops it (Ctrl+C) and checks it stopped within 20 s.</summary>
        private async Task StopWhileRunningAsync(string script, int delayMs)
        {
            using var ps = PowerShell.Create();
            ps.Runspace = Shell.Runspace;
            ps.AddScript(script);
            IAsyncResult running = ps.BeginInvoke();
            await Task.Delay(delayMs, TestContext.Current.CancellationToken);
            Assert.False(running.IsCompleted);
            Task stop = Task.Factory.FromAsync(ps.BeginStop(null, null), ps.EndStop);
            Assert.Same(stop, await Task.WhenAny(stop, Task.Delay(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken)));
            Assert.Equal(PSInvocationState.Stopped, ps.InvocationStateInfo.State);
        }

        private static uint ToUInt(IPAddress a)
        {
            byte[] b = a.GetAddressBytes();
            return ((uint)b[0] << 24) | ((uint)b[1] << 16) | ((uint)b[2] << 8) | b[3];
        }
    }
}
