using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Text.RegularExpressions;

namespace PSOmapi.Tests
{
    /// <summary>
    /// A runspace of the real PowerShell engine (System.Management.Automation 7.6.9) that imports the ASSEMBLED module
    /// folder by its manifest, as a user would after installing it.
    /// </summary>
    public sealed class ModuleHarness : IDisposable
    {
        private readonly TestHost _host = new TestHost();

        public ModuleHarness(bool import = true)
        {
            Runspace = RunspaceFactory.CreateRunspace(_host, InitialSessionState.CreateDefault2());
            Runspace.Open();
            if (import)
            {
                Invoke("Import-Module -Name $args[0] -ErrorAction Stop", ManifestPath);
            }
        }

        public static string RepoRoot { get; } = FindRepoRoot();

        public static string ModuleVersion { get; } = Regex.Match(File.ReadAllText(Path.Combine(RepoRoot, "PSOmapi.psd1")), "ModuleVersion\\s*=\\s*'([0-9.]+)'").Groups[1].Value;

        /// <summary>output/PSOmapi/&lt;version&gt;/PSOmapi.psd1 — built by `dotnet build` of src/PSOmapi.</summary>
        public static string ManifestPath { get; } = Path.Combine(RepoRoot, "output", "PSOmapi", ModuleVersion, "PSOmapi.psd1");

        public Runspace Runspace { get; }

        /// <summary>The errors of the last <see cref="Invoke"/>.</summary>
        public IReadOnlyList<ErrorRecord> Errors { get; private set; } = Array.Empty<ErrorRecord>();

        /// <summary>The progress records of the last <see cref="Invoke"/>.</summary>
        public IReadOnlyList<ProgressRecord> Progress { get; private set; } = Array.Empty<ProgressRecord>();

        /// <summary>The warnings of the last <see cref="Invoke"/>.</summary>
        public IReadOnlyList<string> Warnings { get; private set; } = Array.Empty<string>();

        /// <summary>The verbose messages of the last <see cref="Invoke"/>.</summary>
        public IReadOnlyList<string> Verbose { get; private set; } = Array.Empty<string>();

        public void SetVariable(string name, object? value) => Runspace.SessionStateProxy.SetVariable(name, value);

        /// <summary>Runs a script; non-terminating errors are collected in <see cref="Errors"/>; terminating ones throw.</summary>
        public Collection<PSObject> Invoke(string script, params object[] args)
        {
            using PowerShell ps = PowerShell.Create();
            ps.Runspace = Runspace;
            ps.AddScript(script);
            foreach (object a in args)
            {
                ps.AddArgument(a);
            }

            Collection<PSObject> result;
            try
            {
                result = ps.Invoke();
            }
            finally
            {
                Warnings = ps.Streams.Warning.Select(w => w.Message).ToList();
            }

            Errors = ps.Streams.Error.ToList();
            Verbose = ps.Streams.Verbose.Select(v => v.Message).ToList();
            Progress = ps.Streams.Progress.ToList();
            return result;
        }

        /// <summary>
        /// Runs a script that must fail and returns its one error: a terminating error (thrown) or the single
        /// non-terminating / statement-terminating error it wrote.
        /// </summary>
        public ErrorRecord ErrorOf(string script, params object[] args)
        {
            try
            {
                Invoke(script, args);
            }
            catch (RuntimeException ex)
            {
                return ex.ErrorRecord;
            }

            if (Errors.Count != 1)
            {
                throw new InvalidOperationException("Expected exactly one error from: " + script + "; got " + Errors.Count + ": " + string.Join(" | ", Errors.Select(e => e.FullyQualifiedErrorId)));
            }

            return Errors[0];
        }

        /// <summary>Runs a script and returns what Out-Default wrote to the host, as a user would see it.</summary>
        public string Render(string script, params object[] args)
        {
            _host.TakeOutput();
            Invoke(script + " | Out-Default", args);

            // Colour codes (SGR sequences) are how a terminal styles table headers; compare the text a user reads.
            return Regex.Replace(_host.TakeOutput(), "\u001b\\[[0-9;]*m", string.Empty);
        }

        public void Dispose()
        {
            Runspace.Dispose();
        }

        private static string FindRepoRoot()
        {
            string? dir = AppContext.BaseDirectory;
            while (dir != null && !File.Exists(Path.Combine(dir, "PSOmapi.slnx")))
            {
                dir = Path.GetDirectoryName(dir);
            }

            return dir ?? throw new InvalidOperationException("Cannot find the repository root (PSOmapi.slnx) above " + AppContext.BaseDirectory);
        }
    }
}
