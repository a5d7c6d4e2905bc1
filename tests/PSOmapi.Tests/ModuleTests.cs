using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using Omapi.Core.Tests.Dhcpd;
using Xunit;

namespace PSOmapi.Tests
{
    /// <summary>The module as an artifact: manifest, exports, import, and every script in the repository parses.</summary>
    public class ModuleTests : ModuleTestBase
    {
        public ModuleTests(DhcpdFixture fixture) : base(fixture, requireDhcpd: false) { }

        [Fact]
        public void The_manifest_is_valid_and_exports_exactly_the_cmdlets_the_assembly_defines()
        {
            var manifest = Assert.Single(Shell.Invoke("Test-ModuleManifest -Path $args[0]", ModuleHarness.ManifestPath));
            Assert.Empty(Shell.Errors);
            Assert.Equal(new Version(ModuleHarness.ModuleVersion), Prop<Version>(manifest, "Version"));
            Assert.Equal(new Version(5, 1), Prop<Version>(manifest, "PowerShellVersion"));
            Assert.Equal(new[] { "Core", "Desktop" }, Prop<System.Collections.Generic.IEnumerable<string>>(manifest, "CompatiblePSEditions").OrderBy(e => e));

            string[] exported = Shell.Invoke("(Get-Module PSOmapi).ExportedCmdlets.Keys").Select(o => o.ToString()).OrderBy(n => n).ToArray();
            string[] defined = Shell.Invoke("Get-Command -Module PSOmapi | ForEach-Object Name").Select(o => o.ToString()).OrderBy(n => n).ToArray();
            Assert.NotEmpty(exported);
            Assert.Equal(defined, exported);

            // Every cmdlet class in the module's assembly is exported: nothing defined and forgotten in the manifest.
            string[] classes = Shell.Invoke("[PSOmapi.ConnectOmapiCommand].Assembly.GetTypes() | Where-Object { $_.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false) } | ForEach-Object { $a = $_.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0]; $a.VerbName + '-' + $a.NounName }")
                .Select(o => o.ToString()).OrderBy(n => n).ToArray();
            Assert.Equal(classes, exported);
        }

        [Fact]
        public void The_module_is_loaded_from_the_assembled_folder_and_the_version_is_stamped_into_the_assemblies()
        {
            string location = Shell.Invoke("[PSOmapi.ConnectOmapiCommand].Assembly.Location")[0].ToString();
            Assert.Equal(Path.GetDirectoryName(ModuleHarness.ManifestPath), Path.GetDirectoryName(location));
            string version = Shell.Invoke("[PSOmapi.ConnectOmapiCommand].Assembly.GetName().Version.ToString(3)")[0].ToString();
            Assert.Equal(ModuleHarness.ModuleVersion, version);
            string corePath = Path.Combine(Path.GetDirectoryName(ModuleHarness.ManifestPath)!, "Omapi.Core.dll");
            string coreVersion = System.Reflection.AssemblyName.GetAssemblyName(corePath).Version!.ToString(3);
            Assert.Equal(ModuleHarness.ModuleVersion, coreVersion);
        }

        [Fact]
        public void Import_Module_is_fast_and_the_time_is_reported()
        {
            // Measured, not asserted against a stopwatch budget: the number goes to the test output for the docs.
            using var fresh = new ModuleHarness(import: false);
            var sw = Stopwatch.StartNew();
            fresh.Invoke("Import-Module -Name $args[0] -ErrorAction Stop", ModuleHarness.ManifestPath);
            sw.Stop();
            Assert.Empty(fresh.Errors);
            Assert.Single(fresh.Invoke("Get-Module PSOmapi"));
            // The first import measured here may or may not be the process's first load of the assemblies (that depends on
            // test order); the second, in another new runspace, is what each later runspace (e.g. every
            // ForEach-Object -Parallel runspace) pays. Both are reported, neither is asserted against a budget.
            using var again = new ModuleHarness(import: false);
            var sw2 = Stopwatch.StartNew();
            again.Invoke("Import-Module -Name $args[0] -ErrorAction Stop", ModuleHarness.ManifestPath);
            sw2.Stop();
            TestContext.Current.TestOutputHelper!.WriteLine(string.Format(System.Globalization.CultureInfo.InvariantCulture, "Import-Module PSOmapi in a new runspace: {0:0.0} ms; in another new runspace: {1:0.0} ms", sw.Elapsed.TotalMilliseconds, sw2.Elapsed.TotalMilliseconds));
        }

        [Fact]
        public void Every_ps1_file_in_the_repository_parses_without_errors()
        {
            string[] scripts = Directory.EnumerateFiles(ModuleHarness.RepoRoot, "*.ps1", SearchOption.AllDirectories)
                .Where(p => !p.Contains(Path.DirectorySeparatorChar + "bin" + Path.DirectorySeparatorChar, StringComparison.Ordinal)
                         && !p.Contains(Path.DirectorySeparatorChar + "obj" + Path.DirectorySeparatorChar, StringComparison.Ordinal)
                         && !p.Contains(Path.DirectorySeparatorChar + "output" + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                .ToArray();
            Assert.NotEmpty(scripts); // build.ps1 at least
            foreach (string script in scripts)
            {
                Parser.ParseFile(script, out _, out ParseError[] errors);
                Assert.True(errors.Length == 0, script + ": " + string.Join("; ", errors.Select(e => e.Extent.StartLineNumber + ": " + e.Message)));
            }
        }
    }
}
