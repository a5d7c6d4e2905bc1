using System;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Net;
using Omapi.Core.Tests.Dhcpd;
using Xunit;
using PSOmapi.Testing;

namespace PSOmapi.Tests
{
    /// <summary>
    /// Set-OmapiLease against the real dhcpd. Only unseeded free leases 198.51.100.110-130 are changed, and every one is
    /// put back to state Free without flags.
    /// </summary>
    public class SetLeaseCmdletTests : ModuleTestBase
    {
        private const string LeaseType = "Omapi.Core.Objects.OmapiLease";

        public SetLeaseCmdletTests(DhcpdFixture fixture) : base(fixture)
        {
            ConnectMain();
        }

        [Fact]
        public void A_lease_piped_from_Get_OmapiLease_gets_the_Reserved_flag_and_PassThru_returns_it()
        {
            IPAddress address = Address(110);
            try
            {
                Assert.Equal("None", Lease(address).Properties["Flags"].Value.ToString());
                PSObject reserved = Assert.Single(Shell.Invoke("Get-OmapiLease -IPAddress $args[0] | Set-OmapiLease -Reserved $true -PassThru", address.ToString()));
                Assert.Empty(Shell.Errors);
                Assert.Equal(LeaseType, reserved.TypeNames[0]);
                Assert.Equal(address, AddressOf(reserved));
                Assert.Equal("Reserved", reserved.Properties["Flags"].Value.ToString());
                Assert.Equal("Reserved", Lease(address).Properties["Flags"].Value.ToString());
                Assert.Contains("lease flags changed", Fixture.Main.ReadLog(), StringComparison.Ordinal);

                // Setting it again is no change for dhcpd (UNCHANGED counts as success); clearing it keeps the state.
                Shell.Invoke("Set-OmapiLease -IPAddress $args[0] -Reserved $true", address.ToString());
                Assert.Empty(Shell.Errors);
                PSObject cleared = Assert.Single(Shell.Invoke("Set-OmapiLease $args[0] -Reserved $false -PassThru", address.ToString()));
                Assert.Equal("None", cleared.Properties["Flags"].Value.ToString());
                Assert.Equal("Free", cleared.Properties["State"].Value.ToString());
            }
            finally
            {
                Restore(address);
            }
        }

        [Fact]
        public void State_changes_by_ip_address_and_dhcpd_moves_an_expired_released_lease_on_to_free()
        {
            IPAddress address = Address(111);
            try
            {
                // The lease was never handed out (its end has passed): a state only stays with an end in the future.
                Shell.SetVariable("ends", Future);
                PSObject abandoned = Assert.Single(Shell.Invoke("Set-OmapiLease -IPAddress $args[0] -State Abandoned -Ends $ends -PassThru", address.ToString()));
                Assert.Empty(Shell.Errors);
                Assert.Equal("Abandoned", abandoned.Properties["State"].Value.ToString());
                Assert.Equal("Abandoned", Lease(address).Properties["State"].Value.ToString());

                PSObject active = Assert.Single(Shell.Invoke("Set-OmapiLease $args[0] -State Active -PassThru", address.ToString()));
                Assert.Equal("Active", active.Properties["State"].Value.ToString());
                Assert.Equal("Active", Lease(address).Properties["State"].Value.ToString());

                // Released with an end in the past: without failover dhcpd moves it on to free at once, and says so.
                Shell.SetVariable("past", new DateTime(2020, 1, 2, 3, 4, 5, DateTimeKind.Utc));
                var result = Shell.Invoke("Set-OmapiLease $args[0] -State Released -Ends $past -PassThru -WarningVariable w 3>$null; $w | ForEach-Object { 'WARNING: ' + $_ }", address.ToString());
                Assert.Empty(Shell.Errors);
                Assert.Equal("Free", Assert.Single(result, o => o.BaseObject is not string).Properties["State"].Value.ToString());
                Assert.Contains("from Released to Free", Assert.Single(result, o => o.BaseObject is string).ToString(), StringComparison.Ordinal);
                Assert.Equal("Free", Lease(address).Properties["State"].Value.ToString());
                Assert.Contains("lease " + address + " state changed from free to released", Fixture.Main.ReadLog(), StringComparison.Ordinal);
            }
            finally
            {
                Restore(address);
            }
        }

        [Fact]
        public void Changing_the_end_or_flags_of_an_active_lease_keeps_it_active()
        {
            IPAddress address = Address(120);
            try
            {
                Shell.SetVariable("ends", Future);
                Shell.SetVariable("later", Future.AddDays(1));
                Assert.Equal("Active", Assert.Single(Shell.Invoke("Set-OmapiLease $args[0] -State Active -Ends $ends -PassThru", address.ToString())).Properties["State"].Value.ToString());

                // What dhcpd itself does with a bare flags UPDATE on an active lease: it applies the lease's next state (Free).
                uint handle = Handle(Lease(address));
                Shell.Invoke("Invoke-OmapiRequest -Operation Update -Handle $args[0] -Values @{ flags = [byte[]]@(4) } -Confirm:$false", handle);
                Assert.Empty(Shell.Errors);
                Assert.Equal("Free", Lease(address).Properties["State"].Value.ToString());
                Shell.Invoke("Set-OmapiLease $args[0] -State Active -Ends $ends -Reserved $false", address.ToString());
                PSObject again = Lease(address);
                Assert.Equal("Active", again.Properties["State"].Value.ToString());
                Assert.Equal("None", again.Properties["Flags"].Value.ToString());

                // Set-OmapiLease keeps the state the lease had, so a client's lease is never freed by -Ends or -Reserved.
                var result = Shell.Invoke("Set-OmapiLease $args[0] -Ends $later -PassThru -WarningVariable w 3>$null; $w.Count", address.ToString());
                Assert.Empty(Shell.Errors);
                Assert.Equal("Active", result[0].Properties["State"].Value.ToString());
                Assert.Equal(Future.AddDays(1), UtcEnds(result[0]));
                Assert.Equal(0, Convert.ToInt32(result[1].BaseObject, CultureInfo.InvariantCulture));

                result = Shell.Invoke("Set-OmapiLease $args[0] -Reserved $true -PassThru -WarningVariable w 3>$null; $w.Count", address.ToString());
                Assert.Empty(Shell.Errors);
                Assert.Equal("Active", result[0].Properties["State"].Value.ToString());
                Assert.Equal("Reserved", result[0].Properties["Flags"].Value.ToString());
                Assert.Equal(0, Convert.ToInt32(result[1].BaseObject, CultureInfo.InvariantCulture));
                PSObject read = Lease(address);
                Assert.Equal("Active", read.Properties["State"].Value.ToString());
                Assert.Equal("Reserved", read.Properties["Flags"].Value.ToString());
            }
            finally
            {
                Restore(address);
            }
        }

        [Fact]
        public void Ends_in_UTC_is_read_back_exactly_and_several_changes_go_in_one_call()
        {
            IPAddress address = Address(112);
            var ends = new DateTime(2031, 5, 6, 7, 8, 9, DateTimeKind.Utc);
            try
            {
                Shell.SetVariable("ends", ends);
                PSObject changed = Assert.Single(Shell.Invoke("Set-OmapiLease -IPAddress $args[0] -Ends $ends -State Abandoned -Reserved $true -PassThru", address.ToString()));
                Assert.Empty(Shell.Errors);
                Assert.Equal(ends, UtcEnds(changed));
                Assert.Equal(TimeSpan.Zero, Prop<DateTimeOffset?>(changed, "Ends")!.Value.Offset);
                Assert.Equal("Abandoned", changed.Properties["State"].Value.ToString());
                Assert.Equal("Reserved", changed.Properties["Flags"].Value.ToString());
                Assert.Equal(ends, UtcEnds(Lease(address)));
            }
            finally
            {
                Restore(address);
            }
        }

        [Fact]
        public void Addresses_bind_by_property_name()
        {
            IPAddress[] addresses = { Address(114), Address(115) };
            try
            {
                Shell.SetVariable("ends", Future);
                var changed = Shell.Invoke(
                    "$args | ForEach-Object { [pscustomobject]@{ IPAddress = $_ } } | Set-OmapiLease -State Abandoned -Ends $ends -PassThru",
                    addresses.Select(a => (object)a.ToString()).ToArray());
                Assert.Empty(Shell.Errors);
                Assert.Equal(addresses, changed.Select(l => AddressOf(l)));
                Assert.All(addresses, a => Assert.Equal("Abandoned", Lease(a).Properties["State"].Value.ToString()));
            }
            finally
            {
                Restore(addresses);
            }
        }

        [Fact]
        public void WhatIf_sends_nothing_and_changes_nothing()
        {
            IPAddress address = Address(116);
            try
            {
                PSObject before = Lease(address);
                Shell.SetVariable("lease", before);
                long sent = SentRequests();
                Shell.Invoke(
                    "Set-OmapiLease -IPAddress $args[0] -State Abandoned -Reserved $true -Ends '2031-01-01' -WhatIf; " +
                    "$lease | Set-OmapiLease -State Abandoned -Reserved $true -WhatIf",
                    address.ToString());
                Assert.Empty(Shell.Errors);
                Assert.Equal(sent, SentRequests());
                PSObject after = Lease(address);
                Assert.Equal("Free", after.Properties["State"].Value.ToString());
                Assert.Equal("None", after.Properties["Flags"].Value.ToString());
                Assert.Equal(UtcEnds(before), UtcEnds(after));
            }
            finally
            {
                Restore(address);
            }
        }

        [Fact]
        public void An_address_without_a_lease_is_LeaseNotFound_and_the_other_addresses_are_still_changed()
        {
            IPAddress address = Address(117);
            IPAddress missing = DhcpdScenario.AddressOutsideRange;
            try
            {
                var changed = Shell.Invoke("Set-OmapiLease -IPAddress $args[0], $args[1] -State Abandoned -PassThru", missing.ToString(), address.ToString());
                ErrorRecord error = Assert.Single(Shell.Errors);
                Assert.Equal("LeaseNotFound,PSOmapi.SetOmapiLeaseCommand", error.FullyQualifiedErrorId);
                Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
                Assert.Equal(missing, error.TargetObject);
                Assert.Contains("result 23", error.Exception.Message, StringComparison.Ordinal);
                Assert.Equal(address, AddressOf(Assert.Single(changed)));

                var caught = Shell.Invoke("try { Set-OmapiLease -IPAddress $args[0] -State Free -ErrorAction Stop; 'not reached' } catch { $_.FullyQualifiedErrorId }", missing.ToString());
                Assert.Equal("LeaseNotFound,PSOmapi.SetOmapiLeaseCommand", Assert.Single(caught).ToString());
            }
            finally
            {
                Restore(address);
            }
        }

        [Fact]
        public void Nothing_to_change_is_InvalidArgument_and_sends_nothing()
        {
            long sent = SentRequests();
            ErrorRecord error = Shell.ErrorOf("Set-OmapiLease -IPAddress $args[0]", Address(118).ToString());
            Assert.Equal("InvalidArgument,PSOmapi.SetOmapiLeaseCommand", error.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
            Assert.Contains("-State, -Ends or -Reserved", error.Exception.Message, StringComparison.Ordinal);
            Assert.Equal(new[] { Address(118) }, (IPAddress[])error.TargetObject);
            Assert.Equal(sent, SentRequests());
        }

        [Fact]
        public void Bad_values_are_refused_before_anything_is_sent()
        {
            long sent = SentRequests();
            ErrorRecord unknown = Shell.ErrorOf("Set-OmapiLease -IPAddress $args[0] -State Unknown", Address(119).ToString());
            Assert.Equal("ParameterArgumentValidationError,PSOmapi.SetOmapiLeaseCommand", unknown.FullyQualifiedErrorId);

            ErrorRecord ipv6 = Shell.ErrorOf("Set-OmapiLease -IPAddress ::1 -State Free");
            Assert.Equal("InvalidIPAddress,PSOmapi.SetOmapiLeaseCommand", ipv6.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.InvalidArgument, ipv6.CategoryInfo.Category);
            Assert.Equal(IPAddress.IPv6Loopback, ipv6.TargetObject);
            Assert.Equal(sent, SentRequests());
        }

        // ---- helpers ----

        private static readonly DateTime Future = new DateTime(2032, 2, 3, 4, 5, 6, DateTimeKind.Utc);

        /// <summary>An unseeded (free) address of the range, 198.51.100.110-130.</summary>
        private static IPAddress Address(int lastOctet)
        {
            Assert.InRange(lastOctet, 110, 130);
            var address = IPAddress.Parse("198.51.100." + lastOctet.ToString(CultureInfo.InvariantCulture));
            Assert.DoesNotContain(DhcpdScenario.SeededLeases, l => l.IpAddress.Equals(address));
            return address;
        }

        private PSObject Lease(IPAddress address) => Assert.Single(Shell.Invoke("Get-OmapiLease -IPAddress $args[0]", address.ToString()));

        private void Restore(params IPAddress[] addresses)
        {
            Shell.Invoke("Set-OmapiLease -IPAddress $args -State Free -Reserved $false", addresses.Select(a => (object)a.ToString()).ToArray());
            Assert.Empty(Shell.Errors);
            foreach (IPAddress address in addresses)
            {
                PSObject lease = Lease(address);
                Assert.Equal("Free", lease.Properties["State"].Value.ToString());
                Assert.Equal("None", lease.Properties["Flags"].Value.ToString());
            }
        }

        private long SentRequests() => Convert.ToInt64(Shell.Invoke("(Get-OmapiSession -Default).RequestsSent")[0].BaseObject, CultureInfo.InvariantCulture);
    }
}
