using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Net;
using Omapi.Core.Tests.Dhcpd;
using Xunit;
using PSOmapi.Testing;

namespace PSOmapi.Tests
{
    /// <summary>Invoke-OmapiRequest, the escape hatch, against the main dhcpd instance.</summary>
    public class InvokeRequestTests : ModuleTestBase
    {
        /// <summary>A lease address in the range reserved for tests that change leases (free, not seeded).</summary>
        private static readonly IPAddress ChangeableLease = IPAddress.Parse("198.51.100.127");

        private readonly string _id = Guid.NewGuid().ToString("N")[..8];

        public InvokeRequestTests(DhcpdFixture fixture) : base(fixture)
        {
            ConnectMain();
        }

        [Fact]
        public void Open_a_lease_by_ip_address_with_a_typed_IPAddress_value()
        {
            SeededLease seeded = DhcpdScenario.ActiveLeases[0];
            Shell.SetVariable("ip", seeded.IpAddress);
            PSObject o = Assert.Single(Shell.Invoke("Invoke-OmapiRequest -Operation Open -Type lease -Values @{ 'ip-address' = $ip }"));
            Assert.Empty(Shell.Errors);
            Assert.Equal("Omapi.Core.Objects.OmapiObject", o.TypeNames[0]);
            Assert.Equal("lease", Prop<string>(o, "Type"));

            IReadOnlyDictionary<string, byte[]> values = ValuesOf(o);
            Assert.Equal(seeded.IpAddress.GetAddressBytes(), values["ip-address"]);
            Assert.Equal(new byte[] { 0, 0, 0, 2 }, values["state"]);
            Assert.Equal(seeded.HardwareAddress, DhcpdScenario.ToColonHex(values["hardware-address"]));

            // The same object as the typed cmdlet finds.
            uint handle = Handle(Assert.Single(Shell.Invoke("Get-OmapiLease $args[0]", seeded.IpAddress.ToString())));
            Assert.Equal(handle, Handle(o));
        }

        [Fact]
        public void Refresh_takes_the_handle_from_piped_objects()
        {
            string[] ips = DhcpdScenario.ActiveLeases.Take(2).Select(l => l.IpAddress.ToString()).ToArray();
            Shell.SetVariable("ips", ips);
            var leases = Shell.Invoke("Get-OmapiLease $ips");
            long before = SentRequests();
            var refreshed = Shell.Invoke("Get-OmapiLease $ips | Invoke-OmapiRequest -Operation Refresh");
            Assert.Empty(Shell.Errors);
            Assert.Equal(before + 4, SentRequests()); // two OPENs by Get-OmapiLease, two REFRESHes
            Assert.Equal(leases.Select(l => Handle(l)), refreshed.Select(r => Handle(r)));
            Assert.Equal(ips, refreshed.Select(r => new IPAddress(ValuesOf(r)["ip-address"]).ToString()));

            // The same object named with -InputObject; a bare handle with -Handle.
            PSObject one = Assert.Single(Shell.Invoke("Invoke-OmapiRequest Refresh -InputObject $args[0]", leases[0]));
            Assert.Equal(ips[0], new IPAddress(ValuesOf(one)["ip-address"]).ToString());
            PSObject two = Assert.Single(Shell.Invoke("Invoke-OmapiRequest Refresh -Handle $args[0]", Handle(leases[1])));
            Assert.Equal(ips[1], new IPAddress(ValuesOf(two)["ip-address"]).ToString());
        }

        [Fact]
        public void An_unknown_handle_is_ObjectNotFound_with_the_handle_as_target()
        {
            const uint handle = 0x7FFFFFF0;
            ErrorRecord error = Shell.ErrorOf("Invoke-OmapiRequest Refresh -Handle $args[0]", handle);
            Assert.Equal("ObjectNotFound,PSOmapi.InvokeOmapiRequestCommand", error.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
            Assert.Equal(handle, error.TargetObject);
            Assert.Contains("no matching handle", error.Exception.Message, StringComparison.Ordinal);
            var caught = Shell.Invoke("try { Invoke-OmapiRequest Refresh -Handle $args[0] -ErrorAction Stop } catch { $_.FullyQualifiedErrorId }", handle);
            Assert.Equal("ObjectNotFound,PSOmapi.InvokeOmapiRequestCommand", caught.Single().ToString());
        }

        [Fact]
        public void Notify_is_NotSupported_with_dhcpds_own_message()
        {
            uint handle = LeaseHandle(DhcpdScenario.ActiveLeases[0].IpAddress);
            ErrorRecord error = Shell.ErrorOf("Invoke-OmapiRequest -Operation Notify -Handle $args[0]", handle);
            Assert.Equal("NotSupported,PSOmapi.InvokeOmapiRequestCommand", error.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.NotImplemented, error.CategoryInfo.Category);
            Assert.Equal(handle, error.TargetObject);
            Assert.Contains("notify not implemented yet", error.Exception.Message, StringComparison.Ordinal);
            Assert.Contains("result 27", error.Exception.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void Create_of_an_unknown_type_is_InvalidArgument_type_required_on_create()
        {
            ErrorRecord error = Shell.ErrorOf("Invoke-OmapiRequest Create no-such-type @{ name = 'x' }");
            Assert.Equal("InvalidArgument,PSOmapi.InvokeOmapiRequestCommand", error.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
            Assert.Equal("no-such-type", error.TargetObject);
            Assert.Contains("type required on create", error.Exception.Message, StringComparison.Ordinal);
            Assert.Contains("393219", error.Exception.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void Create_of_an_existing_object_is_ObjectAlreadyExists()
        {
            ErrorRecord error = Shell.ErrorOf("Invoke-OmapiRequest Create group ([ordered]@{ name = $args[0]; statements = 'default-lease-time 300;' })", DhcpdScenario.GroupName);
            Assert.Equal("ObjectAlreadyExists,PSOmapi.InvokeOmapiRequestCommand", error.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.ResourceExists, error.CategoryInfo.Category);
            Assert.Equal("group", error.TargetObject);
        }

        [Fact]
        public void Raw_returns_the_reply_message_whatever_its_result()
        {
            Shell.SetVariable("ip", DhcpdScenario.AddressOutsideRange);
            PSObject status = Assert.Single(Shell.Invoke("Invoke-OmapiRequest Open lease @{ 'ip-address' = $ip } -Raw"));
            Assert.Empty(Shell.Errors);
            Assert.Equal("Omapi.Core.Protocol.OmapiMessage", status.TypeNames[0]);
            Assert.Equal("Status", status.Properties["Op"].Value.ToString());
            Assert.Equal("23", Shell.Invoke("[Omapi.Core.Protocol.OmapiReplies]::ResultOf($args[0])", status)[0].ToString());
            Assert.Equal("no object matches specification", Shell.Invoke("[Omapi.Core.Protocol.OmapiReplies]::MessageOf($args[0])", status)[0].ToString());

            uint handle = LeaseHandle(DhcpdScenario.ActiveLeases[0].IpAddress);
            PSObject notify = Assert.Single(Shell.Invoke("Invoke-OmapiRequest Notify -Handle $args[0] -Raw", handle));
            Assert.Equal("27", Shell.Invoke("[Omapi.Core.Protocol.OmapiReplies]::ResultOf($args[0])", notify)[0].ToString());

            Shell.SetVariable("ip", DhcpdScenario.ActiveLeases[0].IpAddress);
            PSObject found = Assert.Single(Shell.Invoke("Invoke-OmapiRequest Open lease @{ 'ip-address' = $ip } -Raw"));
            Assert.Equal("Update", found.Properties["Op"].Value.ToString());
            Assert.Equal(handle, Prop<uint>(found, "Handle")); // the reply message's header handle
            Assert.Empty(Shell.Errors);
        }

        [Fact]
        public void A_host_is_created_updated_refreshed_and_deleted_through_the_escape_hatch()
        {
            string name = "psinv" + _id;
            Shell.SetVariable("mac", new byte[] { 0x02, 0x00, 0x00, 0x00, 0x7a, 0x01 });
            Shell.SetVariable("name", name);
            Shell.SetVariable("fixed", IPAddress.Parse("198.51.100.126"));
            try
            {
                PSObject created = Assert.Single(Shell.Invoke("Invoke-OmapiRequest Create host ([ordered]@{ name = $name; 'hardware-address' = $mac; 'hardware-type' = 1 })"));
                Assert.Empty(Shell.Errors);
                uint handle = Handle(created);
                Assert.Equal("host", Prop<string>(created, "Type"));
                Assert.Equal(name, System.Text.Encoding.UTF8.GetString(ValuesOf(created)["name"]));
                Assert.Equal(new byte[] { 0, 0, 0, 1 }, ValuesOf(created)["hardware-type"]);

                // UPDATE by handle from the pipeline, then read it back.
                Assert.Empty(Shell.Invoke("$args[0] | Invoke-OmapiRequest Update -Values @{ 'ip-address' = $fixed }", created));
                Assert.Empty(Shell.Errors);
                PSObject refreshed = Assert.Single(Shell.Invoke("Invoke-OmapiRequest Refresh -Handle $args[0]", handle));
                Assert.Equal(new byte[] { 198, 51, 100, 126 }, ValuesOf(refreshed)["ip-address"]);

                // $null is OMAPI's null: it removes the fixed address. -Raw shows the STATUS of the update.
                PSObject status = Assert.Single(Shell.Invoke("Invoke-OmapiRequest Update -Handle $args[0] -Values @{ 'ip-address' = $null } -Raw", handle));
                Assert.Equal("Status", status.Properties["Op"].Value.ToString());
                Assert.Equal("0", Shell.Invoke("[Omapi.Core.Protocol.OmapiReplies]::ResultOf($args[0])", status)[0].ToString());
                Assert.False(ValuesOf(Assert.Single(Shell.Invoke("Invoke-OmapiRequest Refresh -Handle $args[0]", handle))).ContainsKey("ip-address"));

                // OPEN with the create flag finds the host, then re-applies the values: a host's name is write-once.
                ErrorRecord reapplied = Shell.ErrorOf("Invoke-OmapiRequest Open host @{ name = $name } -Flags Create");
                Assert.Equal("ObjectAlreadyExists,PSOmapi.InvokeOmapiRequestCommand", reapplied.FullyQualifiedErrorId);
                Assert.Contains("can't update object", reapplied.Exception.Message, StringComparison.Ordinal);

                Assert.Empty(Shell.Invoke("Invoke-OmapiRequest Delete -Handle $args[0]", handle));
                Assert.Empty(Shell.Errors);
                ErrorRecord gone = Shell.ErrorOf("Invoke-OmapiRequest Open host @{ name = $name }");
                Assert.Equal("ObjectNotFound,PSOmapi.InvokeOmapiRequestCommand", gone.FullyQualifiedErrorId);
                Assert.Equal("host", gone.TargetObject);
            }
            finally
            {
                Shell.Invoke("Invoke-OmapiRequest Open host @{ name = $name } -ErrorAction SilentlyContinue | Invoke-OmapiRequest Delete -ErrorAction SilentlyContinue");
            }
        }

        [Fact]
        public void DateTime_and_integer_values_are_sent_as_32_bit_numbers()
        {
            Shell.SetVariable("ip", ChangeableLease);
            PSObject before = Assert.Single(Shell.Invoke("Invoke-OmapiRequest Open lease @{ 'ip-address' = $ip }"));
            byte[] originalEnds = ValuesOf(before)["ends"];
            DateTime ends = new DateTime(2036, 5, 4, 3, 2, 1, DateTimeKind.Utc);
            try
            {
                Shell.SetVariable("ends", ends);
                Shell.Invoke("$args[0] | Invoke-OmapiRequest Update -Values @{ ends = $ends }", before);
                Assert.Empty(Shell.Errors);
                Assert.Equal(ends, UtcEnds(Assert.Single(Shell.Invoke("Get-OmapiLease $args[0]", ChangeableLease.ToString()))));

                // An integer is the same 4 bytes: seconds since 1970.
                long seconds = (long)(ends.AddDays(1) - DateTime.UnixEpoch).TotalSeconds;
                Shell.Invoke("$args[0] | Invoke-OmapiRequest Update -Values @{ ends = $args[1] }", before, seconds);
                Assert.Empty(Shell.Errors);
                Assert.Equal(ends.AddDays(1), UtcEnds(Assert.Single(Shell.Invoke("Get-OmapiLease $args[0]", ChangeableLease.ToString()))));
            }
            finally
            {
                Shell.SetVariable("original", originalEnds);
                Shell.Invoke("$args[0] | Invoke-OmapiRequest Update -Values @{ ends = $original }", before);
                TestContext.Current.SendDiagnosticMessage("restored ends {0}: errors {1}", Convert.ToHexString(originalEnds), Shell.Errors.Count);
            }
        }

        [Theory]
        [InlineData("1.5", "System.Double")]
        [InlineData("[guid]::Empty", "System.Guid")]
        [InlineData("@(1, 2)", "System.Object[]")]
        [InlineData("-1", "-1")]
        [InlineData("4294967296", "4294967296")]
        public void A_value_OMAPI_cannot_carry_is_InvalidArgument_naming_the_key_and_nothing_is_sent(string value, string named)
        {
            Shell.SetVariable("ip", ChangeableLease);
            long before = SentRequests();
            ErrorRecord error = Shell.ErrorOf("Invoke-OmapiRequest Open lease @{ 'ip-address' = $ip; 'my-key' = " + value + " }");
            Assert.Equal("InvalidArgument,PSOmapi.InvokeOmapiRequestCommand", error.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
            Assert.Contains("'my-key'", error.Exception.Message, StringComparison.Ordinal);
            Assert.Contains(named, error.Exception.Message, StringComparison.Ordinal);
            Assert.NotNull(error.TargetObject);
            Assert.Equal(before, SentRequests());
            var caught = Shell.Invoke("try { Invoke-OmapiRequest Open lease @{ k = 1.5 } -ErrorAction Stop } catch { $_.FullyQualifiedErrorId }");
            Assert.Equal("InvalidArgument,PSOmapi.InvokeOmapiRequestCommand", caught.Single().ToString());
        }

        [Fact]
        public void An_IPv6_value_is_InvalidIPAddress_and_nothing_is_sent()
        {
            long before = SentRequests();
            ErrorRecord error = Shell.ErrorOf("Invoke-OmapiRequest Open lease @{ 'ip-address' = [ipaddress]'2001:db8::1' }");
            Assert.Equal("InvalidIPAddress,PSOmapi.InvokeOmapiRequestCommand", error.FullyQualifiedErrorId);
            Assert.Equal(IPAddress.Parse("2001:db8::1"), error.TargetObject);
            Assert.Contains("'ip-address'", error.Exception.Message, StringComparison.Ordinal);
            Assert.Equal(before, SentRequests());
        }

        [Theory]
        [InlineData("Invoke-OmapiRequest Update -Handle 1", "needs -Values")]
        [InlineData("Invoke-OmapiRequest Refresh -Type lease", "acts on an object the server returned")]
        [InlineData("Invoke-OmapiRequest Delete -Handle 1 -Values @{ state = 1 }", "sends no values")]
        [InlineData("Invoke-OmapiRequest Create host @{ name = 'x' } -Flags Update", "-Flags applies to -Operation Open only")]
        public void Operations_and_inputs_that_do_not_go_together_are_InvalidArgument_before_anything_is_sent(string script, string message)
        {
            long before = SentRequests();
            ErrorRecord error = Shell.ErrorOf(script);
            Assert.Equal("InvalidArgument,PSOmapi.InvokeOmapiRequestCommand", error.FullyQualifiedErrorId);
            Assert.Contains(message, error.Exception.Message, StringComparison.Ordinal);
            Assert.Equal(before, SentRequests());
        }

        [Fact]
        public void WhatIf_on_changing_operations_sends_nothing()
        {
            uint handle = LeaseHandle(ChangeableLease);
            long before = SentRequests();
            Shell.Invoke("Invoke-OmapiRequest Create host @{ name = 'whatif'; 'hardware-address' = [byte[]](2, 0, 0, 0, 0x7a, 2) } -WhatIf");
            Shell.Invoke("Invoke-OmapiRequest Open host @{ name = 'whatif' } -Flags Create, Update -WhatIf");
            Shell.Invoke("Invoke-OmapiRequest Update -Handle $args[0] -Values @{ ends = 0 } -WhatIf", handle);
            Shell.Invoke("Invoke-OmapiRequest Delete -Handle $args[0] -WhatIf", handle);
            Shell.Invoke("Invoke-OmapiRequest Update -Handle $args[0] -Values @{ ends = 0 } -WhatIf -Raw", handle);
            Assert.Empty(Shell.Errors);
            Assert.Equal(before, SentRequests());

            string shown = Shell.Render("Invoke-OmapiRequest Delete -Handle $args[0] -WhatIf", handle);
            Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"handle {handle} on {Fixture.Main.Host}"), shown, StringComparison.Ordinal);
            shown = Shell.Render("Invoke-OmapiRequest Create host @{ name = 'whatif' } -WhatIf");
            Assert.Contains("host object (name='whatif') on " + Fixture.Main.Host, shown, StringComparison.Ordinal);

            // A lookup changes nothing and is sent even with -WhatIf.
            Assert.Single(Shell.Invoke("Invoke-OmapiRequest Open lease @{ 'ip-address' = [ipaddress]$args[0] } -WhatIf", ChangeableLease.ToString()));
        }

        [Fact]
        public void An_object_from_another_server_is_ServerMismatch_and_nothing_is_sent()
        {
            long before = SentRequests();
            ErrorRecord error = Shell.ErrorOf("[Omapi.Core.Objects.OmapiObject]::new('host', 1, [Omapi.Core.Protocol.OmapiValueList]::new(), 'elsewhere.example') | Invoke-OmapiRequest Delete");
            Assert.Equal("ServerMismatch,PSOmapi.InvokeOmapiRequestCommand", error.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
            Assert.Equal("elsewhere.example", Prop<string>(PSObject.AsPSObject(error.TargetObject), "Server"));
            Assert.Equal(before, SentRequests());
        }

        private uint LeaseHandle(IPAddress address) => Handle(Assert.Single(Shell.Invoke("Get-OmapiLease $args[0]", address.ToString())));

        /// <summary>An OmapiObject's values as name → bytes, read through its own ToDictionary.</summary>
        private IReadOnlyDictionary<string, byte[]> ValuesOf(PSObject o)
        {
            var result = new Dictionary<string, byte[]>(StringComparer.Ordinal);
            foreach (PSObject pair in Shell.Invoke("$args[0].ToDictionary().GetEnumerator() | ForEach-Object { ,@($_.Key, $_.Value) }", o))
            {
                object[] kv = (object[])pair.BaseObject;
                result[(string)Unwrap(kv[0])] = (byte[])Unwrap(kv[1]);
            }

            return result;
        }

        private static object Unwrap(object o) => o is PSObject p ? p.BaseObject : o;

        private long SentRequests() => Convert.ToInt64(Shell.Invoke("(Get-OmapiSession -Default).RequestsSent")[0].BaseObject, CultureInfo.InvariantCulture);
    }
}
