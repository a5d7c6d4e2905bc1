using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
using PSOmapi.Testing;
using PSOmapi.Tests;

namespace Omapi.Bench;

/// <summary>One measured mode of the side-by-side section: every run's rate, reported as median and spread.</summary>
internal sealed record SideRow(string Tool, string Name, List<double> Rates, string? Problem)
{
    internal double Median => Rates.Count == 0 ? 0 : Rates.OrderBy(r => r).ElementAt(Rates.Count / 2);

    internal string Spread => Rates.Count == 0 ? "-" : string.Create(CultureInfo.InvariantCulture, $"{Rates.Min():N0} – {Rates.Max():N0}");
}

/// <summary>
/// Lease lookups by IP as users run them, measured in the same run against the same dhcpd: PSOmapi in real pwsh (the
/// pinned dotnet tool, bench/pwsh/Measure-Lookups.ps1), ISC omshell scripted through stdin, and, when a path to it is
/// given (--python DIR, never committed), the Python client one lookup at a time.
/// </summary>
internal static class SideBySide
{
    private const string FirstScanName = "Get-OmapiLease -Range (first scan in a new pwsh)";

    private static readonly string Script = Path.Combine(ModuleHarness.RepoRoot, "bench", "pwsh", "Measure-Lookups.ps1");

    internal static async Task<List<SideRow>> RunAsync(BenchDhcpd dhcpd, int loop, int repeat, int firstScans, string? pythonDir)
    {
        string addressFile = await WriteAddressFileAsync(dhcpd);
        string omshellCommands = Path.Combine(dhcpd.Directory, "omshell-lookups.txt");
        await File.WriteAllTextAsync(omshellCommands, string.Concat(dhcpd.Leases.Take(loop).Select(l => string.Create(CultureInfo.InvariantCulture, $"new lease\nset ip-address = {l.Address}\nopen\n"))));
        SideRow? python = pythonDir is null ? null : await PythonAsync(dhcpd, pythonDir, loop, repeat);

        // omshell runs interleaved with pwsh, so that its rate and theirs are measured over the same stretch of time: on this
        // shared machine omshell's own rate moved from 6,400 to 11,000/s within one run, and a ratio whose omshell runs all
        // came first moved with it. Measure-Lookups.ps1 runs one omshell round before each round of the warm process, and
        // one after the scan of each first-scan process; the results of all the processes are rows by name.
        Console.WriteLine($"bench: real pwsh: {Script} ({repeat} rounds of each mode, each after one omshell round of {loop:N0} lookups through its stdin; {loop:N0} addresses in the loops)");
        var output = new StringBuilder(await PwshAsync(dhcpd, addressFile, loop, repeat, "All", omshellCommands));
        for (int i = 0; i < firstScans; i++)
        {
            output.Append(await PwshAsync(dhcpd, addressFile, loop, 1, "FirstScan", omshellCommands));
        }

        // Every process must have printed its results: a row with fewer runs than asked for is a problem, not a median.
        var rows = Collect("pwsh", output.ToString()).Select(r =>
        {
            int expected = r.Name == FirstScanName ? firstScans : r.Tool == "omshell" ? repeat + firstScans : repeat;
            return r.Rates.Count == expected || r.Problem is not null ? r : r with { Problem = $"{r.Rates.Count} of {expected} runs printed a result" };
        }).ToList();
        if (rows.All(r => r.Name != FirstScanName) && firstScans > 0)
        {
            rows.Add(new SideRow("pwsh", FirstScanName, new List<double>(), "no first-scan process printed a result"));
        }

        if (python is not null)
        {
            rows.Insert(rows.Count > 0 && rows[0].Tool == "omshell" ? 1 : 0, python);
        }

        return rows;
    }

    /// <summary>
    /// Runs <c>bash -c <paramref name="command"/></c> against the seeded dhcpd (bench/run.sh --exec): for profiling a mode
    /// by hand (perf, dotnet-trace) with the same server, leases and script as the measured runs. The command finds the
    /// server in PSOMAPI_BENCH_SERVER/PORT/KEYNAME, the key's secret in PSOMAPI_BENCH_SECRET (never on a command line),
    /// the seeded addresses in the file PSOMAPI_BENCH_ADDRESSES, the module in PSOMAPI_BENCH_MANIFEST and the measuring
    /// script in PSOMAPI_BENCH_SCRIPT. Returns its exit code.
    /// </summary>
    internal static async Task<int> ExecAsync(BenchDhcpd dhcpd, string command)
    {
        string addressFile = await WriteAddressFileAsync(dhcpd);
        var psi = new ProcessStartInfo("bash") { UseShellExecute = false, WorkingDirectory = ModuleHarness.RepoRoot };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(command);
        psi.Environment["PSOMAPI_BENCH_SERVER"] = BenchDhcpd.OmapiHost;
        psi.Environment["PSOMAPI_BENCH_PORT"] = BenchDhcpd.OmapiPort.ToString(CultureInfo.InvariantCulture);
        psi.Environment["PSOMAPI_BENCH_KEYNAME"] = BenchDhcpd.KeyName;
        psi.Environment["PSOMAPI_BENCH_SECRET"] = dhcpd.SecretBase64;
        psi.Environment["PSOMAPI_BENCH_ADDRESSES"] = addressFile;
        psi.Environment["PSOMAPI_BENCH_MANIFEST"] = ModuleHarness.ManifestPath;
        psi.Environment["PSOMAPI_BENCH_SCRIPT"] = Script;
        psi.Environment["NO_COLOR"] = "1";
        using Process p = Process.Start(psi)!;
        await p.WaitForExitAsync();
        Console.WriteLine($"bench: --exec exited with {p.ExitCode}; dhcpd {(dhcpd.IsAlive() ? "alive" : "NOT alive")}");
        return dhcpd.IsAlive() ? p.ExitCode : 1;
    }

    /// <summary>The seeded addresses, one per line, in a file in dhcpd's private directory (for pwsh and --exec).</summary>
    private static async Task<string> WriteAddressFileAsync(BenchDhcpd dhcpd)
    {
        string addressFile = Path.Combine(dhcpd.Directory, "addresses.txt");
        await File.WriteAllLinesAsync(addressFile, dhcpd.Leases.Select(l => l.Address.ToString()));
        return addressFile;
    }

    internal static void Print(List<SideRow> rows, int leaseCount, int loop)
    {
        SideRow? omshell = rows.FirstOrDefault(r => r.Tool == "omshell");
        var sb = new StringBuilder();
        sb.AppendLine();
        sb.AppendLine(string.Create(CultureInfo.InvariantCulture, $"### Side by side in one run: PSOmapi in real pwsh, omshell{(rows.Any(r => r.Tool == "python") ? ", the Python client" : "")} ({leaseCount:N0} leases; loops over {loop:N0})"));
        sb.AppendLine();
        sb.AppendLine("| tool | lease lookups by IP | leases/s (median) | spread (runs) | vs omshell | check |");
        sb.AppendLine("|---|---|---:|---|---:|---|");
        foreach (SideRow r in rows)
        {
            string ratio = omshell is null || omshell.Median == 0 ? "-" : string.Create(CultureInfo.InvariantCulture, $"{r.Median / omshell.Median:F2}x");
            sb.AppendLine(string.Create(CultureInfo.InvariantCulture, $"| {r.Tool} | `{r.Name.Replace("|", "\\|", StringComparison.Ordinal)}` | {r.Median:N0} | {r.Spread} ({r.Rates.Count}) | {ratio} | {r.Problem ?? "ok"} |"));
        }

        Console.Write(sb.ToString());
    }

    internal static bool Ok(List<SideRow> rows) => rows.All(r => r.Problem is null && r.Rates.Count > 0);

    private static IEnumerable<SideRow> Collect(string tool, string output)
    {
        var byName = new Dictionary<string, SideRow>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (string line in output.Split('\n'))
        {
            if (!line.StartsWith("RESULT ", StringComparison.Ordinal))
            {
                continue;
            }

            using JsonDocument json = JsonDocument.Parse(line["RESULT ".Length..]);
            JsonElement e = json.RootElement;
            string name = e.GetProperty("Name").GetString()!;
            string rowTool = e.TryGetProperty("Tool", out JsonElement t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : tool;
            string? problem = e.GetProperty("Problem").ValueKind == JsonValueKind.String ? e.GetProperty("Problem").GetString() : null;
            problem = string.IsNullOrEmpty(problem) ? null : problem;
            if (!byName.TryGetValue(name, out SideRow? row))
            {
                row = new SideRow(rowTool, name, new List<double>(), null);
                byName[name] = row;
                order.Add(name);
            }

            row.Rates.Add(e.GetProperty("Rate").GetDouble());
            if (problem is not null && row.Problem is null)
            {
                byName[name] = row = row with { Problem = problem };
            }
        }

        if (order.Count == 0)
        {
            yield return new SideRow(tool, "(no result)", new List<double>(), "pwsh printed no result:\n" + output);
        }

        foreach (string name in order)
        {
            yield return byName[name];
        }
    }

    private static async Task<string> PwshAsync(BenchDhcpd dhcpd, string addressFile, int loop, int repeat, string mode, string? omshellCommands)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = ModuleHarness.RepoRoot, // where .config/dotnet-tools.json pins pwsh
        };
        foreach (string a in new[]
        {
            "pwsh", "-NoProfile", "-NonInteractive", "-File", Script,
            "-Manifest", ModuleHarness.ManifestPath, "-Server", BenchDhcpd.OmapiHost,
            "-Port", BenchDhcpd.OmapiPort.ToString(CultureInfo.InvariantCulture), "-KeyName", BenchDhcpd.KeyName,
            "-AddressFile", addressFile, "-Loop", loop.ToString(CultureInfo.InvariantCulture),
            "-Repeat", repeat.ToString(CultureInfo.InvariantCulture), "-Mode", mode,
        })
        {
            psi.ArgumentList.Add(a);
        }

        if (omshellCommands is not null)
        {
            psi.ArgumentList.Add("-OmshellCommands");
            psi.ArgumentList.Add(omshellCommands);
            psi.ArgumentList.Add("-OmshellPath");
            psi.ArgumentList.Add(Omshell.OmshellPath);
        }

        psi.Environment["PSOMAPI_BENCH_SECRET"] = dhcpd.SecretBase64; // not on the command line
        psi.Environment["NO_COLOR"] = "1";
        using Process p = Process.Start(psi)!;
        Task<string> err = p.StandardError.ReadToEndAsync();
        string output = await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync();
        string error = await err;
        if (p.ExitCode != 0 || error.Length > 0)
        {
            Console.WriteLine($"bench: pwsh exited with {p.ExitCode}: {error}");
        }

        return output;
    }

    private static async Task<SideRow> PythonAsync(BenchDhcpd dhcpd, string pythonDir, int loop, int repeat)
    {
        string script = Path.Combine(ModuleHarness.RepoRoot, "bench", "python", "lookups.py");
        string addressFile = Path.Combine(dhcpd.Directory, "addresses.txt");
        Console.WriteLine($"bench: Python client from {pythonDir}, one lookup at a time, {repeat} runs");
        var psi = new ProcessStartInfo("python3") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in new[] { script, pythonDir, BenchDhcpd.OmapiHost, BenchDhcpd.OmapiPort.ToString(CultureInfo.InvariantCulture), BenchDhcpd.KeyName, addressFile, loop.ToString(CultureInfo.InvariantCulture), repeat.ToString(CultureInfo.InvariantCulture) })
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["PSOMAPI_BENCH_SECRET"] = dhcpd.SecretBase64;
        using Process p = Process.Start(psi)!;
        Task<string> err = p.StandardError.ReadToEndAsync();
        string output = await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync();
        SideRow row = Collect("python", output).Single();
        return p.ExitCode == 0 ? row : row with { Problem = $"python exited with {p.ExitCode}: {await err}" };
    }
}
