using System;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Threading.Tasks;
using Omapi.Core.Tests.Dhcpd;
using Xunit;
using PSOmapi.Testing;

namespace PSOmapi.Tests
{
    /// <summary>Get/New/Remove-OmapiGroup, -OmapiClass and -OmapiSubclass against the main dhcpd instance.</summary>
    public class GroupClassCmdletTests : ModuleTestBase
    {
        // Names unique to this test run (letters and digits only, so they are valid unquoted in dhcpd's leases file too).
        private readonly string _id = Guid.NewGuid().ToString("N")[..8];

        /// <summary>The per-algorithm instance a test restarts (it has no conf groups; other tests only connect to it).</summary>
        private const string RestartAlgorithm = "HMAC-SHA224";

        public GroupClassCmdletTests(DhcpdFixture fixture) : base(fixture)
        {
            ConnectMain();
        }

        private static string SubclassHex => DhcpdScenario.ToColonHex(DhcpdScenario.SubclassHashString);

        // ---- groups ----

        [Fact]
        public void Get_OmapiGroup_returns_the_conf_group()
        {
            PSObject group = Assert.Single(Shell.Invoke("Get-OmapiGroup $args[0]", DhcpdScenario.GroupName));
            Assert.Empty(Shell.Errors);
            Assert.Equal("Omapi.Core.Objects.OmapiGroup", group.TypeNames[0]);
            Assert.Equal(DhcpdScenario.GroupName, Prop<string>(group, "Name"));
            Assert.NotEqual(0u, Handle(group));
            Assert.Equal(Fixture.Main.Host, Prop<string>(group, "Server"));
        }

        [Fact]
        public void Group_names_bind_from_the_pipeline_by_value_and_by_property_name()
        {
            var byValue = Shell.Invoke("$args[0], $args[0] | Get-OmapiGroup", DhcpdScenario.GroupName);
            Assert.Equal(new[] { DhcpdScenario.GroupName, DhcpdScenario.GroupName }, byValue.Select(g => Prop<string>(g, "Name")));
            var byProperty = Shell.Invoke("[pscustomobject]@{ Name = $args[0] } | Get-OmapiGroup", DhcpdScenario.GroupName);
            Assert.Equal(Handle(byValue[0]), Handle(Assert.Single(byProperty)));
            Assert.Empty(Shell.Errors);
        }

        [Fact]
        public void An_unknown_group_is_GroupNotFound_for_that_input_only_and_catchable()
        {
            string missing = "nogroup" + _id;
            var results = Shell.Invoke("Get-OmapiGroup $args[0], $args[1], $args[0]", DhcpdScenario.GroupName, missing);
            Assert.Equal(2, results.Count);
            ErrorRecord error = Assert.Single(Shell.Errors);
            Assert.Equal("GroupNotFound,PSOmapi.GetOmapiGroupCommand", error.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
            Assert.Equal(missing, error.TargetObject);
            Assert.Contains("result 23", error.Exception.Message, StringComparison.Ordinal);

            var caught = Shell.Invoke("try { Get-OmapiGroup $args[0] -ErrorAction Stop } catch { $_.FullyQualifiedErrorId }", missing);
            Assert.Equal("GroupNotFound,PSOmapi.GetOmapiGroupCommand", caught.Single().ToString());
        }

        [Fact]
        public void New_OmapiGroup_creates_a_group_that_dhcpd_records_and_Remove_deletes_it_by_name()
        {
            string name = "psg" + _id;
            string domain = name + ".example";
            try
            {
                PSObject created = Assert.Single(Shell.Invoke("New-OmapiGroup -Name $args[0] -Statements $args[1]", name, "option domain-name \"" + domain + "\";"));
                Assert.Empty(Shell.Errors);
                Assert.Equal("Omapi.Core.Objects.OmapiGroup", created.TypeNames[0]);
                Assert.Equal(name, Prop<string>(created, "Name"));

                PSObject read = Assert.Single(Shell.Invoke("Get-OmapiGroup $args[0]", name));
                Assert.Equal(Handle(created), Handle(read));
                string leases = Fixture.Main.ReadLeasesFile();
                Assert.Contains(name, leases, StringComparison.Ordinal);
                Assert.Contains(domain, leases, StringComparison.Ordinal);

                Assert.Empty(Shell.Invoke("Remove-OmapiGroup -Name $args[0]", name));
                Assert.Empty(Shell.Errors);
                Assert.Equal("GroupNotFound,PSOmapi.GetOmapiGroupCommand", Shell.ErrorOf("Get-OmapiGroup $args[0]", name).FullyQualifiedErrorId);

                // The name of a deleted group can be used again.
                PSObject again = Assert.Single(Shell.Invoke("New-OmapiGroup $args[0] 'default-lease-time 300;'", name));
                Assert.Empty(Shell.Errors);
                Assert.NotEqual(Handle(created), Handle(again));
                Shell.Invoke("Remove-OmapiGroup -Name $args[0]", name);
                Assert.Empty(Shell.Errors);
            }
            finally
            {
                Shell.Invoke("Remove-OmapiGroup $args[0] -ErrorAction SilentlyContinue", name);
            }
        }

        [Fact]
        public void Groups_are_created_from_csv_style_objects_and_removed_through_every_pipeline_binding()
        {
            string[] names = { "psga" + _id, "psgb" + _id, "psgc" + _id };
            try
            {
                Shell.SetVariable("names", names);
                var created = Shell.Invoke("$names | ForEach-Object { [pscustomobject]@{ Name = $_; Statements = 'default-lease-time 300;' } } | New-OmapiGroup");
                Assert.Empty(Shell.Errors);
                Assert.Equal(names, created.Select(g => Prop<string>(g, "Name")));

                // An OmapiGroup binds to -InputObject (deleted by handle), a string to -Name by value, an object's Name by property name.
                Shell.Invoke("$g = Get-OmapiGroup $args[0]", names[0]);
                long before = SentRequests();
                Shell.Invoke("$g | Remove-OmapiGroup");
                Assert.Equal(before + 1, SentRequests()); // the DELETE alone: no lookup by name
                Shell.Invoke("$args[0] | Remove-OmapiGroup", names[1]);
                Shell.Invoke("[pscustomobject]@{ Name = $args[0] } | Remove-OmapiGroup", names[2]);
                Assert.Empty(Shell.Errors);

                Shell.Invoke("Get-OmapiGroup $names");
                Assert.Equal(3, Shell.Errors.Count);
                Assert.All(Shell.Errors, e => Assert.Equal("GroupNotFound,PSOmapi.GetOmapiGroupCommand", e.FullyQualifiedErrorId));
                Assert.Equal(names, Shell.Errors.Select(e => (string)e.TargetObject));
            }
            finally
            {
                Shell.Invoke("Remove-OmapiGroup $names -ErrorAction SilentlyContinue");
            }
        }

        [Fact]
        public void Creating_an_existing_group_is_GroupAlreadyExists()
        {
            ErrorRecord error = Shell.ErrorOf("New-OmapiGroup -Name $args[0] -Statements 'default-lease-time 300;'", DhcpdScenario.GroupName);
            Assert.Equal("GroupAlreadyExists,PSOmapi.NewOmapiGroupCommand", error.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.ResourceExists, error.CategoryInfo.Category);
            Assert.Equal(DhcpdScenario.GroupName, error.TargetObject);
            Assert.Contains("result 18", error.Exception.Message, StringComparison.Ordinal);
            Assert.Single(Shell.Invoke("Get-OmapiGroup $args[0]", DhcpdScenario.GroupName));
        }

        [Fact]
        public void Statements_dhcpd_cannot_parse_are_InvalidStatements_and_create_nothing()
        {
            string name = "psgbad" + _id;
            const string statements = "option no-such-option 1;";
            try
            {
                ErrorRecord error = Shell.ErrorOf("New-OmapiGroup -Name $args[0] -Statements $args[1]", name, statements);
                Assert.Equal("InvalidStatements,PSOmapi.NewOmapiGroupCommand", error.FullyQualifiedErrorId);
                Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
                Assert.Equal(statements, error.TargetObject);
                Assert.Contains("393224", error.Exception.Message, StringComparison.Ordinal);
                Assert.NotNull(error.ErrorDetails?.RecommendedAction);
                Assert.Equal("GroupNotFound,PSOmapi.GetOmapiGroupCommand", Shell.ErrorOf("Get-OmapiGroup $args[0]", name).FullyQualifiedErrorId);

                var caught = Shell.Invoke("try { New-OmapiGroup $args[0] $args[1] -ErrorAction Stop } catch { $_.FullyQualifiedErrorId }", name, statements);
                Assert.Equal("InvalidStatements,PSOmapi.NewOmapiGroupCommand", caught.Single().ToString());
            }
            finally
            {
                Shell.Invoke("Remove-OmapiGroup $args[0] -ErrorAction SilentlyContinue", name);
            }
        }

        [Theory]
        [InlineData("default-lease-time;;")]
        [InlineData("option routers; ;")]
        [InlineData("option domain-name \"a\";\n;")]
        public void An_empty_statement_is_refused_before_it_can_crash_dhcpd(string statements)
        {
            // dhcpd 4.4.3-P1 segfaults on 'default-lease-time;;' (observed with omshell): nothing may be sent.
            string name = "psgcrash" + _id;
            long before = SentRequests();
            ErrorRecord error = Shell.ErrorOf("New-OmapiGroup -Name $args[0] -Statements $args[1]", name, statements);
            Assert.Equal("InvalidStatements,PSOmapi.NewOmapiGroupCommand", error.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
            Assert.Equal(statements, error.TargetObject);
            Assert.Contains("';;'", error.Exception.Message, StringComparison.Ordinal);
            Assert.Equal(before, SentRequests());
            Assert.True(Fixture.Main.IsRunning);

            // Semicolons inside a quoted string are data, not empty statements.
            string quoted = "quoted" + _id;
            try
            {
                Assert.Single(Shell.Invoke("New-OmapiGroup -Name $args[0] -Statements 'option domain-name \"a;;b.example\";'", quoted));
                Assert.Empty(Shell.Errors);
            }
            finally
            {
                Shell.Invoke("Remove-OmapiGroup $args[0] -ErrorAction SilentlyContinue", quoted);
            }
        }

        [Theory]
        [InlineData("my group")]
        [InlineData("a.b")]
        [InlineData("123")]
        [InlineData("_a")]
        public void A_group_name_dhcpd_could_not_read_back_is_refused_before_anything_is_sent(string name)
        {
            long before = SentRequests();
            ErrorRecord error = Shell.ErrorOf("New-OmapiGroup -Name $args[0] -Statements 'default-lease-time 300;'", name);
            Assert.Equal("InvalidArgument,PSOmapi.NewOmapiGroupCommand", error.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
            Assert.Equal(name, error.TargetObject);
            Assert.Contains("leases file", error.Exception.Message, StringComparison.Ordinal);
            Assert.Equal(before, SentRequests());
        }

        [Fact]
        public async Task Dhcpd_loses_a_group_whose_name_it_wrote_unquoted_at_its_next_start()
        {
            // Why New-OmapiGroup refuses such names: created through the escape hatch, a group named with a space is
            // written as "group psg lost ... {" and is gone after a restart, while a plain name survives.
            DhcpdInstance instance = Fixture.ForAlgorithm(RestartAlgorithm);
            Shell.SetVariable("cred", CredentialFor(instance));
            Shell.SetVariable("other", Assert.Single(Shell.Invoke("Connect-Omapi $args[0] -Port $args[1] -Credential $cred -Algorithm $args[2]", instance.Host, instance.Port, instance.Algorithm)));
            string kept = "psgkeep" + _id;
            string lost = "psg lost " + _id;
            try
            {
                Assert.Single(Shell.Invoke("Invoke-OmapiRequest Create group ([ordered]@{ name = $args[0]; statements = 'default-lease-time 300;' }) -Session $other", lost));
                Assert.Single(Shell.Invoke("New-OmapiGroup $args[0] 'default-lease-time 300;' -Session $other", kept));
                Assert.Empty(Shell.Errors);
                Assert.Contains("group " + lost + " {", instance.ReadLeasesFile(), StringComparison.Ordinal);

                await instance.RestartAsync(TestContext.Current.CancellationToken);

                Assert.Single(Shell.Invoke("Get-OmapiGroup $args[0] -Session $other", kept));
                Assert.Empty(Shell.Errors);
                Assert.Equal("ObjectNotFound,PSOmapi.InvokeOmapiRequestCommand", Shell.ErrorOf("Invoke-OmapiRequest Open group @{ name = $args[0] } -Session $other", lost).FullyQualifiedErrorId);
                Assert.Contains("expecting left brace", instance.ReadLog(), StringComparison.Ordinal);
            }
            finally
            {
                Shell.Invoke("Remove-OmapiGroup $args[0] -Session $other -ErrorAction SilentlyContinue; Invoke-OmapiRequest Open group @{ name = $args[1] } -Session $other -ErrorAction SilentlyContinue | Invoke-OmapiRequest Delete -Session $other -ErrorAction SilentlyContinue", kept, lost);
            }
        }

        [Fact]
        public void WhatIf_on_New_and_Remove_OmapiGroup_sends_nothing()
        {
            string name = "psgwhatif" + _id;
            long before = SentRequests();
            Assert.Empty(Shell.Invoke("New-OmapiGroup $args[0] 'default-lease-time 300;' -WhatIf", name));
            Assert.Empty(Shell.Invoke("Remove-OmapiGroup $args[0] -WhatIf", DhcpdScenario.GroupName));
            Assert.Empty(Shell.Errors);
            Assert.Equal(before, SentRequests());

            // From the pipeline: the lookup is done first (a read), the delete is only described.
            Shell.Invoke("$g = Get-OmapiGroup $args[0]", DhcpdScenario.GroupName);
            long afterLookup = SentRequests();
            Shell.Invoke("$g | Remove-OmapiGroup -WhatIf");
            Assert.Equal(afterLookup, SentRequests());

            Assert.Equal("GroupNotFound,PSOmapi.GetOmapiGroupCommand", Shell.ErrorOf("Get-OmapiGroup $args[0]", name).FullyQualifiedErrorId);
            Assert.Single(Shell.Invoke("Get-OmapiGroup $args[0]", DhcpdScenario.GroupName));
        }

        [Fact]
        public void Removing_an_unknown_group_is_GroupNotFound()
        {
            string missing = "nogroup" + _id;
            ErrorRecord error = Shell.ErrorOf("Remove-OmapiGroup $args[0]", missing);
            Assert.Equal("GroupNotFound,PSOmapi.RemoveOmapiGroupCommand", error.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
            Assert.Equal(missing, error.TargetObject);
            var caught = Shell.Invoke("try { Remove-OmapiGroup $args[0] -ErrorAction Stop } catch { $_.FullyQualifiedErrorId }", missing);
            Assert.Equal("GroupNotFound,PSOmapi.RemoveOmapiGroupCommand", caught.Single().ToString());
        }

        [Theory]
        [InlineData("[Omapi.Core.Objects.OmapiGroup]::FromObject($o, 'elsewhere.example')", "Remove-OmapiGroup")]
        [InlineData("[Omapi.Core.Objects.OmapiClass]::FromObject($o, 'c', 'elsewhere.example')", "Remove-OmapiClass")]
        [InlineData("[Omapi.Core.Objects.OmapiSubclass]::FromObject($o, 'c', [byte[]](1, 2), 'elsewhere.example')", "Remove-OmapiSubclass")]
        [InlineData("[Omapi.Core.Objects.OmapiHost]::FromObject($o, 'elsewhere.example')", "Remove-OmapiHost")]
        public void An_object_from_another_server_is_ServerMismatch_and_nothing_is_sent(string fromElsewhere, string remove)
        {
            long before = SentRequests();
            ErrorRecord error = Shell.ErrorOf(
                "$o = [Omapi.Core.Objects.OmapiObject]::new('x', 1, [Omapi.Core.Protocol.OmapiValueList]::new()); " +
                fromElsewhere + " | " + remove + " -Confirm:$false");
            Assert.Equal("ServerMismatch,PSOmapi." + remove.Replace("-", string.Empty, StringComparison.Ordinal) + "Command", error.FullyQualifiedErrorId);
            Assert.Equal("elsewhere.example", PSObject.AsPSObject(error.TargetObject).Properties["Server"].Value);
            Assert.Equal(before, SentRequests());
        }

        // ---- classes ----

        [Fact]
        public void Get_OmapiClass_returns_the_conf_class_by_value_and_property_name()
        {
            PSObject cls = Assert.Single(Shell.Invoke("Get-OmapiClass $args[0]", DhcpdScenario.ClassName));
            Assert.Empty(Shell.Errors);
            Assert.Equal("Omapi.Core.Objects.OmapiClass", cls.TypeNames[0]);
            Assert.Equal(DhcpdScenario.ClassName, Prop<string>(cls, "Name"));
            Assert.NotNull(Prop<int?>(cls, "LeaseLimit"));
            Assert.NotNull(Prop<int?>(cls, "LeasesUsed"));
            Assert.NotEqual(0u, Handle(cls));

            uint handle = Handle(cls);
            Assert.Equal(handle, Handle(Assert.Single(Shell.Invoke("$args[0] | Get-OmapiClass", DhcpdScenario.ClassName))));
            Assert.Equal(handle, Handle(Assert.Single(Shell.Invoke("[pscustomobject]@{ Name = $args[0] } | Get-OmapiClass", DhcpdScenario.ClassName))));
        }

        [Fact]
        public void An_unknown_class_is_ClassNotFound_on_get_and_remove()
        {
            string missing = "noclass" + _id;
            var results = Shell.Invoke("Get-OmapiClass $args[0], $args[1]", DhcpdScenario.ClassName, missing);
            Assert.Single(results);
            ErrorRecord error = Assert.Single(Shell.Errors);
            Assert.Equal("ClassNotFound,PSOmapi.GetOmapiClassCommand", error.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
            Assert.Equal(missing, error.TargetObject);

            ErrorRecord remove = Shell.ErrorOf("Remove-OmapiClass -Name $args[0]", missing);
            Assert.Equal("ClassNotFound,PSOmapi.RemoveOmapiClassCommand", remove.FullyQualifiedErrorId);
            Assert.Equal(missing, remove.TargetObject);
            var caught = Shell.Invoke("try { Get-OmapiClass $args[0] -ErrorAction Stop } catch { $_.FullyQualifiedErrorId }", missing);
            Assert.Equal("ClassNotFound,PSOmapi.GetOmapiClassCommand", caught.Single().ToString());
        }

        [Fact]
        public void New_OmapiClass_with_match_hardware_is_recorded_and_removed_from_the_pipeline()
        {
            string name = "psc" + _id;
            try
            {
                PSObject created = Assert.Single(Shell.Invoke("New-OmapiClass -Name $args[0] -MatchHardware", name));
                Assert.Empty(Shell.Errors);
                Assert.Equal("Omapi.Core.Objects.OmapiClass", created.TypeNames[0]);
                Assert.Equal(name, Prop<string>(created, "Name"));
                Assert.Equal(Handle(created), Handle(Assert.Single(Shell.Invoke("Get-OmapiClass $args[0]", name))));

                // dhcpd does not return the match expression; its leases file shows it.
                string declaration = ClassDeclaration(name);
                TestContext.Current.SendDiagnosticMessage("{0}", declaration);
                Assert.Contains("match hardware", declaration, StringComparison.Ordinal);

                Shell.Invoke("$c = Get-OmapiClass $args[0]", name);
                long before = SentRequests();
                Shell.Invoke("$c | Remove-OmapiClass");
                Assert.Equal(before + 1, SentRequests()); // the DELETE alone: no lookup by name
                Assert.Empty(Shell.Errors);
                Assert.Equal("ClassNotFound,PSOmapi.GetOmapiClassCommand", Shell.ErrorOf("Get-OmapiClass $args[0]", name).FullyQualifiedErrorId);

                // The name of a deleted class can be used again.
                Assert.Single(Shell.Invoke("New-OmapiClass $args[0]", name));
                Assert.Empty(Shell.Errors);
                Shell.Invoke("Remove-OmapiClass -Name $args[0]", name);
                Assert.Empty(Shell.Errors);
            }
            finally
            {
                Shell.Invoke("Remove-OmapiClass $args[0] -ErrorAction SilentlyContinue", name);
            }
        }

        [Fact]
        public void New_OmapiClass_in_a_group_from_csv_style_objects_and_Remove_by_name()
        {
            string plain = "pscp" + _id;
            string grouped = "pscg" + _id;
            try
            {
                Shell.SetVariable("rows", new[]
                {
                    PSObject.AsPSObject(new { Name = plain }),
                    PSObject.AsPSObject(new { Name = grouped, Group = DhcpdScenario.GroupName, MatchHardware = true }),
                });
                var created = Shell.Invoke("$rows | New-OmapiClass");
                Assert.Empty(Shell.Errors);
                Assert.Equal(new[] { plain, grouped }, created.Select(c => Prop<string>(c, "Name")));

                string plainDeclaration = ClassDeclaration(plain);
                string groupedDeclaration = ClassDeclaration(grouped);
                TestContext.Current.SendDiagnosticMessage("{0}\n{1}", plainDeclaration, groupedDeclaration);
                Assert.DoesNotContain("match", plainDeclaration, StringComparison.Ordinal);
                Assert.Contains("match hardware", groupedDeclaration, StringComparison.Ordinal);
                Assert.Contains(DhcpdScenario.GroupName, groupedDeclaration, StringComparison.Ordinal);

                Shell.Invoke("Remove-OmapiClass -Name $args[0]", plain);
                Shell.Invoke("$args[0] | Remove-OmapiClass", grouped);
                Assert.Empty(Shell.Errors);
                Shell.Invoke("Get-OmapiClass $args[0], $args[1]", plain, grouped);
                Assert.Equal(2, Shell.Errors.Count(e => e.FullyQualifiedErrorId == "ClassNotFound,PSOmapi.GetOmapiClassCommand"));
            }
            finally
            {
                Shell.Invoke("Remove-OmapiClass $args[0], $args[1] -ErrorAction SilentlyContinue", plain, grouped);
            }
        }

        [Fact]
        public void A_class_in_an_unknown_group_is_GroupNotFound_and_is_not_created()
        {
            string name = "pscng" + _id;
            string group = "nogroup" + _id;
            try
            {
                ErrorRecord error = Shell.ErrorOf("New-OmapiClass $args[0] -Group $args[1]", name, group);
                Assert.Equal("GroupNotFound,PSOmapi.NewOmapiClassCommand", error.FullyQualifiedErrorId);
                Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
                Assert.Equal(group, error.TargetObject);
                Assert.Contains(group, error.ErrorDetails!.Message, StringComparison.Ordinal);
                Assert.Contains("result 23", error.Exception.Message, StringComparison.Ordinal);
                ErrorRecord get = Shell.ErrorOf("Get-OmapiClass $args[0]", name);
                TestContext.Current.SendDiagnosticMessage("after a failed create: {0}", get.FullyQualifiedErrorId);
                Assert.Equal("ClassNotFound,PSOmapi.GetOmapiClassCommand", get.FullyQualifiedErrorId);
            }
            finally
            {
                Shell.Invoke("Remove-OmapiClass $args[0] -ErrorAction SilentlyContinue", name);
            }
        }

        [Fact]
        public void Creating_an_existing_class_is_ClassAlreadyExists()
        {
            ErrorRecord error = Shell.ErrorOf("New-OmapiClass $args[0] -MatchHardware", DhcpdScenario.ClassName);
            Assert.Equal("ClassAlreadyExists,PSOmapi.NewOmapiClassCommand", error.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.ResourceExists, error.CategoryInfo.Category);
            Assert.Equal(DhcpdScenario.ClassName, error.TargetObject);
            var caught = Shell.Invoke("try { New-OmapiClass $args[0] -ErrorAction Stop } catch { $_.FullyQualifiedErrorId }", DhcpdScenario.ClassName);
            Assert.Equal("ClassAlreadyExists,PSOmapi.NewOmapiClassCommand", caught.Single().ToString());
        }

        [Fact]
        public void A_class_name_or_text_hash_string_with_a_double_quote_is_refused_before_anything_is_sent()
        {
            // dhcpd writes both between double quotes without escaping, and cannot read the record back at its next start.
            long before = SentRequests();
            ErrorRecord cls = Shell.ErrorOf("New-OmapiClass -Name 'q\"c' -MatchHardware");
            Assert.Equal("InvalidArgument,PSOmapi.NewOmapiClassCommand", cls.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.InvalidArgument, cls.CategoryInfo.Category);
            Assert.Equal("q\"c", cls.TargetObject);
            ErrorRecord sub = Shell.ErrorOf("New-OmapiSubclass -ClassName $args[0] -HashString 'a \"b'", DhcpdScenario.ClassName);
            Assert.Equal("InvalidArgument,PSOmapi.NewOmapiSubclassCommand", sub.FullyQualifiedErrorId);
            Assert.Equal("a \"b", sub.TargetObject);
            Assert.Contains("leases file", sub.Exception.Message, StringComparison.Ordinal);
            Assert.Equal(before, SentRequests());
        }

        [Fact]
        public void WhatIf_on_New_and_Remove_OmapiClass_sends_nothing()
        {
            string name = "pscwhatif" + _id;
            long before = SentRequests();
            Assert.Empty(Shell.Invoke("New-OmapiClass $args[0] -MatchHardware -Group $args[1] -WhatIf", name, DhcpdScenario.GroupName));
            Assert.Empty(Shell.Invoke("Remove-OmapiClass $args[0] -WhatIf", DhcpdScenario.ClassName));
            Assert.Empty(Shell.Errors);
            Assert.Equal(before, SentRequests());

            Shell.Invoke("$c = Get-OmapiClass $args[0]", DhcpdScenario.ClassName);
            long afterLookup = SentRequests();
            Shell.Invoke("$c | Remove-OmapiClass -WhatIf");
            Assert.Equal(afterLookup, SentRequests());

            Assert.Equal("ClassNotFound,PSOmapi.GetOmapiClassCommand", Shell.ErrorOf("Get-OmapiClass $args[0]", name).FullyQualifiedErrorId);
            Assert.Single(Shell.Invoke("Get-OmapiClass $args[0]", DhcpdScenario.ClassName));
        }

        // ---- subclasses ----

        [Theory]
        [InlineData("01:00:11:22:33:44:77")]
        [InlineData("01-00-11-22-33-44-77")]
        [InlineData("01001122334477")]
        public void Get_OmapiSubclass_accepts_every_hex_form(string hashString)
        {
            PSObject sub = Assert.Single(Shell.Invoke("Get-OmapiSubclass -ClassName $args[0] -HashString $args[1]", DhcpdScenario.ClassName, hashString));
            Assert.Empty(Shell.Errors);
            Assert.Equal("Omapi.Core.Objects.OmapiSubclass", sub.TypeNames[0]);
            Assert.Equal(DhcpdScenario.ClassName, Prop<string>(sub, "ClassName"));
            Assert.Equal(SubclassHex, Prop<string>(sub, "HashString"));
            Assert.NotEqual(0u, Handle(sub));
            Assert.NotNull(Prop<int?>(sub, "LeaseLimit"));
        }

        [Fact]
        public void Get_OmapiSubclass_binds_class_and_hash_string_by_property_name()
        {
            var results = Shell.Invoke("[pscustomobject]@{ ClassName = $args[0]; HashString = $args[1] } | Get-OmapiSubclass", DhcpdScenario.ClassName, SubclassHex);
            Assert.Equal(SubclassHex, Prop<string>(Assert.Single(results), "HashString"));
            Assert.Empty(Shell.Errors);
        }

        [Fact]
        public void An_unknown_subclass_is_SubclassNotFound_with_the_hash_string_as_target()
        {
            const string missing = "01:02:00:00:00:00:99";
            ErrorRecord error = Shell.ErrorOf("Get-OmapiSubclass $args[0] $args[1]", DhcpdScenario.ClassName, missing);
            Assert.Equal("SubclassNotFound,PSOmapi.GetOmapiSubclassCommand", error.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
            Assert.Equal(missing, error.TargetObject);

            // dhcpd answers NOTFOUND for an unknown class too.
            ErrorRecord noClass = Shell.ErrorOf("Get-OmapiSubclass $args[0] $args[1]", "noclass" + _id, SubclassHex);
            TestContext.Current.SendDiagnosticMessage("subclass of an unknown class: {0}", noClass.Exception.Message);
            Assert.Equal("SubclassNotFound,PSOmapi.GetOmapiSubclassCommand", noClass.FullyQualifiedErrorId);

            ErrorRecord remove = Shell.ErrorOf("Remove-OmapiSubclass $args[0] $args[1]", DhcpdScenario.ClassName, missing);
            Assert.Equal("SubclassNotFound,PSOmapi.RemoveOmapiSubclassCommand", remove.FullyQualifiedErrorId);
            Assert.Equal(missing, remove.TargetObject);

            var caught = Shell.Invoke("try { Get-OmapiSubclass $args[0] $args[1] -ErrorAction Stop } catch { $_.FullyQualifiedErrorId }", DhcpdScenario.ClassName, missing);
            Assert.Equal("SubclassNotFound,PSOmapi.GetOmapiSubclassCommand", caught.Single().ToString());
        }

        [Fact]
        public void Subclasses_are_created_read_and_removed_by_key_and_from_the_pipeline()
        {
            string cls = "pscs" + _id;
            const string hardware = "01:02:00:00:00:00:09";
            const string text = "MSFT 5.0";
            string textHex = DhcpdScenario.ToColonHex(System.Text.Encoding.ASCII.GetBytes(text));
            try
            {
                Assert.Single(Shell.Invoke("New-OmapiClass $args[0] -MatchHardware", cls));
                PSObject created = Assert.Single(Shell.Invoke("New-OmapiSubclass -ClassName $args[0] -HashString $args[1]", cls, hardware.Replace(':', '-')));
                Assert.Empty(Shell.Errors);
                Assert.Equal("Omapi.Core.Objects.OmapiSubclass", created.TypeNames[0]);
                Assert.Equal(cls, Prop<string>(created, "ClassName"));
                Assert.Equal(hardware, Prop<string>(created, "HashString"));
                Assert.Equal(Handle(created), Handle(Assert.Single(Shell.Invoke("Get-OmapiSubclass $args[0] $args[1]", cls, hardware))));
                Assert.Contains("subclass \"" + cls + "\" " + hardware, Fixture.Main.ReadLeasesFile(), StringComparison.Ordinal);

                // Text that is not hex is the hash string's bytes; CSV-style objects bind by property name.
                PSObject fromText = Assert.Single(Shell.Invoke("[pscustomobject]@{ ClassName = $args[0]; HashString = $args[1] } | New-OmapiSubclass", cls, text));
                Assert.Equal(textHex, Prop<string>(fromText, "HashString"));

                // Remove by key, then from the pipeline (by handle).
                Shell.Invoke("Remove-OmapiSubclass -ClassName $args[0] -HashString $args[1]", cls, hardware);
                Shell.Invoke("$s = Get-OmapiSubclass $args[0] $args[1]", cls, text);
                long before = SentRequests();
                Shell.Invoke("$s | Remove-OmapiSubclass");
                Assert.Equal(before + 1, SentRequests()); // the DELETE alone: no lookup by key
                Assert.Empty(Shell.Errors);
                Shell.Invoke("Get-OmapiSubclass $args[0] $args[1]; Get-OmapiSubclass $args[0] $args[2]", cls, hardware, text);
                Assert.Equal(2, Shell.Errors.Count(e => e.FullyQualifiedErrorId == "SubclassNotFound,PSOmapi.GetOmapiSubclassCommand"));
            }
            finally
            {
                Shell.Invoke("Remove-OmapiSubclass $args[0] $args[1] -ErrorAction SilentlyContinue; Remove-OmapiSubclass $args[0] $args[2] -ErrorAction SilentlyContinue; Remove-OmapiClass $args[0] -ErrorAction SilentlyContinue", cls, hardware, text);
            }
        }

        [Fact]
        public void A_subclass_of_an_unknown_class_is_ClassNotFound_with_an_explanation()
        {
            string missing = "noclass" + _id;
            ErrorRecord error = Shell.ErrorOf("New-OmapiSubclass $args[0] 01:02:00:00:00:00:10", missing);
            Assert.Equal("ClassNotFound,PSOmapi.NewOmapiSubclassCommand", error.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
            Assert.Equal(missing, error.TargetObject);
            Assert.Contains("no class '" + missing + "'", error.ErrorDetails!.Message, StringComparison.Ordinal);
            Assert.Contains("result 23", error.Exception.Message, StringComparison.Ordinal);
            var caught = Shell.Invoke("try { New-OmapiSubclass $args[0] 01:02:00:00:00:00:10 -ErrorAction Stop } catch { $_.FullyQualifiedErrorId }", missing);
            Assert.Equal("ClassNotFound,PSOmapi.NewOmapiSubclassCommand", caught.Single().ToString());
        }

        [Fact]
        public void Creating_an_existing_subclass_is_SubclassAlreadyExists()
        {
            ErrorRecord error = Shell.ErrorOf("New-OmapiSubclass $args[0] $args[1]", DhcpdScenario.ClassName, SubclassHex);
            Assert.Equal("SubclassAlreadyExists,PSOmapi.NewOmapiSubclassCommand", error.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.ResourceExists, error.CategoryInfo.Category);
            Assert.Equal(SubclassHex, error.TargetObject);
            Assert.Single(Shell.Invoke("Get-OmapiSubclass $args[0] $args[1]", DhcpdScenario.ClassName, SubclassHex));
        }

        [Fact]
        public void WhatIf_on_New_and_Remove_OmapiSubclass_sends_nothing_and_shows_the_key_as_hex()
        {
            long before = SentRequests();
            Shell.Invoke("New-OmapiSubclass $args[0] 01020000000011 -WhatIf", DhcpdScenario.ClassName);
            Shell.Invoke("Remove-OmapiSubclass $args[0] $args[1] -WhatIf", DhcpdScenario.ClassName, SubclassHex);
            Assert.Empty(Shell.Errors);
            Assert.Equal(before, SentRequests());

            string shown = Shell.Render("New-OmapiSubclass $args[0] 01020000000011 -WhatIf", DhcpdScenario.ClassName);
            Assert.Contains("subclass 01:02:00:00:00:00:11 of class '" + DhcpdScenario.ClassName + "'", shown, StringComparison.Ordinal);

            Shell.Invoke("$s = Get-OmapiSubclass $args[0] $args[1]", DhcpdScenario.ClassName, SubclassHex);
            long afterLookup = SentRequests();
            Shell.Invoke("$s | Remove-OmapiSubclass -WhatIf");
            Assert.Equal(afterLookup, SentRequests());

            Assert.Equal("SubclassNotFound,PSOmapi.GetOmapiSubclassCommand", Shell.ErrorOf("Get-OmapiSubclass $args[0] 01020000000011", DhcpdScenario.ClassName).FullyQualifiedErrorId);
            Assert.Single(Shell.Invoke("Get-OmapiSubclass $args[0] $args[1]", DhcpdScenario.ClassName, SubclassHex));
        }

        /// <summary>The last declaration of a class in the main instance's leases file.</summary>
        private string ClassDeclaration(string name)
        {
            string leases = Fixture.Main.ReadLeasesFile();
            int start = leases.LastIndexOf("class \"" + name + "\"", StringComparison.Ordinal);
            Assert.True(start >= 0, "class " + name + " is not in the leases file:\n" + leases);
            int end = leases.IndexOf('}', start);
            return leases[start..(end + 1)];
        }

        private long SentRequests() => Convert.ToInt64(Shell.Invoke("(Get-OmapiSession -Default).RequestsSent")[0].BaseObject, CultureInfo.InvariantCulture);
    }
}
