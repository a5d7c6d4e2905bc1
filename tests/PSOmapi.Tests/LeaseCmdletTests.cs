using System;
using System.Linq;
using System.Management.Automation;
using System.Net;
using Omapi.Core.Tests.Dhcpd;
using Xunit;
using PSOmapi.Testing;

namespace PSOmapi.Tests
{
    public class LeaseCmdletTests : ModuleTestBase
    {
        public LeaseCmdletTests(DhcpdFixture fixture) : base(fixture)
        {
            ConnectMain();
        }

        [Fact]
        public void Get_OmapiLease_by_ip_returns_a_typed_lease()
        {
            SeededLease seeded = DhcpdScenario.SeededLeases.First(l => l.ClientHostname != null && l.ClientIdentifier != null);
            PSObject lease = Assert.Single(Shell.Invoke("Get-OmapiLease -IPAddress $args[0]", seeded.IpAddress.ToString()));
            Assert.Empty(Shell.Errors);
            Assert.Equal("Omapi.Core.Objects.OmapiLease", lease.TypeNames[0]);
            Assert.Equal(seeded.IpAddress, AddressOf(lease));
            Assert.Equal("Active", lease.Properties["State"].Value.ToString());
            Assert.Equal(seeded.HardwareAddress, Prop<string>(lease, "MacAddress"));
            Assert.Equal(1, Prop<int?>(lease, "HardwareType"));
            Assert.Equal(seeded.ClientIdentifierHex, Prop<string>(lease, "ClientId"));
            Assert.Equal(seeded.ClientHostname, Prop<string>(lease, "ClientHostname"));
            Assert.Equal(seeded.EndsUtc, UtcEnds(lease));
            Assert.Equal(Fixture.Main.Host, Prop<string>(lease, "Server"));
        }

        [Theory]
        [InlineData("00:11:22:33:44:55")]
        [InlineData("00-11-22-33-44-55")]
        [InlineData("001122334455")]
        public void Get_OmapiLease_by_mac_accepts_every_form_and_shows_colons(string mac)
        {
            PSObject lease = Assert.Single(Shell.Invoke("Get-OmapiLease -MacAddress $args[0]", mac));
            Assert.Equal("00:11:22:33:44:55", Prop<string>(lease, "MacAddress"));
        }

        [Fact]
        public void Get_OmapiLease_by_client_id()
        {
            SeededLease seeded = DhcpdScenario.ActiveLeases.First(l => l.ClientIdentifierHex != null && l.ClientIdentifierHex.StartsWith("01:", StringComparison.Ordinal));
            PSObject lease = Assert.Single(Shell.Invoke("Get-OmapiLease -ClientId $args[0]", seeded.ClientIdentifierHex!));
            Assert.Equal(seeded.IpAddress, AddressOf(lease));
        }

        [Fact]
        public void Not_found_on_one_input_of_many_is_non_terminating_with_the_input_as_target()
        {
            string ok = DhcpdScenario.ActiveLeases[0].IpAddress.ToString();
            string missing = DhcpdScenario.AddressOutsideRange.ToString();
            var results = Shell.Invoke("Get-OmapiLease -IPAddress $args[0], $args[1], $args[2]", ok, missing, ok);
            Assert.Equal(2, results.Count);
            ErrorRecord error = Assert.Single(Shell.Errors);
            Assert.Equal("LeaseNotFound,PSOmapi.GetOmapiLeaseCommand", error.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
            Assert.Equal(IPAddress.Parse(missing), error.TargetObject);
            Assert.Contains("no object matches specification", error.Exception.Message, StringComparison.Ordinal);
            Assert.Contains("result 23", error.Exception.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void ErrorAction_Stop_turns_not_found_into_a_catchable_terminating_error()
        {
            // What Pester's Should -Throw -ErrorId LeaseNotFound matches on.
            var ex = Assert.ThrowsAny<RuntimeException>(() => Shell.Invoke("Get-OmapiLease -IPAddress $args[0] -ErrorAction Stop", DhcpdScenario.AddressOutsideRange.ToString()));
            Assert.Equal("LeaseNotFound,PSOmapi.GetOmapiLeaseCommand", ex.ErrorRecord.FullyQualifiedErrorId);
            var caught = Shell.Invoke("try { Get-OmapiLease -IPAddress $args[0] -ErrorAction Stop } catch { $_.FullyQualifiedErrorId }", DhcpdScenario.AddressOutsideRange.ToString());
            Assert.Equal("LeaseNotFound,PSOmapi.GetOmapiLeaseCommand", caught.Single().ToString());
        }

        [Theory]
        [InlineData("00:11:22:33:44")]
        [InlineData("not-a-mac")]
        public void A_malformed_mac_is_InvalidMacAddress_and_nothing_is_sent(string mac)
        {
            long before = SentRequests();
            Shell.Invoke("Get-OmapiLease -MacAddress $args[0]", mac);
            ErrorRecord error = Assert.Single(Shell.Errors);
            Assert.Equal("InvalidMacAddress,PSOmapi.GetOmapiLeaseCommand", error.FullyQualifiedErrorId);
            Assert.Equal(mac, error.TargetObject);
            Assert.Contains("00:11:22:33:44:55", error.Exception.Message, StringComparison.Ordinal);
            Assert.Equal(before, SentRequests());
        }

        [Fact]
        public void An_IPv6_address_is_InvalidIPAddress()
        {
            Shell.Invoke("Get-OmapiLease -IPAddress ::1");
            ErrorRecord error = Assert.Single(Shell.Errors);
            Assert.Equal("InvalidIPAddress,PSOmapi.GetOmapiLeaseCommand", error.FullyQualifiedErrorId);
            Assert.Contains("IPv4", error.Exception.Message, StringComparison.Ordinal);
        }

        private long SentRequests() => Convert.ToInt64(Shell.Invoke("(Get-OmapiSession -Default).RequestsSent")[0].BaseObject, System.Globalization.CultureInfo.InvariantCulture);
    }
}
