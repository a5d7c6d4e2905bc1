using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using PSOmapi.HelpCompiler;
using Xunit;

namespace PSOmapi.Tests
{
    /// <summary>
    /// Help that stays true: for every cmdlet the module exports (enumerated from the module, so a cmdlet added without
    /// help fails here), Get-Help through the real engine has a synopsis, a description, a described parameter for
    /// every real parameter and nothing else, and examples whose code parses and calls PSOmapi cmdlets with parameters
    /// they have; the markdown's parameter metadata matches the cmdlet's; the compiled MAML is in step with the
    /// markdown; the about_ topics load. No dhcpd is needed.
    /// </summary>
    public sealed class HelpTests : IDisposable
    {
        private const string ExampleCheckScript = """
            param([string] $Code, [string[]] $Commands)
            $tokens = $null
            $errors = $null
            $ast = [System.Management.Automation.Language.Parser]::ParseInput($Code, [ref] $tokens, [ref] $errors)
            foreach ($e in $errors) { 'does not parse: ' + $e.Message + ' (line ' + $e.Extent.StartLineNumber + ')' }
            if ($errors.Count -gt 0) { return }
            foreach ($call in $ast.FindAll({ param($n) $n -is [System.Management.Automation.Language.CommandAst] }, $true)) {
                $name = $call.GetCommandName()
                if ($name -like '*-Omapi*' -and $Commands -notcontains $name) { 'calls ' + $name + ', which the module does not export'; continue }
                if ($Commands -notcontains $name) { continue }
                $binding = [System.Management.Automation.Language.StaticParameterBinder]::BindCommand($call, $true)
                foreach ($key in $binding.BindingExceptions.Keys) {
                    $name + ' ' + $key + ': ' + $binding.BindingExceptions[$key].BindingException.Message
                }
            }
            """;

        private const string HelpScript = """
            param([string] $Name)
            $h = Get-Help -Name $Name -Full
            [pscustomobject]@{
                Category = [string] $h.Category
                Synopsis = [string] $h.Synopsis
                Description = (@($h.description) | ForEach-Object { $_.Text }) -join ' '
                Parameters = @(@($h.parameters.parameter) | Where-Object { $_ } | ForEach-Object {
                    [pscustomobject]@{ Name = [string] $_.name; Description = (@($_.description) | ForEach-Object { $_.Text }) -join ' ' }
                })
                Examples = @(@($h.examples.example) | Where-Object { $_ } | ForEach-Object {
                    [pscustomobject]@{ Title = [string] $_.title; Code = [string] $_.code; Remarks = (@($_.remarks) | ForEach-Object { $_.Text }) -join ' ' }
                })
                Outputs = @(@($h.returnValues.returnValue) | Where-Object { $_ }).Count
            }
            """;

        private readonly ModuleHarness _shell = new ModuleHarness();

        private static string HelpFolder => Path.Combine(ModuleHarness.RepoRoot, "docs", "help");

        private static string CommittedMaml => Path.Combine(ModuleHarness.RepoRoot, "en-US", "PSOmapi.dll-Help.xml");

        private static string ModuleFolder => Path.GetDirectoryName(ModuleHarness.ManifestPath)!;

        public void Dispose() => _shell.Dispose();

        [Fact]
        public void Every_exported_cmdlet_has_a_synopsis_a_description_outputs_and_at_least_two_explained_examples()
        {
            var problems = new List<string>();
            foreach (string name in ExportedCmdlets())
            {
                PSObject help = Help(name);
                string synopsis = Prop<string>(help, "Synopsis").Trim();
                if (Prop<string>(help, "Category") != "Cmdlet" || synopsis.Length == 0 || synopsis.StartsWith(name + " ", StringComparison.Ordinal) || synopsis.Contains("[<CommonParameters>]", StringComparison.Ordinal))
                {
                    // Without MAML, Get-Help makes the synopsis from the syntax.
                    problems.Add(name + ": no help of its own (synopsis: '" + synopsis + "'); add docs/help/" + name + ".md and compile the MAML");
                    continue;
                }

                if (Prop<string>(help, "Description").Trim().Length == 0)
                {
                    problems.Add(name + ": no description");
                }

                if (Convert.ToInt32(help.Properties["Outputs"].Value, CultureInfo.InvariantCulture) == 0)
                {
                    problems.Add(name + ": no OUTPUTS");
                }

                PSObject[] examples = Items(help, "Examples");
                if (examples.Length < 2)
                {
                    problems.Add(name + ": " + examples.Length + " example(s); at least two are needed");
                }

                foreach (PSObject example in examples)
                {
                    string title = Prop<string>(example, "Title").Trim('-', ' ');
                    if (Prop<string>(example, "Code").Trim().Length == 0)
                    {
                        problems.Add(name + ": '" + title + "' has no code");
                    }

                    if (Prop<string>(example, "Remarks").Trim().Length == 0)
                    {
                        problems.Add(name + ": '" + title + "' does not say what it does (no remarks)");
                    }
                }
            }

            Assert.True(problems.Count == 0, "Help is incomplete:\n  " + string.Join("\n  ", problems));
        }

        [Fact]
        public void The_documented_parameters_are_exactly_the_real_parameters_and_each_is_described()
        {
            var problems = new List<string>();
            foreach (string name in ExportedCmdlets())
            {
                HashSet<string> real = RealParameters(Command(name)).Select(p => p.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
                PSObject[] documented = Items(Help(name), "Parameters");
                var documentedNames = documented.Select(p => Prop<string>(p, "Name")).ToHashSet(StringComparer.OrdinalIgnoreCase);
                foreach (string missing in real.Where(p => !documentedNames.Contains(p)).OrderBy(p => p, StringComparer.Ordinal))
                {
                    problems.Add(name + ": -" + missing + " is not documented");
                }

                foreach (string stale in documentedNames.Where(p => !real.Contains(p)).OrderBy(p => p, StringComparer.Ordinal))
                {
                    problems.Add(name + ": -" + stale + " is documented but the cmdlet has no such parameter");
                }

                foreach (PSObject parameter in documented.Where(p => Prop<string>(p, "Description").Trim().Length == 0))
                {
                    problems.Add(name + ": -" + Prop<string>(parameter, "Name") + " has no description");
                }
            }

            Assert.True(problems.Count == 0, "Documented parameters differ from the real ones:\n  " + string.Join("\n  ", problems));
        }

        [Fact]
        public void The_markdown_metadata_of_every_parameter_matches_the_cmdlet()
        {
            var problems = new List<string>();
            foreach (string name in ExportedCmdlets())
            {
                string path = Path.Combine(HelpFolder, name + ".md");
                if (!File.Exists(path))
                {
                    problems.Add(name + ": docs/help/" + name + ".md does not exist");
                    continue;
                }

                CommandHelp doc;
                try
                {
                    doc = MarkdownHelpReader.ReadFile(path);
                }
                catch (HelpSchemaException ex)
                {
                    problems.Add(ex.Message);
                    continue;
                }

                CmdletInfo cmdlet = Command(name);
                problems.AddRange(CompareParameterSets(name, cmdlet, doc));
                foreach (ParameterMetadata parameter in RealParameters(cmdlet))
                {
                    ParameterHelp? documented = doc.Parameters.FirstOrDefault(p => string.Equals(p.Name, parameter.Name, StringComparison.OrdinalIgnoreCase));
                    if (documented != null)
                    {
                        problems.AddRange(CompareParameter(name, parameter, documented));
                    }
                }
            }

            Assert.True(problems.Count == 0, "The yaml metadata in docs/help differs from the cmdlets:\n  " + string.Join("\n  ", problems));
        }

        [Fact]
        public void Every_example_parses_and_calls_PSOmapi_cmdlets_with_parameters_they_have()
        {
            string[] cmdlets = ExportedCmdlets();
            var problems = new List<string>();
            int checkedExamples = 0;
            foreach (string name in cmdlets)
            {
                foreach (PSObject example in Items(Help(name), "Examples"))
                {
                    checkedExamples++;
                    string title = Prop<string>(example, "Title").Trim('-', ' ');
                    foreach (PSObject problem in _shell.Invoke(ExampleCheckScript, Prop<string>(example, "Code"), cmdlets))
                    {
                        problems.Add(name + ", " + title + ": " + problem);
                    }

                    Assert.Empty(_shell.Errors);
                }
            }

            Assert.True(checkedExamples >= 2 * cmdlets.Length, "only " + checkedExamples + " examples for " + cmdlets.Length + " cmdlets");
            Assert.True(problems.Count == 0, "Examples that would not run as written:\n  " + string.Join("\n  ", problems));
        }

        [Fact]
        public void The_committed_MAML_is_in_step_with_the_markdown_and_is_the_one_the_module_ships()
        {
            IReadOnlyList<CommandHelp> commands = PSOmapi.HelpCompiler.Program.Compile(HelpFolder);
            XDocument compiled = MamlWriter.ToDocument(commands);
            string? difference = MamlCanonicalizer.Difference(compiled, XDocument.Load(CommittedMaml));
            Assert.True(
                difference == null,
                "en-US/PSOmapi.dll-Help.xml is not in step with docs/help. Compile it (./build.ps1 -Task Docs, or "
                + "dotnet run --project tools/HelpCompiler -c Release -- build docs/help en-US/PSOmapi.dll-Help.xml).\n" + difference);

            string shipped = Path.Combine(ModuleFolder, "en-US", "PSOmapi.dll-Help.xml");
            Assert.True(File.Exists(shipped), shipped + " is missing: the build copies en-US/*.xml into the module folder.");
            Assert.Equal(File.ReadAllText(CommittedMaml), File.ReadAllText(shipped));

            // Help for a cmdlet that no longer exists is stale.
            string[] stale = commands.Select(c => c.Name).Except(ExportedCmdlets(), StringComparer.OrdinalIgnoreCase).ToArray();
            Assert.True(stale.Length == 0, "docs/help documents cmdlets the module does not export: " + string.Join(", ", stale));
        }

        [Fact]
        public void The_about_topics_load_through_Get_Help()
        {
            string[] topics = Directory.EnumerateFiles(Path.Combine(ModuleFolder, "en-US"), "about_*.help.txt")
                .Select(p => Path.GetFileName(p)[..^".help.txt".Length])
                .OrderBy(t => t, StringComparer.Ordinal)
                .ToArray();
            Assert.Contains("about_PSOmapi", topics);
            Assert.Contains("about_PSOmapi_Errors", topics);
            foreach (string topic in topics)
            {
                string text = string.Join("\n", _shell.Invoke("Get-Help -Name $args[0]", topic).Select(o => o.ToString()));
                Assert.Empty(_shell.Errors);
                Assert.Contains(topic, text, StringComparison.OrdinalIgnoreCase);
                Assert.Contains("SHORT DESCRIPTION", text, StringComparison.Ordinal);
                Assert.True(text.Length > 500, topic + " is almost empty");
            }
        }

        [Fact]
        public void about_PSOmapi_Errors_explains_every_ErrorId_and_the_cmdlet_help_links_the_topics()
        {
            string[] ids = _shell.Invoke("[PSOmapi.ErrorIds].GetFields() | ForEach-Object { $_.GetValue($null) }").Select(o => o.ToString()).ToArray();
            Assert.NotEmpty(ids);
            string text = string.Join("\n", _shell.Invoke("Get-Help -Name about_PSOmapi_Errors").Select(o => o.ToString()));
            string[] missing = ids.Where(id => !Regex.IsMatch(text, @"(?m)^\s+" + Regex.Escape(id) + @"\b")).ToArray();
            Assert.True(missing.Length == 0, "about_PSOmapi_Errors has no entry (a line starting with the ErrorId) for: " + string.Join(", ", missing));
        }

        private static IEnumerable<string> CompareParameterSets(string name, CmdletInfo cmdlet, CommandHelp doc)
        {
            var realSets = cmdlet.ParameterSets.Select(s => s.Name).OrderBy(s => s, StringComparer.OrdinalIgnoreCase).ToArray();
            var docSets = doc.Syntax.Select(s => s.Name).OrderBy(s => s, StringComparer.OrdinalIgnoreCase).ToArray();
            if (!realSets.SequenceEqual(docSets, StringComparer.OrdinalIgnoreCase))
            {
                yield return name + ": ## SYNTAX has parameter sets [" + string.Join(", ", docSets) + "], the cmdlet [" + string.Join(", ", realSets) + "]";
                yield break;
            }

            if (realSets.Length > 1)
            {
                string? docDefault = doc.Syntax.FirstOrDefault(s => s.IsDefault)?.Name;
                if (!string.Equals(docDefault, cmdlet.DefaultParameterSet, StringComparison.OrdinalIgnoreCase))
                {
                    yield return name + ": ## SYNTAX marks '" + docDefault + "' as (Default), the cmdlet's default set is '" + cmdlet.DefaultParameterSet + "'";
                }
            }
        }

        private static IEnumerable<string> CompareParameter(string name, ParameterMetadata parameter, ParameterHelp documented)
        {
            string where = name + " -" + parameter.Name;
            string type = TypeName(parameter.ParameterType);
            foreach (ParameterMetadataHelp block in documented.Metadata)
            {
                if (!string.Equals(block.Type, type, StringComparison.OrdinalIgnoreCase) && !(block.IsSwitch && parameter.SwitchParameter))
                {
                    yield return where + ": Type is " + block.Type + ", the parameter's is " + type;
                }

                var aliases = parameter.Aliases.OrderBy(a => a, StringComparer.OrdinalIgnoreCase).ToArray();
                if (!block.Aliases.OrderBy(a => a, StringComparer.OrdinalIgnoreCase).SequenceEqual(aliases, StringComparer.OrdinalIgnoreCase))
                {
                    yield return where + ": Aliases are [" + string.Join(", ", block.Aliases) + "], the parameter's [" + string.Join(", ", aliases) + "]";
                }

                bool wildcards = parameter.Attributes.OfType<SupportsWildcardsAttribute>().Any();
                if (block.Globbing != wildcards)
                {
                    yield return where + ": Accept wildcard characters is " + block.Globbing + ", the parameter's is " + wildcards;
                }

                string[] accepted = AcceptedValues(parameter);
                if (!block.AcceptedValues.OrderBy(v => v, StringComparer.OrdinalIgnoreCase).SequenceEqual(accepted.OrderBy(v => v, StringComparer.OrdinalIgnoreCase), StringComparer.OrdinalIgnoreCase))
                {
                    yield return where + ": Accepted values are [" + string.Join(", ", block.AcceptedValues) + "], the parameter takes [" + string.Join(", ", accepted) + "]";
                }
            }

            // Every parameter set the parameter is in needs a yaml block with that set's metadata, and no block may name
            // a set the parameter is not in.
            var realSets = parameter.ParameterSets;
            foreach (ParameterMetadataHelp block in documented.Metadata)
            {
                foreach (string set in block.ParameterSets)
                {
                    bool known = set == MarkdownHelpReader.AllSetsMarker
                        ? realSets.ContainsKey(ParameterAttribute.AllParameterSets)
                        : realSets.ContainsKey(set);
                    if (!known)
                    {
                        yield return where + ": a yaml block names parameter set '" + set + "', which the parameter is not in";
                    }
                }
            }

            foreach (KeyValuePair<string, ParameterSetMetadata> set in realSets)
            {
                string docName = set.Key == ParameterAttribute.AllParameterSets ? MarkdownHelpReader.AllSetsMarker : set.Key;
                ParameterMetadataHelp? block = documented.Metadata.FirstOrDefault(b => b.ParameterSets.Contains(docName, StringComparer.OrdinalIgnoreCase));
                if (block == null)
                {
                    yield return where + ": no yaml block for parameter set '" + docName + "'";
                    continue;
                }

                ParameterSetMetadata m = set.Value;
                string position = m.Position == int.MinValue ? "Named" : m.Position.ToString(CultureInfo.InvariantCulture);
                string pipeline = m.ValueFromPipeline && m.ValueFromPipelineByPropertyName ? "True (ByPropertyName, ByValue)"
                    : m.ValueFromPipeline ? "True (ByValue)"
                    : m.ValueFromPipelineByPropertyName ? "True (ByPropertyName)"
                    : "False";
                if (block.Required != m.IsMandatory)
                {
                    yield return where + " (" + docName + "): Required is " + block.Required + ", the parameter's is " + m.IsMandatory;
                }

                if (!string.Equals(block.Position, position, StringComparison.OrdinalIgnoreCase))
                {
                    yield return where + " (" + docName + "): Position is " + block.Position + ", the parameter's is " + position;
                }

                if (!string.Equals(block.PipelineInput, pipeline, StringComparison.OrdinalIgnoreCase))
                {
                    yield return where + " (" + docName + "): Accept pipeline input is '" + block.PipelineInput + "', the parameter's is '" + pipeline + "'";
                }
            }
        }

        /// <summary>The type as PlatyPS names it: the short name, without Nullable.</summary>
        private static string TypeName(Type type) => (Nullable.GetUnderlyingType(type) ?? type).Name;

        private static string[] AcceptedValues(ParameterMetadata parameter)
        {
            ValidateSetAttribute? set = parameter.Attributes.OfType<ValidateSetAttribute>().FirstOrDefault();
            if (set != null)
            {
                return set.ValidValues.ToArray();
            }

            Type type = Nullable.GetUnderlyingType(parameter.ParameterType) ?? parameter.ParameterType;
            type = type.IsArray ? type.GetElementType()! : type;
            type = Nullable.GetUnderlyingType(type) ?? type;
            return type.IsEnum ? Enum.GetNames(type) : Array.Empty<string>();
        }

        /// <summary>The parameters a user sees: not the common parameters, not those marked DontShow.</summary>
        private static IEnumerable<ParameterMetadata> RealParameters(CmdletInfo cmdlet) =>
            cmdlet.Parameters.Values.Where(p =>
                !Cmdlet.CommonParameters.Contains(p.Name)
                && !p.Attributes.OfType<ParameterAttribute>().Any(a => a.DontShow));

        private string[] ExportedCmdlets()
        {
            string[] names = _shell.Invoke("(Get-Module PSOmapi).ExportedCmdlets.Keys").Select(o => o.ToString()).OrderBy(n => n, StringComparer.Ordinal).ToArray();
            Assert.NotEmpty(names);
            return names;
        }

        private CmdletInfo Command(string name) => (CmdletInfo)Assert.Single(_shell.Invoke("Get-Command -Name $args[0] -Module PSOmapi", name)).BaseObject;

        private PSObject Help(string name)
        {
            PSObject help = Assert.Single(_shell.Invoke(HelpScript, name));
            Assert.Empty(_shell.Errors);
            return help;
        }

        private static PSObject[] Items(PSObject o, string name) =>
            o.Properties[name].Value is object[] items ? items.Cast<PSObject>().ToArray() : Array.Empty<PSObject>();

        private static T Prop<T>(PSObject o, string name) => (T)o.Properties[name].Value;
    }
}
