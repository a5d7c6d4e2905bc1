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
    /// Get-, New-, Set- and Remove-OmapiHost against the real dhcpd. Every host these tests create is named psh-* with a
    /// MAC 02:00:00:a1:xx:xx and is deleted again; the dhcpd.conf hosts are only read (or used as "already exists").
    /// </summary>
    public class HostCmdletTests : ModuleTestBase
    {
        private const string HostType = "Omapi.Core.Objects.OmapiHost";

        // Fixed addresses for created hosts: in the subnet, outside the dynamic range, and not AddressOutsideRange (which
        // lease tests use as "no lease").
        private static readonly IPAddress FixedA = IPAddress.Parse("198.51.100.252");
        private static readonly IPAddress FixedB = IPAddress.Parse("198.51.100.253");
        private static readonly IPAddress FixedC = IPAddress.Parse("198.51.100.254");

        public HostCmdletTests(DhcpdFixture fixture) : base(fixture)
        {
            ConnectMain();
        }

        // ---- Get-OmapiHost ----

        [Fact]
        public void Get_OmapiHost_finds_conf_hosts_by_name_mac_client_id_and_lease_ip()
        {
            ConfHost fixedHost = DhcpdScenario.FixedAddressHost;
            PSObject byName = Assert.Single(Shell.Invoke("Get-OmapiHost -Name $args[0]", fixedHost.Name));
            Assert.Empty(Shell.Errors);
            Assert.Equal(HostType, byName.TypeNames[0]);
            Assert.Equal(fixedHost.Name, Prop<string>(byName, "Name"));
            Assert.Equal(fixedHost.HardwareAddress, Prop<string>(byName, "MacAddress"));
            Assert.Equal(1, Prop<int?>(byName, "HardwareType"));
            Assert.Equal(new[] { fixedHost.FixedAddress }, AddressesOf(byName));
            Assert.Equal(Fixture.Main.Host, Prop<string>(byName, "Server"));

            PSObject positional = Assert.Single(Shell.Invoke("Get-OmapiHost $args[0]", fixedHost.Name));
            Assert.Equal(Handle(byName), Handle(positional));

            PSObject byMac = Assert.Single(Shell.Invoke("Get-OmapiHost -MacAddress $args[0]", fixedHost.HardwareAddress!.Replace(':', '-')));
            Assert.Equal(Handle(byName), Handle(byMac));

            ConfHost uidHost = DhcpdScenario.ClientIdentifierHost;
            PSObject byClientId = Assert.Single(Shell.Invoke("Get-OmapiHost -ClientId $args[0]", DhcpdScenario.ToColonHex(uidHost.ClientIdentifier!)));
            Assert.Equal(uidHost.Name, Prop<string>(byClientId, "Name"));
            Assert.Equal(DhcpdScenario.ToColonHex(uidHost.ClientIdentifier!), Prop<string>(byClientId, "ClientId"));
            Assert.Null(Prop<string>(byClientId, "MacAddress"));

            // IP -> lease -> the lease's MAC -> host.
            PSObject byLeaseIp = Assert.Single(Shell.Invoke("Get-OmapiHost -IPAddress $args[0]", DhcpdScenario.LeaseOfLeaseHost.IpAddress.ToString()));
            Assert.Equal(DhcpdScenario.LeaseHost.Name, Prop<string>(byLeaseIp, "Name"));
            Assert.Empty(Shell.Errors);
        }

        [Fact]
        public void Many_names_are_looked_up_in_bulk_in_their_order_with_an_error_for_each_missing_one()
        {
            // 300 names: the conf hosts over and over, every tenth one missing. Bulk: several connections, input order.
            string[] known = DhcpdScenario.ConfHosts.Select(h => h.Name).ToArray();
            string[] names = Enumerable.Range(0, 300).Select(i => i % 10 == 9 ? "psh-missing-" + i : known[i % known.Length]).ToArray();
            Shell.SetVariable("names", names);

            var hosts = Shell.Invoke("Get-OmapiHost -Name $names");

            Assert.Equal(names.Where(n => !n.StartsWith("psh-missing-", StringComparison.Ordinal)), hosts.Select(h => Prop<string>(h, "Name")));
            Assert.Equal(30, Shell.Errors.Count);
            Assert.All(Shell.Errors, e => Assert.Equal("HostNotFound,PSOmapi.GetOmapiHostCommand", e.FullyQualifiedErrorId));
            Assert.Equal(names.Where(n => n.StartsWith("psh-missing-", StringComparison.Ordinal)), Shell.Errors.Select(e => (string)e.TargetObject));
            Assert.Equal(4, Convert.ToInt32(Shell.Invoke("(Get-OmapiSession -Default).Connections")[0].BaseObject, System.Globalization.CultureInfo.InvariantCulture));
        }

        [Fact]
        public void Get_OmapiHost_binds_from_the_pipeline_and_a_missing_host_is_non_terminating()
        {
            string[] names = { DhcpdScenario.FixedAddressHost.Name, "psh-missing", DhcpdScenario.GroupHost.Name };
            var byValue = Shell.Invoke("$args | Get-OmapiHost", names.Cast<object>().ToArray());
            Assert.Equal(new[] { names[0], names[2] }, byValue.Select(h => Prop<string>(h, "Name")));
            ErrorRecord error = Assert.Single(Shell.Errors);
            AssertError(error, "HostNotFound,PSOmapi.GetOmapiHostCommand", ErrorCategory.ObjectNotFound, "psh-missing");
            Assert.Contains("no object matches specification", error.Exception.Message, StringComparison.Ordinal);

            var byName = Shell.Invoke("[pscustomobject]@{ Name = $args[0] } | Get-OmapiHost", names[0]);
            Assert.Equal(names[0], Prop<string>(Assert.Single(byName), "Name"));

            var byMac = Shell.Invoke("[pscustomobject]@{ MacAddress = $args[0] } | Get-OmapiHost", DhcpdScenario.GroupHost.HardwareAddress!);
            Assert.Equal(DhcpdScenario.GroupHost.Name, Prop<string>(Assert.Single(byMac), "Name"));

            var byClientId = Shell.Invoke("[pscustomobject]@{ ClientId = $args[0] } | Get-OmapiHost", DhcpdScenario.ToColonHex(DhcpdScenario.ClientIdentifierHost.ClientIdentifier!));
            Assert.Equal(DhcpdScenario.ClientIdentifierHost.Name, Prop<string>(Assert.Single(byClientId), "Name"));

            var byIp = Shell.Invoke("[pscustomobject]@{ IPAddress = [ipaddress]$args[0] } | Get-OmapiHost", DhcpdScenario.LeaseOfLeaseHost.IpAddress.ToString());
            Assert.Empty(Shell.Errors);
            Assert.Equal(DhcpdScenario.LeaseHost.Name, Prop<string>(Assert.Single(byIp), "Name"));

            var byOwnHost = Shell.Invoke("Get-OmapiHost -Name $args[0] | Get-OmapiHost", DhcpdScenario.LeaseHost.Name);
            Assert.Equal(DhcpdScenario.LeaseHost.Name, Prop<string>(Assert.Single(byOwnHost), "Name"));
            Assert.Empty(Shell.Errors);
        }

        [Fact]
        public void Get_OmapiHost_ErrorAction_Stop_is_catchable()
        {
            var caught = Shell.Invoke("try { Get-OmapiHost -Name psh-missing -ErrorAction Stop; 'not reached' } catch { $_.FullyQualifiedErrorId }");
            Assert.Equal("HostNotFound,PSOmapi.GetOmapiHostCommand", Assert.Single(caught).ToString());
        }

        [Fact]
        public void Get_OmapiHost_with_a_bad_mac_or_an_IPv6_address_sends_nothing()
        {
            long before = SentRequests();
            AssertError(Shell.ErrorOf("Get-OmapiHost -MacAddress 02:00:00:a1"), "InvalidMacAddress,PSOmapi.GetOmapiHostCommand", ErrorCategory.InvalidArgument, "02:00:00:a1");
            AssertError(Shell.ErrorOf("Get-OmapiHost -IPAddress ::1"), "InvalidIPAddress,PSOmapi.GetOmapiHostCommand", ErrorCategory.InvalidArgument, IPAddress.IPv6Loopback);
            Assert.Equal(before, SentRequests());
        }

        // ---- New-OmapiHost ----

        [Fact]
        public void New_OmapiHost_creates_a_host_found_by_mac_with_its_group_and_statements()
        {
            const string name = "psh-new1";
            try
            {
                PSObject created = Assert.Single(Shell.Invoke(
                    "New-OmapiHost -Name $args[0] -MacAddress 02-00-00-A1-00-01 -IPAddress $args[1], $args[2] -Group $args[3] -Statements $args[4]",
                    name, FixedA.ToString(), FixedB.ToString(), DhcpdScenario.GroupName, "option host-name \"" + name + "\";"));
                Assert.Empty(Shell.Errors);
                Assert.Equal(HostType, created.TypeNames[0]);
                Assert.Equal(name, Prop<string>(created, "Name"));
                Assert.Equal("02:00:00:a1:00:01", Prop<string>(created, "MacAddress"));
                Assert.Equal(1, Prop<int?>(created, "HardwareType"));
                Assert.Equal(new[] { FixedA, FixedB }, AddressesOf(created));

                // Found by MAC only because hardware-type 1 was sent (dhcpd stores 0 otherwise and MAC lookups miss).
                PSObject byMac = Assert.Single(Shell.Invoke("Get-OmapiHost -MacAddress 020000a10001"));
                Assert.Equal(Handle(created), Handle(byMac));
                Assert.Equal(new[] { FixedA, FixedB }, AddressesOf(byMac));

                string block = LastHostBlock(name);
                Assert.Contains("hardware ethernet 02:00:00:a1:00:01;", block, StringComparison.Ordinal);
                Assert.Contains("group \"" + DhcpdScenario.GroupName + "\";", block, StringComparison.Ordinal);
                Assert.Contains("supersede host-name = \"" + name + "\";", block, StringComparison.Ordinal);
            }
            finally
            {
                DeleteQuietly(name);
            }
        }

        [Fact]
        public void New_OmapiHost_by_client_id()
        {
            const string name = "psh-uid1";
            const string clientId = "01:02:00:00:a1:00:02";
            try
            {
                PSObject created = Assert.Single(Shell.Invoke("New-OmapiHost -Name $args[0] -ClientId $args[1]", name, clientId));
                Assert.Equal(clientId, Prop<string>(created, "ClientId"));
                Assert.Null(Prop<string>(created, "MacAddress"));
                PSObject found = Assert.Single(Shell.Invoke("Get-OmapiHost -ClientId $args[0]", clientId));
                Assert.Equal(name, Prop<string>(found, "Name"));
                Assert.Empty(Shell.Errors);
            }
            finally
            {
                DeleteQuietly(name);
            }
        }

        [Fact]
        public void New_OmapiHost_HardwareType_is_stored_and_MAC_lookups_find_only_ethernet_hosts()
        {
            const string name = "psh-hwtype";
            try
            {
                PSObject created = Assert.Single(Shell.Invoke("New-OmapiHost -Name $args[0] -MacAddress 02:00:00:a1:00:0b -HardwareType 6", name));
                Assert.Empty(Shell.Errors);
                Assert.Equal(6, Prop<int?>(created, "HardwareType"));
                Assert.Equal(6, Prop<int?>(Assert.Single(Shell.Invoke("Get-OmapiHost -Name $args[0]", name)), "HardwareType"));
                AssertError(Shell.ErrorOf("Get-OmapiHost -MacAddress 02:00:00:a1:00:0b"), "HostNotFound,PSOmapi.GetOmapiHostCommand", ErrorCategory.ObjectNotFound, "02:00:00:a1:00:0b");
                Assert.Equal("ParameterArgumentValidationError,PSOmapi.NewOmapiHostCommand", Shell.ErrorOf("New-OmapiHost -Name psh-hw0 -MacAddress 02:00:00:a1:00:0c -HardwareType 0").FullyQualifiedErrorId);
            }
            finally
            {
                DeleteQuietly(name);
            }
        }

        [Fact]
        public void New_OmapiHost_creates_hosts_from_csv_like_rows_by_property_name()
        {
            // Import-Csv gives objects whose properties are all strings, empty cells as ''.
            string[] names = { "psh-csv1", "psh-csv2" };
            try
            {
                var created = Shell.Invoke(
                    "@([pscustomobject]@{ Name = $args[0]; MacAddress = '02:00:00:a1:00:03'; IPAddress = $args[2]; Group = $args[3]; Statements = '' }," +
                    " [pscustomobject]@{ Name = $args[1]; MacAddress = '02:00:00:a1:00:04'; IPAddress = ''; Group = ''; Statements = 'option host-name \"psh-csv2\";' }) | New-OmapiHost",
                    names[0], names[1], FixedC.ToString(), DhcpdScenario.GroupName);
                Assert.Empty(Shell.Errors);
                Assert.Equal(names, created.Select(h => Prop<string>(h, "Name")));

                PSObject first = Assert.Single(Shell.Invoke("Get-OmapiHost -MacAddress 02:00:00:a1:00:03"));
                Assert.Equal(new[] { FixedC }, AddressesOf(first));
                Assert.Contains("group \"" + DhcpdScenario.GroupName + "\";", LastHostBlock(names[0]), StringComparison.Ordinal);

                PSObject second = Assert.Single(Shell.Invoke("Get-OmapiHost -MacAddress 02:00:00:a1:00:04"));
                Assert.Empty(AddressesOf(second));
                string block = LastHostBlock(names[1]);
                Assert.Contains("supersede host-name = \"psh-csv2\";", block, StringComparison.Ordinal);
                Assert.DoesNotContain("group", block, StringComparison.Ordinal);
            }
            finally
            {
                DeleteQuietly(names);
            }
        }

        [Fact]
        public void New_OmapiHost_WhatIf_sends_nothing_and_creates_nothing()
        {
            long before = SentRequests();
            Assert.Empty(Shell.Invoke("New-OmapiHost -Name psh-whatif -MacAddress 02:00:00:a1:00:05 -IPAddress $args[0] -WhatIf", FixedA.ToString()));
            Assert.Empty(Shell.Errors);
            Assert.Equal(before, SentRequests());
            AssertError(Shell.ErrorOf("Get-OmapiHost -Name psh-whatif"), "HostNotFound,PSOmapi.GetOmapiHostCommand", ErrorCategory.ObjectNotFound, "psh-whatif");
            AssertError(Shell.ErrorOf("Get-OmapiHost -MacAddress 02:00:00:a1:00:05"), "HostNotFound,PSOmapi.GetOmapiHostCommand", ErrorCategory.ObjectNotFound, "02:00:00:a1:00:05");
        }

        [Fact]
        public void New_OmapiHost_with_a_taken_name_or_mac_is_HostAlreadyExists()
        {
            ConfHost existing = DhcpdScenario.FixedAddressHost;
            ErrorRecord both = Shell.ErrorOf("New-OmapiHost -Name $args[0] -MacAddress $args[1]", existing.Name, existing.HardwareAddress!);
            AssertError(both, "HostAlreadyExists,PSOmapi.NewOmapiHostCommand", ErrorCategory.ResourceExists, existing.Name);
            Assert.Contains("specified object already exists", both.Exception.Message, StringComparison.Ordinal);

            ErrorRecord sameName = Shell.ErrorOf("New-OmapiHost -Name $args[0] -MacAddress 02:00:00:a1:00:06", existing.Name);
            AssertError(sameName, "HostAlreadyExists,PSOmapi.NewOmapiHostCommand", ErrorCategory.ResourceExists, existing.Name);

            ErrorRecord sameMac = Shell.ErrorOf("New-OmapiHost -Name psh-dupmac -MacAddress $args[0]", DhcpdScenario.GroupHost.HardwareAddress!);
            AssertError(sameMac, "HostAlreadyExists,PSOmapi.NewOmapiHostCommand", ErrorCategory.ResourceExists, "psh-dupmac");
            Assert.Contains("393223", sameMac.Exception.Message, StringComparison.Ordinal); // dhcpd says KEYCONFLICT: the MAC names another host
            Assert.Contains("already belongs to host '" + DhcpdScenario.GroupHost.Name + "'", sameMac.ErrorDetails.Message, StringComparison.Ordinal);

            ErrorRecord sameClientId = Shell.ErrorOf("New-OmapiHost -Name psh-dupuid -ClientId $args[0]", DhcpdScenario.ToColonHex(DhcpdScenario.ClientIdentifierHost.ClientIdentifier!));
            AssertError(sameClientId, "HostAlreadyExists,PSOmapi.NewOmapiHostCommand", ErrorCategory.ResourceExists, "psh-dupuid");
            Assert.Contains("already belongs to host '" + DhcpdScenario.ClientIdentifierHost.Name + "'", sameClientId.ErrorDetails.Message, StringComparison.Ordinal);
            AssertError(Shell.ErrorOf("Get-OmapiHost -Name psh-dupmac"), "HostNotFound,PSOmapi.GetOmapiHostCommand", ErrorCategory.ObjectNotFound, "psh-dupmac");

            var caught = Shell.Invoke("try { New-OmapiHost -Name $args[0] -MacAddress $args[1] -ErrorAction Stop; 'not reached' } catch { $_.FullyQualifiedErrorId }", existing.Name, existing.HardwareAddress!);
            Assert.Equal("HostAlreadyExists,PSOmapi.NewOmapiHostCommand", Assert.Single(caught).ToString());
        }

        [Fact]
        public void New_OmapiHost_with_statements_dhcpd_cannot_parse_is_InvalidStatements_and_creates_nothing()
        {
            ErrorRecord error = Shell.ErrorOf("New-OmapiHost -Name psh-badparse -MacAddress 02:00:00:a1:00:07 -Statements 'option no-such-option 1;'");
            AssertError(error, "InvalidStatements,PSOmapi.NewOmapiHostCommand", ErrorCategory.InvalidArgument, "psh-badparse");
            Assert.Contains("393224", error.Exception.Message, StringComparison.Ordinal);
            Assert.Contains("can't update object", error.Exception.Message, StringComparison.Ordinal);
            Assert.Contains("log", error.ErrorDetails.RecommendedAction, StringComparison.Ordinal);
            AssertError(Shell.ErrorOf("Get-OmapiHost -MacAddress 02:00:00:a1:00:07"), "HostNotFound,PSOmapi.GetOmapiHostCommand", ErrorCategory.ObjectNotFound, "02:00:00:a1:00:07");
        }

        [Fact]
        public void New_OmapiHost_with_a_half_parsed_statement_succeeds_and_dhcpd_drops_the_statement()
        {
            // What the -Statements help warns about: no error, and no host-name in the host dhcpd wrote.
            const string name = "psh-halfparse";
            try
            {
                Assert.Single(Shell.Invoke("New-OmapiHost -Name $args[0] -MacAddress 02:00:00:a1:00:08 -Statements 'option host-name'", name));
                Assert.Empty(Shell.Errors);
                Assert.DoesNotContain("host-name", LastHostBlock(name), StringComparison.Ordinal);
            }
            finally
            {
                DeleteQuietly(name);
            }
        }

        [Fact]
        public void New_OmapiHost_with_an_unknown_group_is_GroupNotFound_and_creates_nothing()
        {
            ErrorRecord error = Shell.ErrorOf("New-OmapiHost -Name psh-nogroup -MacAddress 02:00:00:a1:00:09 -Group psh-no-such-group");
            AssertError(error, "GroupNotFound,PSOmapi.NewOmapiHostCommand", ErrorCategory.ObjectNotFound, "psh-no-such-group");
            Assert.Contains("result 23", error.Exception.Message, StringComparison.Ordinal);
            AssertError(Shell.ErrorOf("Get-OmapiHost -Name psh-nogroup"), "HostNotFound,PSOmapi.GetOmapiHostCommand", ErrorCategory.ObjectNotFound, "psh-nogroup");
        }

        [Theory]
        [InlineData("02:00:00:a1:00")]
        [InlineData("not-a-mac")]
        public void New_OmapiHost_with_a_bad_mac_is_InvalidMacAddress_and_sends_nothing(string mac)
        {
            long before = SentRequests();
            ErrorRecord error = Shell.ErrorOf("New-OmapiHost -Name psh-badmac -MacAddress $args[0]", mac);
            AssertError(error, "InvalidMacAddress,PSOmapi.NewOmapiHostCommand", ErrorCategory.InvalidArgument, mac);
            Assert.Contains("00:11:22:33:44:55", error.Exception.Message, StringComparison.Ordinal);
            Assert.Equal(before, SentRequests());
        }

        [Fact]
        public void New_OmapiHost_rejects_an_empty_name_in_parameter_validation()
        {
            long before = SentRequests();
            ErrorRecord error = Shell.ErrorOf("New-OmapiHost -Name '' -MacAddress 02:00:00:a1:00:0a");
            Assert.IsAssignableFrom<ParameterBindingException>(error.Exception);
            Assert.Equal("ParameterArgumentValidationError,PSOmapi.NewOmapiHostCommand", error.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.InvalidData, error.CategoryInfo.Category);
            Assert.Equal(before, SentRequests());
        }

        // ---- Remove-OmapiHost ----

        [Fact]
        public void Get_OmapiHost_piped_to_Remove_OmapiHost_deletes_the_host()
        {
            const string name = "psh-rm1";
            CreateHost(name, "02:00:00:a1:01:01");
            Assert.Empty(Shell.Invoke("Get-OmapiHost -Name $args[0] | Remove-OmapiHost", name));
            Assert.Empty(Shell.Errors);
            AssertError(Shell.ErrorOf("Get-OmapiHost -Name $args[0]", name), "HostNotFound,PSOmapi.GetOmapiHostCommand", ErrorCategory.ObjectNotFound, name);
            Assert.Contains("host " + name + " {\n  dynamic;\n  deleted;\n}", Fixture.Main.ReadLeasesFile(), StringComparison.Ordinal);
        }

        [Fact]
        public void Remove_OmapiHost_by_name_mac_and_property_name()
        {
            string[] names = { "psh-rm2", "psh-rm3", "psh-rm4", "psh-rm5" };
            try
            {
                CreateHost(names[0], "02:00:00:a1:01:02");
                CreateHost(names[1], "02:00:00:a1:01:03");
                CreateHost(names[2], "02:00:00:a1:01:04");
                CreateHost(names[3], "02:00:00:a1:01:05");

                Shell.Invoke("Remove-OmapiHost $args[0], $args[1]", names[0], names[1]);
                Shell.Invoke("Remove-OmapiHost -MacAddress 02-00-00-a1-01-04");
                Shell.Invoke("[pscustomobject]@{ Name = $args[0] } | Remove-OmapiHost", names[3]);
                Assert.Empty(Shell.Errors);

                Shell.Invoke("Get-OmapiHost -Name $args", names.Cast<object>().ToArray());
                Assert.Equal(names, Shell.Errors.Select(e => (string)e.TargetObject));
                Assert.All(Shell.Errors, e => Assert.Equal("HostNotFound,PSOmapi.GetOmapiHostCommand", e.FullyQualifiedErrorId));
            }
            finally
            {
                DeleteQuietly(names);
            }
        }

        [Fact]
        public void Remove_OmapiHost_WhatIf_sends_nothing_and_deletes_nothing()
        {
            const string name = "psh-rm-whatif";
            try
            {
                PSObject created = CreateHost(name, "02:00:00:a1:01:06");
                long before = SentRequests();
                Shell.SetVariable("h", created);
                Shell.Invoke("Remove-OmapiHost -Name $args[0] -WhatIf; Remove-OmapiHost -MacAddress 02:00:00:a1:01:06 -WhatIf; $h | Remove-OmapiHost -WhatIf", name);
                Assert.Empty(Shell.Errors);
                Assert.Equal(before, SentRequests());
                PSObject still = Assert.Single(Shell.Invoke("Get-OmapiHost -Name $args[0]", name));
                Assert.Equal(Handle(created), Handle(still));
            }
            finally
            {
                DeleteQuietly(name);
            }
        }

        [Fact]
        public void Remove_OmapiHost_of_a_missing_host_is_HostNotFound_and_the_others_are_still_removed()
        {
            const string name = "psh-rm6";
            CreateHost(name, "02:00:00:a1:01:07");
            Shell.Invoke("Remove-OmapiHost -Name missing, $args[0]", name);
            ErrorRecord error = Assert.Single(Shell.Errors);
            AssertError(error, "HostNotFound,PSOmapi.RemoveOmapiHostCommand", ErrorCategory.ObjectNotFound, "missing");
            AssertError(Shell.ErrorOf("Get-OmapiHost -Name $args[0]", name), "HostNotFound,PSOmapi.GetOmapiHostCommand", ErrorCategory.ObjectNotFound, name);

            AssertError(Shell.ErrorOf("Remove-OmapiHost -MacAddress 02:00:00:a1:01:07"), "HostNotFound,PSOmapi.RemoveOmapiHostCommand", ErrorCategory.ObjectNotFound, "02:00:00:a1:01:07");
            var caught = Shell.Invoke("try { Remove-OmapiHost -Name missing -ErrorAction Stop; 'not reached' } catch { $_.FullyQualifiedErrorId + ' ' + $_.TargetObject }");
            Assert.Equal("HostNotFound,PSOmapi.RemoveOmapiHostCommand missing", Assert.Single(caught).ToString());
        }

        [Fact]
        public void Remove_OmapiHost_of_a_host_already_deleted_is_HostNotFound_and_a_bad_mac_sends_nothing()
        {
            const string name = "psh-rm7";
            PSObject created = CreateHost(name, "02:00:00:a1:01:08");
            Shell.SetVariable("h", created);
            Shell.Invoke("$h | Remove-OmapiHost");
            Assert.Empty(Shell.Errors);
            ErrorRecord again = Shell.ErrorOf("$h | Remove-OmapiHost");
            Assert.Equal("HostNotFound,PSOmapi.RemoveOmapiHostCommand", again.FullyQualifiedErrorId);
            Assert.Equal(Handle(created), Handle(PSObject.AsPSObject(again.TargetObject)));
            Assert.Contains("no matching handle", again.Exception.Message, StringComparison.Ordinal);

            long before = SentRequests();
            AssertError(Shell.ErrorOf("Remove-OmapiHost -MacAddress zz:00:00:a1:01:08"), "InvalidMacAddress,PSOmapi.RemoveOmapiHostCommand", ErrorCategory.InvalidArgument, "zz:00:00:a1:01:08");
            Assert.Equal(before, SentRequests());
        }

        // ---- Set-OmapiHost ----

        [Fact]
        public void Set_OmapiHost_replaces_fixed_addresses_by_name_and_clears_them_by_mac()
        {
            const string name = "psh-set1";
            try
            {
                CreateHost(name, "02:00:00:a1:02:01", FixedA);
                PSObject changed = Assert.Single(Shell.Invoke("Set-OmapiHost -Name $args[0] -IPAddress $args[1], $args[2] -PassThru", name, FixedB.ToString(), FixedC.ToString()));
                Assert.Empty(Shell.Errors);
                Assert.Equal(HostType, changed.TypeNames[0]);
                Assert.Equal(new[] { FixedB, FixedC }, AddressesOf(changed));
                Assert.Equal(new[] { FixedB, FixedC }, AddressesOf(Assert.Single(Shell.Invoke("Get-OmapiHost -Name $args[0]", name))));

                Assert.Empty(Shell.Invoke("Set-OmapiHost -MacAddress 02:00:00:a1:02:01 -ClearIPAddress"));
                Assert.Empty(Shell.Errors);
                Assert.Empty(AddressesOf(Assert.Single(Shell.Invoke("Get-OmapiHost -Name $args[0]", name))));
                Assert.DoesNotContain("fixed-address", LastHostBlock(name), StringComparison.Ordinal);
            }
            finally
            {
                DeleteQuietly(name);
            }
        }

        [Fact]
        public void Set_OmapiHost_binds_a_host_by_value_and_a_name_by_property_name()
        {
            const string name = "psh-set2";
            try
            {
                CreateHost(name, "02:00:00:a1:02:02");
                PSObject changed = Assert.Single(Shell.Invoke("Get-OmapiHost -Name $args[0] | Set-OmapiHost -IPAddress $args[1] -PassThru", name, FixedA.ToString()));
                Assert.Equal(new[] { FixedA }, AddressesOf(changed));

                Shell.Invoke("[pscustomobject]@{ Name = $args[0] } | Set-OmapiHost -IPAddress $args[1]", name, FixedB.ToString());
                Assert.Empty(Shell.Errors);
                Assert.Equal(new[] { FixedB }, AddressesOf(Assert.Single(Shell.Invoke("Get-OmapiHost -Name $args[0]", name))));
            }
            finally
            {
                DeleteQuietly(name);
            }
        }

        [Fact]
        public void Set_OmapiHost_group_and_statements_both_land_and_a_group_replaces_the_hosts_own_statements()
        {
            const string name = "psh-set3";
            try
            {
                CreateHost(name, "02:00:00:a1:02:03");
                Shell.Invoke("Set-OmapiHost -Name $args[0] -Group $args[1] -Statements $args[2]", name, DhcpdScenario.GroupName, "option host-name \"" + name + "\";");
                Assert.Empty(Shell.Errors);
                string block = LastHostBlock(name);
                Assert.Contains("group \"" + DhcpdScenario.GroupName + "\";", block, StringComparison.Ordinal);
                Assert.Contains("supersede host-name = \"" + name + "\";", block, StringComparison.Ordinal);

                // Setting the group again replaces the host's own statements with the group's.
                Shell.Invoke("Set-OmapiHost -Name $args[0] -Group $args[1]", name, DhcpdScenario.GroupName);
                Assert.Empty(Shell.Errors);
                block = LastHostBlock(name);
                Assert.Contains("group \"" + DhcpdScenario.GroupName + "\";", block, StringComparison.Ordinal);
                Assert.DoesNotContain("host-name", block, StringComparison.Ordinal);
            }
            finally
            {
                DeleteQuietly(name);
            }
        }

        [Fact]
        public void Set_OmapiHost_statements_on_a_host_that_has_some_is_PermissionDenied_and_changes_nothing_else()
        {
            const string name = "psh-set4";
            try
            {
                Assert.Single(Shell.Invoke("New-OmapiHost -Name $args[0] -MacAddress 02:00:00:a1:02:04 -IPAddress $args[1] -Statements 'option host-name \"first\";'", name, FixedA.ToString()));
                ErrorRecord error = Shell.ErrorOf("Set-OmapiHost -Name $args[0] -IPAddress $args[1] -Statements 'option host-name \"second\";'", name, FixedB.ToString());
                AssertError(error, "PermissionDenied,PSOmapi.SetOmapiHostCommand", ErrorCategory.PermissionDenied, name);
                Assert.Contains("result 18", error.Exception.Message, StringComparison.Ordinal);
                Assert.Contains("does not replace statements", error.ErrorDetails.Message, StringComparison.Ordinal);
                Assert.Contains("-Group", error.ErrorDetails.RecommendedAction, StringComparison.Ordinal);

                // The statements are refused before the fixed address is sent, so dhcpd serves what it wrote.
                Assert.Equal(new[] { FixedA }, AddressesOf(Assert.Single(Shell.Invoke("Get-OmapiHost -Name $args[0]", name))));
                string block = LastHostBlock(name);
                Assert.Contains("supersede host-name = \"first\";", block, StringComparison.Ordinal);
                Assert.Contains("fixed-address " + FixedA + ";", block, StringComparison.Ordinal);
            }
            finally
            {
                DeleteQuietly(name);
            }
        }

        [Fact]
        public void Set_OmapiHost_refusals_carry_their_ErrorIds()
        {
            const string name = "psh-set5";
            try
            {
                CreateHost(name, "02:00:00:a1:02:05", FixedA);

                ErrorRecord badParse = Shell.ErrorOf("Set-OmapiHost -Name $args[0] -Statements 'option no-such-option 1;'", name);
                AssertError(badParse, "InvalidStatements,PSOmapi.SetOmapiHostCommand", ErrorCategory.InvalidArgument, name);
                Assert.Contains("393224", badParse.Exception.Message, StringComparison.Ordinal);

                ErrorRecord noGroup = Shell.ErrorOf("Set-OmapiHost -Name $args[0] -Group psh-no-such-group -IPAddress $args[1]", name, FixedB.ToString());
                AssertError(noGroup, "GroupNotFound,PSOmapi.SetOmapiHostCommand", ErrorCategory.ObjectNotFound, "psh-no-such-group");
                Assert.Equal(new[] { FixedA }, AddressesOf(Assert.Single(Shell.Invoke("Get-OmapiHost -Name $args[0]", name))));

                ErrorRecord missing = Shell.ErrorOf("Set-OmapiHost -Name psh-missing -IPAddress $args[0]", FixedB.ToString());
                AssertError(missing, "HostNotFound,PSOmapi.SetOmapiHostCommand", ErrorCategory.ObjectNotFound, "psh-missing");
                var caught = Shell.Invoke("try { Set-OmapiHost -Name psh-missing -ClearIPAddress -ErrorAction Stop; 'not reached' } catch { $_.FullyQualifiedErrorId }");
                Assert.Equal("HostNotFound,PSOmapi.SetOmapiHostCommand", Assert.Single(caught).ToString());

                long before = SentRequests();
                AssertError(Shell.ErrorOf("Set-OmapiHost -MacAddress 02:00:00:a1 -ClearIPAddress"), "InvalidMacAddress,PSOmapi.SetOmapiHostCommand", ErrorCategory.InvalidArgument, "02:00:00:a1");
                AssertError(Shell.ErrorOf("Set-OmapiHost -Name $args[0]", name), "InvalidArgument,PSOmapi.SetOmapiHostCommand", ErrorCategory.InvalidArgument, name);
                ErrorRecord both = Shell.ErrorOf("Set-OmapiHost -Name $args[0] -IPAddress $args[1] -ClearIPAddress", name, FixedB.ToString());
                AssertError(both, "InvalidArgument,PSOmapi.SetOmapiHostCommand", ErrorCategory.InvalidArgument, name);
                Assert.Equal(before, SentRequests());
            }
            finally
            {
                DeleteQuietly(name);
            }
        }

        [Fact]
        public void Set_OmapiHost_WhatIf_sends_nothing_and_changes_nothing()
        {
            const string name = "psh-set6";
            try
            {
                PSObject created = CreateHost(name, "02:00:00:a1:02:06", FixedA);
                Shell.SetVariable("h", created);
                long before = SentRequests();
                Shell.Invoke(
                    "Set-OmapiHost -Name $args[0] -IPAddress $args[1] -WhatIf; $h | Set-OmapiHost -ClearIPAddress -WhatIf; " +
                    "Set-OmapiHost -MacAddress 02:00:00:a1:02:06 -NewName psh-set6-renamed -WhatIf -WarningAction SilentlyContinue",
                    name, FixedB.ToString());
                Assert.Empty(Shell.Errors);
                Assert.Equal(before, SentRequests());
                PSObject still = Assert.Single(Shell.Invoke("Get-OmapiHost -Name $args[0]", name));
                Assert.Equal(Handle(created), Handle(still));
                Assert.Equal(new[] { FixedA }, AddressesOf(still));
                AssertError(Shell.ErrorOf("Get-OmapiHost -Name psh-set6-renamed"), "HostNotFound,PSOmapi.GetOmapiHostCommand", ErrorCategory.ObjectNotFound, "psh-set6-renamed");
            }
            finally
            {
                DeleteQuietly(name, "psh-set6-renamed");
            }
        }

        [Fact]
        public void Set_OmapiHost_NewName_re_creates_the_host_with_its_mac_and_addresses_and_warns_about_statements()
        {
            const string oldName = "psh-ren1";
            const string newName = "psh-ren1-new";
            try
            {
                CreateHost(oldName, "02:00:00:a1:03:01", FixedA, FixedB);
                var result = Shell.Invoke("Set-OmapiHost -Name $args[0] -NewName $args[1] -PassThru -WarningVariable w 3>$null; $w | ForEach-Object { 'WARNING: ' + $_ }", oldName, newName);
                Assert.Empty(Shell.Errors);
                PSObject renamed = Assert.Single(result, o => o.BaseObject is not string);
                string warning = Assert.Single(result, o => o.BaseObject is string).ToString();
                Assert.Contains("statements", warning, StringComparison.Ordinal);
                Assert.Contains("-Statements and -Group", warning, StringComparison.Ordinal);

                Assert.Equal(newName, Prop<string>(renamed, "Name"));
                Assert.Equal("02:00:00:a1:03:01", Prop<string>(renamed, "MacAddress"));
                Assert.Equal(1, Prop<int?>(renamed, "HardwareType"));
                Assert.Equal(new[] { FixedA, FixedB }, AddressesOf(renamed));

                PSObject byMac = Assert.Single(Shell.Invoke("Get-OmapiHost -MacAddress 02:00:00:a1:03:01"));
                Assert.Equal(newName, Prop<string>(byMac, "Name"));
                AssertError(Shell.ErrorOf("Get-OmapiHost -Name $args[0]", oldName), "HostNotFound,PSOmapi.GetOmapiHostCommand", ErrorCategory.ObjectNotFound, oldName);
                Assert.Contains("host " + oldName + " {\n  dynamic;\n  deleted;\n}", Fixture.Main.ReadLeasesFile(), StringComparison.Ordinal);
            }
            finally
            {
                DeleteQuietly(oldName, newName);
            }
        }

        [Fact]
        public void Set_OmapiHost_NewName_from_the_pipeline_with_statements_and_group_does_not_warn()
        {
            const string oldName = "psh-ren2";
            const string newName = "psh-ren2-new";
            try
            {
                CreateHost(oldName, "02:00:00:a1:03:02", FixedC);
                var result = Shell.Invoke(
                    "Get-OmapiHost -Name $args[0] | Set-OmapiHost -NewName $args[1] -Group $args[2] -Statements $args[3] -ClearIPAddress -PassThru -WarningVariable w 3>$null; $w.Count",
                    oldName, newName, DhcpdScenario.GroupName, "option host-name \"" + newName + "\";");
                Assert.Empty(Shell.Errors);
                Assert.Equal(2, result.Count);
                Assert.Equal(newName, Prop<string>(result[0], "Name"));
                Assert.Empty(AddressesOf(result[0]));
                Assert.Equal(0, Convert.ToInt32(result[1].BaseObject, CultureInfo.InvariantCulture));

                string block = LastHostBlock(newName);
                Assert.Contains("hardware ethernet 02:00:00:a1:03:02;", block, StringComparison.Ordinal);
                Assert.Contains("group \"" + DhcpdScenario.GroupName + "\";", block, StringComparison.Ordinal);
                Assert.Contains("supersede host-name = \"" + newName + "\";", block, StringComparison.Ordinal);
                Assert.DoesNotContain("fixed-address", block, StringComparison.Ordinal);
            }
            finally
            {
                DeleteQuietly(oldName, newName);
            }
        }

        [Fact]
        public void Set_OmapiHost_NewName_that_dhcpd_refuses_re_creates_the_old_host_and_reports_it()
        {
            const string oldName = "psh-ren3";
            const string newName = "psh-ren3-new";
            try
            {
                PSObject created = CreateHost(oldName, "02:00:00:a1:03:03", FixedA);
                ErrorRecord error = Shell.ErrorOf("Set-OmapiHost -Name $args[0] -NewName $args[1] -Statements 'option no-such-option 1;' -Group $args[2]", oldName, newName, DhcpdScenario.GroupName);
                AssertError(error, "InvalidStatements,PSOmapi.SetOmapiHostCommand", ErrorCategory.InvalidArgument, oldName);
                Assert.Contains("393224", error.ErrorDetails.Message, StringComparison.Ordinal);
                Assert.Contains("'" + oldName + "' was created again", error.ErrorDetails.Message, StringComparison.Ordinal);

                PSObject restored = Assert.Single(Shell.Invoke("Get-OmapiHost -MacAddress 02:00:00:a1:03:03"));
                Assert.Equal(oldName, Prop<string>(restored, "Name"));
                Assert.Equal(1, Prop<int?>(restored, "HardwareType"));
                Assert.Equal(new[] { FixedA }, AddressesOf(restored));
                Assert.NotEqual(Handle(created), Handle(restored)); // it really was deleted and re-created
                AssertError(Shell.ErrorOf("Get-OmapiHost -Name $args[0]", newName), "HostNotFound,PSOmapi.GetOmapiHostCommand", ErrorCategory.ObjectNotFound, newName);
            }
            finally
            {
                DeleteQuietly(oldName, newName);
            }
        }

        [Fact]
        public void Set_OmapiHost_NewName_that_is_taken_is_HostAlreadyExists_and_deletes_nothing()
        {
            const string name = "psh-ren4";
            try
            {
                PSObject created = CreateHost(name, "02:00:00:a1:03:04");
                ErrorRecord error = Shell.ErrorOf("Set-OmapiHost -Name $args[0] -NewName $args[1] -WarningAction SilentlyContinue", name, DhcpdScenario.FixedAddressHost.Name);
                AssertError(error, "HostAlreadyExists,PSOmapi.SetOmapiHostCommand", ErrorCategory.ResourceExists, name);
                Assert.Contains("left unchanged", error.Exception.Message, StringComparison.Ordinal);
                PSObject still = Assert.Single(Shell.Invoke("Get-OmapiHost -Name $args[0]", name));
                Assert.Equal(Handle(created), Handle(still));
                Assert.Equal(DhcpdScenario.FixedAddressHost.HardwareAddress, Prop<string>(Assert.Single(Shell.Invoke("Get-OmapiHost -Name $args[0]", DhcpdScenario.FixedAddressHost.Name)), "MacAddress"));
            }
            finally
            {
                DeleteQuietly(name);
            }
        }

        // ---- helpers ----

        private PSObject CreateHost(string name, string mac, params IPAddress[] addresses)
        {
            Shell.SetVariable("ips", addresses.Length == 0 ? null : addresses);
            PSObject created = Assert.Single(Shell.Invoke("New-OmapiHost -Name $args[0] -MacAddress $args[1] -IPAddress $ips", name, mac));
            Assert.Empty(Shell.Errors);
            return created;
        }

        private void DeleteQuietly(params string[] names) =>
            Shell.Invoke("Remove-OmapiHost -Name $args -ErrorAction Ignore", names.Cast<object>().ToArray());

        /// <summary>The last declaration dhcpd wrote for the host (each change appends a new one).</summary>
        private string LastHostBlock(string name)
        {
            string leases = Fixture.Main.ReadLeasesFile();
            int start = leases.LastIndexOf("host " + name + " {", StringComparison.Ordinal);
            Assert.True(start >= 0, "dhcpd wrote no host " + name);
            int end = leases.IndexOf("\n}", start, StringComparison.Ordinal);
            return leases.Substring(start, end - start + 2);
        }

        private long SentRequests() => Convert.ToInt64(Shell.Invoke("(Get-OmapiSession -Default).RequestsSent")[0].BaseObject, CultureInfo.InvariantCulture);

        private static void AssertError(ErrorRecord error, string fullyQualifiedErrorId, ErrorCategory category, object target)
        {
            Assert.Equal(fullyQualifiedErrorId, error.FullyQualifiedErrorId);
            Assert.Equal(category, error.CategoryInfo.Category);
            Assert.Equal(target, error.TargetObject is PSObject p ? p.BaseObject : error.TargetObject);
        }
    }
}
