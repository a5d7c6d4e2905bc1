using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Omapi.Core;
using Omapi.Core.Bulk;
using Omapi.Core.Connection;
using Omapi.Core.Objects;
using Omapi.Core.Security;
using PSOmapi.Testing;

// Runs only on Linux: dhcpd in a private network namespace.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

namespace Omapi.Bench;

/// <summary>
/// End-to-end lease-lookup benchmark against a real dhcpd seeded with 10,000 active leases (and a free /16 for scans).
/// Core modes: OmapiSession.GetLeaseAsync with one request in flight (SEQUENTIAL), many callers sharing one connection
/// (WINDOWED), and the bulk engine over 1..8 connections (BULK). PowerShell-engine modes (<see cref="PsBench"/>):
/// Get-OmapiLease through the imported module, one at a time and in bulk, single-call latency against the raw core
/// call, /20 and /16 scans with the process's peak memory, and a stress run at the highest settings. Run it with
/// bench/run.sh.
/// </summary>
/// <remarks>
/// Options: <c>--leases N</c> (10000), <c>--passes N</c> (5), <c>--warmup N</c> (1000),
/// <c>--workers N[,N...]</c> (64,8: one WINDOWED row per caller count), <c>--bulk N[,N...]</c> (1,4,8: one BULK row per
/// connection count), <c>--seed N</c> (lease data), <c>--single N</c> (5000: addresses of the one-at-a-time PowerShell
/// row), <c>--latency N</c> (500: calls per way per round), <c>--latency-rounds N</c> (10), <c>--stress-passes N</c> (5), <c>--no-ps</c>.
/// </remarks>
internal static class Program
{
    private static double s_busyBefore;

    private static async Task<int> Main(string[] args)
    {
        int leaseCount = IntOption(args, "--leases", 10_000);
        int passes = IntOption(args, "--passes", 5);
        int warmup = IntOption(args, "--warmup", 1_000);
        int seed = IntOption(args, "--seed", 20_240_601);
        int single = IntOption(args, "--single", 5_000);
        int latencyCalls = IntOption(args, "--latency", 500);
        LatencyRounds = IntOption(args, "--latency-rounds", 10);
        PsBench.Repeats = IntOption(args, "--repeat", 5);
        int stressPasses = IntOption(args, "--stress-passes", 5);
        bool withPs = Array.IndexOf(args, "--no-ps") < 0;
        bool withSide = Array.IndexOf(args, "--no-side") < 0;
        int sideLoop = IntOption(args, "--side-loop", 5_000);
        int sideRepeat = IntOption(args, "--side-repeat", 5);
        int firstScans = IntOption(args, "--first-scans", 5);
        string? pythonDir = Option(args, "--python");
        int[] workerCounts = IntList(Option(args, "--workers") ?? "64,8");
        int[] bulkConnections = IntList(Option(args, "--bulk") ?? "1,4,8");
        string? exec = Option(args, "--exec");

        string? refusal = BenchDhcpd.CheckEnvironment();
        if (refusal is not null)
        {
            Console.Error.WriteLine("bench: " + refusal);
            return 2;
        }

        // How busy the machine is before anything starts (other sessions, builds ...): the figures depend on it.
        double busy0 = Runner.MachineBusySeconds();
        await Task.Delay(1000);
        s_busyBefore = 100 * (Runner.MachineBusySeconds() - busy0);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"bench: machine busy before start: {s_busyBefore:F0}% (of {Environment.ProcessorCount * 100}%), loadavg {LoadAverage()}"));

        // dhcpd is also SIGKILLed at process exit if it is still running then (DhcpdProcess does that by itself).
        BenchDhcpd? dhcpd = null;
        try
        {
            Console.WriteLine($"bench: seeding {leaseCount:N0} active leases (+ the free range {BenchDhcpd.ScanCidr16} but its broadcast address), starting dhcpd in the private namespace ...");
            var setup = Stopwatch.StartNew();
            dhcpd = await BenchDhcpd.StartAsync(leaseCount, seed);
            Console.WriteLine($"bench: dhcpd pid {dhcpd.Pid} up after {setup.Elapsed.TotalSeconds:F1} s, {ProcInfo.Mb(ProcInfo.StatusBytes(dhcpd.Pid, "VmRSS")):F0} MB resident; {LeasesReadLine(dhcpd)}");

            if (exec is not null)
            {
                return await SideBySide.ExecAsync(dhcpd, exec);
            }

            var options = new OmapiConnectionOptions
            {
                Server = BenchDhcpd.OmapiHost,
                Port = BenchDhcpd.OmapiPort,
                Key = OmapiKey.FromBase64(BenchDhcpd.KeyName, OmapiAlgorithm.HmacMd5, dhcpd.SecretBase64),
                // The most the core allows, so that BULK rows get the connections they ask for (the default is 4).
                MaxConnections = 16,
                WindowBytes = OmapiConnectionOptions.MaxWindowBytes,
            };
            using OmapiSession session = await OmapiSession.ConnectAsync(options);

            var runner = new Runner(session, dhcpd);
            ModeResult warmSeq = await runner.SequentialAsync("warm-up (sequential)", warmup);
            ModeResult warmWin = await runner.WindowedAsync("warm-up (windowed, 64 callers)", warmup, 64);

            var results = new List<ModeResult>
            {
                await runner.SequentialAsync("SEQUENTIAL (1 caller)", leaseCount * passes),
            };
            foreach (int workers in workerCounts)
            {
                results.Add(await runner.WindowedAsync($"WINDOWED ({workers} callers, 1 connection)", leaseCount * passes, workers));
            }

            foreach (int connections in bulkConnections)
            {
                results.Add(await runner.BulkAsync($"BULK ({connections} connection{(connections == 1 ? "" : "s")})", leaseCount * passes, connections));
            }

            PsReport? ps = withPs ? await RunPowerShellAsync(dhcpd, session, runner, leaseCount, single, latencyCalls, stressPasses) : null;

            List<SideRow>? side = withSide ? await SideBySide.RunAsync(dhcpd, Math.Min(sideLoop, leaseCount), sideRepeat, firstScans, pythonDir) : null;

            bool alive = dhcpd.IsAlive();
            string abortSigns = AbortSigns(dhcpd);
            PrintReport(results, warmSeq, warmWin, session, dhcpd, leaseCount, passes, alive);
            if (ps is not null)
            {
                PrintPowerShellReport(ps, dhcpd, alive, abortSigns);
            }

            if (side is not null)
            {
                SideBySide.Print(side, leaseCount, Math.Min(sideLoop, leaseCount));
            }

            PrintCpuSplit(results, ps);
            PrintMachine(dhcpd);

            bool ok = alive && abortSigns.Length == 0
                && results.Concat(new[] { warmSeq, warmWin }).All(r => r.Errors == 0 && r.AddressMismatches == 0 && r.ContentMismatches == 0)
                && (ps is null || ps.Ok)
                && (side is null || SideBySide.Ok(side));
            if (!alive)
            {
                Console.WriteLine("bench: dhcpd is NOT alive after the run. Log tail:\n" + dhcpd.ReadLogTail());
            }

            Console.WriteLine(ok ? "bench: OK" : "bench: FAILED (see the tables: errors, mismatches, or dhcpd not alive)");
            return ok ? 0 : 1;
        }
        catch (Exception ex)
        {
            Console.Error.WriteLine("bench: " + ex);
            if (dhcpd is not null)
            {
                Console.Error.WriteLine("bench: dhcpd log tail:\n" + dhcpd.ReadLogTail());
            }

            return 1;
        }
        finally
        {
            if (dhcpd is not null)
            {
                await dhcpd.DisposeAsync();
                Console.WriteLine("bench: dhcpd stopped, veth removed, temp directory removed");
            }
        }
    }

    /// <summary>Rounds of the single-lookup latency section (--latency-rounds).</summary>
    private static int LatencyRounds = 10;

    /// <summary>Everything the PowerShell-engine part measured.</summary>
    private sealed record PsReport(
        PsBench.Info Info,
        List<PsRow> Warmups,
        PsRow OneAtATime,
        List<PsRow> Bulk,
        IReadOnlyList<LatencyRow> Latency,
        List<MemoryRow> Memory,
        List<PsRow> PsStress,
        ModeResult CoreStress)
    {
        public bool Ok =>
            Warmups.Concat(Bulk).Concat(PsStress).Append(OneAtATime).Concat(Memory.Select(m => m.Scan)).All(r => r.Ok)
            && Latency.All(l => l.Errors == 0)
            && CoreStress.Errors == 0 && CoreStress.AddressMismatches == 0 && CoreStress.ContentMismatches == 0;
    }

    private static async Task<PsReport> RunPowerShellAsync(BenchDhcpd dhcpd, OmapiSession session, Runner runner, int leaseCount, int single, int latencyCalls, int stressPasses)
    {
        Console.WriteLine($"bench: PowerShell engine {PsBench.EngineVersion}: importing {PSOmapi.Tests.ModuleHarness.ManifestPath}");
        using PsBench ps = PsBench.Start(dhcpd, session);
        Console.WriteLine($"bench: Connect-Omapi -MaxConnections: {(ps.HasMaxConnections ? "available; the wide session uses 16" : "absent; every module session may open up to 16 connections (the core's MaxConnections default)")}");

        var warmups = new List<PsRow>
        {
            ps.Range("warm-up: -Range (default session)", null, wide: false),
            ps.Range("warm-up: -Range -ThrottleLimit 16 (wide session)", 16, wide: true),
            ps.OneAtATime("warm-up: one at a time", Math.Min(1_000, leaseCount)),
        };

        PsRow one = ps.OneAtATime("one at a time", Math.Min(single, leaseCount));
        var bulk = new List<PsRow>
        {
            PsBench.Median(() => ps.Range("BULK -Range, defaults", null, wide: false)),
            PsBench.Median(() => ps.Range("BULK -Range -ThrottleLimit 1", 1, wide: true)),
            PsBench.Median(() => ps.Range("BULK -Range -ThrottleLimit 4", 4, wide: true)),
            PsBench.Median(() => ps.Range("BULK -Range -ThrottleLimit 8", 8, wide: true)),
            PsBench.Median(() => ps.Range("BULK -Range -ThrottleLimit 16", 16, wide: true)),
            PsBench.Median(() => ps.RangeOutNull("BULK -Range piped to Out-Null")),
            PsBench.Median(() => ps.RangeCollected("BULK -Range into a variable")),
            PsBench.Median(() => ps.AddressArray("BULK -IPAddress <array>", leaseCount)),
            PsBench.Median(() => ps.AddressPipeline("BULK addresses piped in", leaseCount)),
        };

        IReadOnlyList<LatencyRow> latency = await ps.LatencyAsync(latencyCalls, LatencyRounds);

        var memory = new List<MemoryRow>
        {
            ps.Scan("scan /20", BenchDhcpd.ScanCidr20, 4_096, 4_096, 4, wide: false),
            ps.Scan("scan /16", BenchDhcpd.ScanCidr16, 65_536, BenchDhcpd.ScanLeaseObjects16, 4, wide: false),
        };

        var psStress = new List<PsRow> { ps.Stress($"STRESS -Range x{stressPasses} -ThrottleLimit 16 (wide session)", stressPasses) };
        MemoryRow stressScan = ps.Scan("STRESS scan /16 -ThrottleLimit 16 (wide session)", BenchDhcpd.ScanCidr16, 65_536, BenchDhcpd.ScanLeaseObjects16, 16, wide: true);
        memory.Add(stressScan);
        psStress.Add(stressScan.Scan);

        ModeResult coreStress = await runner.BulkAsync($"STRESS: BULK 16 connections (MaxConnections 16) x{stressPasses} passes", leaseCount * stressPasses, 16);
        return new PsReport(ps.Describe(), warmups, one, bulk, latency, memory, psStress, coreStress);
    }

    /// <summary>Lines of dhcpd's log that mean it failed an assertion or is going down.</summary>
    private static string AbortSigns(BenchDhcpd dhcpd) =>
        string.Join(" | ", dhcpd.ReadLog().Split('\n').Where(l => l.Contains("REQUIRE", StringComparison.Ordinal) || l.Contains("exiting", StringComparison.OrdinalIgnoreCase) || l.Contains("abort", StringComparison.OrdinalIgnoreCase)).Select(l => l.Trim()));

    private static int[] IntList(string text) =>
        text.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();

    private static string LeasesReadLine(BenchDhcpd dhcpd)
    {
        string line = dhcpd.ReadLogTail(200).Split('\n').FirstOrDefault(l => l.Contains("leases to leases file", StringComparison.Ordinal)) ?? string.Empty;
        return line.Length > 0 ? "dhcpd log: \"" + line.Trim() + "\"" : "(no lease count in dhcpd's log)";
    }

    private static void PrintReport(List<ModeResult> results, ModeResult warmSeq, ModeResult warmWin, OmapiSession session, BenchDhcpd dhcpd, int leaseCount, int passes, bool alive)
    {
        var sb = new StringBuilder();
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"### Core (C#): OmapiSession.GetLeaseAsync and the bulk engine, {leaseCount:N0} active leases x {passes} passes, HMAC-MD5, loopback");
        sb.AppendLine();
        sb.AppendLine("| mode | lookups | seconds | lookups/s | p50 µs | p99 µs | max in flight per connection | dhcpd alive |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|---|");
        foreach (ModeResult r in results)
        {
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"| {r.Name} | {r.Lookups:N0} | {r.Seconds:F2} | {r.Rate:N0} | {(r.P50Micros == 0 ? "–" : r.P50Micros.ToString("F0", CultureInfo.InvariantCulture))} | {(r.P99Micros == 0 ? "–" : r.P99Micros.ToString("F0", CultureInfo.InvariantCulture))} | {r.MaxInFlight} | {(alive ? "yes" : "NO")} |");
        }

        sb.AppendLine();
        sb.AppendLine("| mode | mean in flight (all connections) | requests sent | errors | IP mismatches | content mismatches | dhcpd CPU µs / lookup | lookups per dhcpd wakeup | client CPU µs / lookup | client alloc KB / 1k | dhcpd CPU % | client CPU % | other processes' CPU % |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (ModeResult r in results.Prepend(warmWin).Prepend(warmSeq))
        {
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"| {r.Name} | {r.MeanInFlight:F2} | {r.RequestsSent:N0} | {r.Errors} | {r.AddressMismatches} | {r.ContentMismatches} | " +
                $"{r.DhcpdCpuSeconds * 1e6 / r.Lookups:F1} | {(r.DhcpdWakeups == 0 ? "–" : ((double)r.Lookups / r.DhcpdWakeups).ToString("F1", CultureInfo.InvariantCulture))} | {r.ClientCpuSeconds * 1e6 / r.Lookups:F1} | {r.AllocatedBytes / 1024.0 * 1000 / r.Lookups:F0} | " +
                $"{100 * r.DhcpdCpuSeconds / r.Seconds:F0} | {100 * r.ClientCpuSeconds / r.Seconds:F0} | {100 * r.OtherCpuSeconds / r.Seconds:F0} |");
        }

        IReadOnlyList<OmapiConnection> connections = session.Connections;
        long sent = connections.Sum(c => c.RequestsSent), received = connections.Sum(c => c.RepliesReceived);
        long bytesSent = connections.Sum(c => c.BytesSent), bytesReceived = connections.Sum(c => c.BytesReceived);
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture,
            $"core session ({connections.Count} open connections, whole run): RequestsSent {sent:N0} (incl. 2 per connection for authentication), RepliesReceived {received:N0}, " +
            $"BytesSent {bytesSent:N0}, BytesReceived {bytesReceived:N0}, window budget {OmapiConnectionOptions.MaxWindowBytes} bytes per connection");
        sb.AppendLine("latency = from the GetLeaseAsync call to its completion, as each caller sees it (in WINDOWED it includes the wait for window room); BULK is a throughput mode (no per-item latency).");
        sb.AppendLine("in flight sampled from Connection.InFlight of every connection every ~1 ms. CPU from /proc/<pid>/stat utime+stime (10 ms resolution);");
        sb.AppendLine("dhcpd wakeups = its voluntary context switches (/proc/<pid>/status): one thread that sleeps in select() only when no connection has input, so lookups per wakeup = requests served between two sleeps (a saturated dhcpd hardly sleeps);");
        sb.AppendLine(CultureInfo.InvariantCulture, $"CPU % = CPU-seconds / wall-seconds (100 = one core; the machine has {Environment.ProcessorCount * 100}); 'other processes' = machine busy time (/proc/stat) minus dhcpd and this client.");
        if (sent > 0 && received > 0)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"mean request {(double)bytesSent / sent:F0} bytes, mean reply {(double)bytesReceived / received:F0} bytes (signed, HMAC-MD5).");
        }

        Console.Write(sb.ToString());
    }

    private static void PrintPowerShellReport(PsReport ps, BenchDhcpd dhcpd, bool alive, string abortSigns)
    {
        PsBench.Info info = ps.Info;
        var sb = new StringBuilder();
        double oneRate = ps.OneAtATime.Rate;
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture,
            $"### Get-OmapiLease end to end in the PowerShell engine (System.Management.Automation {info.Engine}; module PSOmapi {info.ModuleVersion} imported from output/), {dhcpd.Leases.Count:N0} active leases ({dhcpd.SeededRange})");
        sb.AppendLine();
        sb.AppendLine("| mode | command | leases | seconds | leases/s | x one at a time | verified | errors | mismatches | module TCP connections | dhcpd CPU µs / lease | leases per dhcpd wakeup | client CPU µs / lease | client alloc KB / 1k | dhcpd CPU % | client CPU % | other CPU % |");
        sb.AppendLine("|---|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (PsRow r in ps.Warmups.Append(ps.OneAtATime).Concat(ps.Bulk))
        {
            string ratio = r.Name.StartsWith("warm-up", StringComparison.Ordinal) ? "–" : (r.Rate / oneRate).ToString("F2", CultureInfo.InvariantCulture);
            AppendPsRow(sb, r, ratio);
        }

        PsRow headline = ps.Bulk[0];
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture,
            $"headline: `{headline.Command}` (defaults) = {headline.Rate:N0} leases/s, {headline.Rate / oneRate:F1}x the one-at-a-time loop ({oneRate:N0}/s) in this run; target >= 100,000/s: {(headline.Rate >= 100_000 ? "met" : "NOT met")}.");
        PsRow widest = ps.Bulk.First(r => r.Name.StartsWith("BULK -Range -ThrottleLimit 16", StringComparison.Ordinal));
        sb.AppendLine(CultureInfo.InvariantCulture,
            $"at the highest setting: `{widest.Command}` = {widest.Rate:N0} leases/s, {widest.Rate / oneRate:F1}x; target >= 100,000/s: {(widest.Rate >= 100_000 ? "met" : "NOT met")}.");
        sb.AppendLine("module TCP connections = established client sockets to dhcpd's OMAPI port in the namespace (/proc/net/tcp) minus the core sessions' own, after the row: the module's sessions keep the connections their bulk work opened.");
        sb.AppendLine(CultureInfo.InvariantCulture,
            $"sessions: `$s` = Connect-Omapi defaults (the runspace default; rows without -Session); `$wide` = Connect-Omapi{(info.HasMaxConnections ? " -MaxConnections 16" : " (Connect-Omapi has no -MaxConnections: every session may open up to 16 connections, OmapiConnectionOptions.MaxConnections, and -ThrottleLimit says how many a command uses)")} (rows with -ThrottleLimit).");
        sb.AppendLine("verified: order+content = every lease checked as it reached the host (address in input order, state, MAC, hostname, uid against the seeded data); count = the script's own count; errors only = output dropped by Out-Null.");

        LatencyRow rawRow = ps.Latency[0];
        LatencyRow Lat(string prefix) => ps.Latency.First(l => l.Name.StartsWith(prefix, StringComparison.Ordinal));
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"### A single lookup on a warm session: p50 latency, cmdlet vs the raw core round trip ({LatencyRounds} interleaved rounds, same addresses)");
        sb.AppendLine();
        sb.AppendLine("| way | calls | p50 µs | p90 µs | p99 µs | p50 / raw p50 | errors |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (LatencyRow l in ps.Latency)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"| {l.Name} | {l.Calls:N0} | {l.P50:F0} | {l.P90:F0} | {l.P99:F0} | {l.P50 / rawRow.P50:F2} | {l.Errors} |");
        }

        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture,
            $"target: the cmdlet's p50 within 1.2x of the raw round trip (`await session.GetLeaseAsync(ip)`): in a script {Lat("cmdlet in a script:").P50 / rawRow.P50:F2}x ({(Lat("cmdlet in a script:").P50 <= 1.2 * rawRow.P50 ? "met" : "NOT met")}), " +
            $"as a host command {Lat("cmdlet as a host command").P50 / rawRow.P50:F2}x ({(Lat("cmdlet as a host command").P50 <= 1.2 * rawRow.P50 ? "met" : "NOT met")}); " +
            $"paired address by address with the core's synchronous round trip on the same thread: {Lat("paired, cmdlet").P50 / Lat("paired, core").P50:F2}x ({(Lat("paired, cmdlet").P50 <= 1.2 * Lat("paired, core").P50 ? "met" : "NOT met")}).");

        sb.AppendLine();
        sb.AppendLine("### Range scans of free leases (198.19.0.0/16 has a lease object for every address but its broadcast address): memory of the whole benchmark process");
        sb.AppendLine();
        sb.AppendLine("| scan | command | addresses | leases out | skipped | seconds | leases/s | errors | mismatches | RSS before MB | peak RSS (VmHWM) MB | peak - before MB | managed heap before MB | managed heap peak MB | GCs gen0/1/2 | dhcpd RSS before -> after MB | Write-Progress records (max %, completed) |");
        sb.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---|");
        foreach (MemoryRow m in ps.Memory)
        {
            PsRow r = m.Scan;
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"| {r.Name} | `{Cell(r.Command)}` | {m.Addresses:N0} | {r.Leases:N0} | {m.Addresses - r.Leases:N0} | {r.Usage.Seconds:F2} | {r.Rate:N0} | {r.Errors} | {r.Mismatches} | " +
                $"{ProcInfo.Mb(m.RssBefore):F1} | {(m.PeakReset ? ProcInfo.Mb(m.PeakRss).ToString("F1", CultureInfo.InvariantCulture) : "(not reset) " + ProcInfo.Mb(m.PeakRss).ToString("F1", CultureInfo.InvariantCulture))} | {ProcInfo.Mb(m.PeakRss - m.RssBefore):F1} | " +
                $"{ProcInfo.Mb(m.ManagedBefore):F1} | {ProcInfo.Mb(m.ManagedPeak):F1} | {r.Usage.Gen0}/{r.Usage.Gen1}/{r.Usage.Gen2} | {ProcInfo.Mb(m.DhcpdRssBefore):F1} -> {ProcInfo.Mb(m.DhcpdRssAfter):F1} | {m.ProgressRecords} ({m.LastPercent}%, {(m.ProgressCompleted ? "completed" : "no completed record")}) |");
        }

        sb.AppendLine();
        sb.AppendLine("peak RSS: /proc/self/status VmHWM after resetting it to the current RSS (echo 5 > /proc/self/clear_refs) just before the scan; managed heap sampled every ~1 ms (GC.GetTotalMemory).");
        sb.AppendLine("The host keeps no output (each lease is checked and dropped as it arrives), so the numbers are the module's and the engine's working memory while streaming.");

        ModeResult core = ps.CoreStress;
        sb.AppendLine();
        sb.AppendLine("### Stress at the highest settings the module allows (-ThrottleLimit 16, window 3,500 bytes = OmapiConnectionOptions.MaxWindowBytes), replies of varied sizes (hostnames 0-63 bytes, uids 0/7/8-32 bytes)");
        sb.AppendLine();
        sb.AppendLine("| run | lookups | seconds | lookups/s | errors | mismatches | connections | max in flight per connection | dhcpd alive after |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (PsRow r in ps.PsStress)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"| PS: `{Cell(r.Command)}` | {r.Leases:N0} | {r.Usage.Seconds:F2} | {r.Rate:N0} | {r.Errors} | {r.Mismatches} | {r.ModuleConnections} (module total) | (not observable from outside) | {(alive ? "yes" : "NO")} |");
        }

        sb.AppendLine(CultureInfo.InvariantCulture,
            $"| core: StartLeaseLookupAsync, MaxConnections 16, Connections 16, WindowBytes 3500 | {core.Lookups:N0} | {core.Seconds:F2} | {core.Rate:N0} | {core.Errors} | {core.AddressMismatches + core.ContentMismatches} | 16 | {core.MaxInFlight} | {(alive ? "yes" : "NO")} |");
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture,
            $"dhcpd after everything: {(alive ? "alive" : "NOT ALIVE")} (pid {dhcpd.Pid}, kill -0), {ProcInfo.Mb(ProcInfo.StatusBytes(dhcpd.Pid, "VmRSS")):F0} MB resident; assertion/abort lines in its log: {(abortSigns.Length == 0 ? "none" : abortSigns)}.");
        Console.Write(sb.ToString());
    }

    /// <summary>Text for a markdown table cell: a pipe inside a code span still splits cells unless escaped.</summary>
    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);

    private static void AppendPsRow(StringBuilder sb, PsRow r, string ratio)
    {
        Usage u = r.Usage;
        sb.AppendLine(CultureInfo.InvariantCulture,
            $"| {r.Name} | `{Cell(r.Command)}` | {r.Leases:N0} | {u.Seconds:F2} | {r.Rate:N0} | {ratio} | {r.Verified} | {r.Errors} | {r.Mismatches} | {r.ModuleConnections} | " +
            $"{u.DhcpdCpuSeconds * 1e6 / r.Leases:F1} | {(u.DhcpdWakeups == 0 ? "–" : ((double)r.Leases / u.DhcpdWakeups).ToString("F1", CultureInfo.InvariantCulture))} | {u.ClientCpuSeconds * 1e6 / r.Leases:F1} | {u.AllocatedBytes / 1024.0 * 1000 / r.Leases:F0} | " +
            $"{100 * u.DhcpdCpuSeconds / u.Seconds:F0} | {100 * u.ClientCpuSeconds / u.Seconds:F0} | {100 * u.OtherCpuSeconds / u.Seconds:F0} |");
        if (r.FirstProblem is not null)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"|  ^ first problem: {r.FirstProblem.Replace("|", "/", StringComparison.Ordinal)} | | | | | | | | | | | | | | | | |");
        }
    }

    /// <summary>Where the CPU of one lookup goes: dhcpd and the client, each split into user and kernel time.</summary>
    private static void PrintCpuSplit(List<ModeResult> results, PsReport? ps)
    {
        var sb = new StringBuilder();
        sb.AppendLine();
        sb.AppendLine("### Where the CPU goes, per lookup (µs; /proc/<pid>/stat utime = user, stime = kernel: syscalls, and on loopback the TCP work of both ends)");
        sb.AppendLine();
        sb.AppendLine("| mode | lookups/s | dhcpd user | dhcpd kernel | dhcpd total | lookups per dhcpd wakeup | client user | client kernel | client total | dhcpd + client | other processes' CPU % |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        void Row(string name, int n, double seconds, Cpu d, Cpu c, long wakeups, double other)
        {
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"| {name} | {n / seconds:N0} | {d.User * 1e6 / n:F1} | {d.Sys * 1e6 / n:F1} | {d.Total * 1e6 / n:F1} | {(wakeups == 0 ? "–" : ((double)n / wakeups).ToString("F1", CultureInfo.InvariantCulture))} | " +
                $"{c.User * 1e6 / n:F1} | {c.Sys * 1e6 / n:F1} | {c.Total * 1e6 / n:F1} | {(d.Total + c.Total) * 1e6 / n:F1} | {100 * other / seconds:F0} |");
        }

        foreach (ModeResult r in ps is null ? results : results.Append(ps.CoreStress))
        {
            Row("core: " + r.Name, r.Lookups, r.Seconds, r.DhcpdCpu, r.ClientCpu, r.DhcpdWakeups, r.OtherCpuSeconds);
        }

        if (ps is not null)
        {
            foreach (PsRow r in ps.Bulk.Prepend(ps.OneAtATime).Concat(ps.PsStress))
            {
                Usage u = r.Usage;
                Row("PS: " + r.Name, r.Leases, u.Seconds, u.DhcpdCpu, u.ClientCpu, u.DhcpdWakeups, u.OtherCpuSeconds);
            }
        }

        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"On {Environment.ProcessorCount} cores the rate cannot exceed {Environment.ProcessorCount} s of CPU per second / (dhcpd + client CPU per lookup), nor 1 s / dhcpd's CPU per lookup (dhcpd is single-threaded).");
        Console.Write(sb.ToString());
    }

    private static void PrintMachine(BenchDhcpd dhcpd)
    {
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"machine: nproc {Environment.ProcessorCount}; CPU {CpuModel()}; memory {MemTotal()}; {RuntimeInformation.FrameworkDescription} ({RuntimeInformation.OSDescription}); " +
            $"GC {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")}; dhcpd {DhcpdVersion()} (pid {dhcpd.Pid}); " +
            $"machine busy before start {s_busyBefore:F0}%, loadavg at the end {LoadAverage()}; {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC"));
    }

    private static string MemTotal()
    {
        try
        {
            string? line = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
            return line is null ? "unknown" : (long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0 / 1024.0).ToString("F1", CultureInfo.InvariantCulture) + " GiB";
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    private static string CpuModel()
    {
        try
        {
            string? line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line is null ? "unknown" : line.Split(':', 2)[1].Trim();
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    private static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    private static string DhcpdVersion()
    {
        try
        {
            var psi = new ProcessStartInfo(DhcpdProcess.DhcpdPath, "--version") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
            using Process p = Process.Start(psi)!;
            string text = p.StandardError.ReadToEnd() + p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            return text.Trim();
        }
        catch (Exception ex)
        {
            return "unknown (" + ex.Message + ")";
        }
    }

    private static string? Option(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static int IntOption(string[] args, string name, int fallback)
    {
        string? value = Option(args, name);
        return value is null ? fallback : int.Parse(value, CultureInfo.InvariantCulture);
    }
}

/// <summary>User and kernel CPU seconds of a process.</summary>
internal readonly record struct Cpu(double User, double Sys)
{
    public double Total => User + Sys;

    public static Cpu operator -(Cpu a, Cpu b) => new(a.User - b.User, a.Sys - b.Sys);
}

/// <summary>What one mode measured.</summary>
internal sealed record ModeResult(
    string Name,
    int Lookups,
    double Seconds,
    double P50Micros,
    double P99Micros,
    int MaxInFlight,
    double MeanInFlight,
    long RequestsSent,
    int Errors,
    int AddressMismatches,
    int ContentMismatches,
    double DhcpdCpuSeconds,
    double ClientCpuSeconds,
    double MachineBusySeconds,
    long AllocatedBytes,
    long DhcpdWakeups,
    Cpu DhcpdCpu,
    Cpu ClientCpu)
{
    public double Rate => Lookups / Seconds;

    /// <summary>CPU used on the machine during the mode by everything but the benchmark and its dhcpd.</summary>
    public double OtherCpuSeconds => Math.Max(0, MachineBusySeconds - DhcpdCpuSeconds - ClientCpuSeconds);
}

/// <summary>Runs the modes against one session and collects latencies, in-flight samples, CPU and checks.</summary>
internal sealed class Runner
{
    internal static readonly double TicksToMicros = 1e6 / Stopwatch.Frequency;
    private static readonly double ClockTick = 1.0 / ClockTicksPerSecond();

    private readonly OmapiSession _session;
    private readonly BenchDhcpd _dhcpd;
    private readonly IReadOnlyList<SeedLease> _leases;
    private int _errors;
    private int _addressMismatches;
    private int _contentMismatches;
    private int _reported;

    internal Runner(OmapiSession session, BenchDhcpd dhcpd)
    {
        _session = session;
        _dhcpd = dhcpd;
        _leases = dhcpd.Leases;
    }

    /// <summary>One request in flight: await each lookup before issuing the next.</summary>
    internal Task<ModeResult> SequentialAsync(string name, int lookups) =>
        MeasureAsync(name, lookups, async latencies =>
        {
            for (int k = 0; k < lookups; k++)
            {
                if (Volatile.Read(ref _errors) > Runner.MaxErrors)
                {
                    break;
                }

                await LookupAsync(k, latencies).ConfigureAwait(false);
            }
        });

    /// <summary><paramref name="workers"/> callers pulling the next address from a shared counter, all on the one session.</summary>
    internal Task<ModeResult> WindowedAsync(string name, int lookups, int workers) =>
        MeasureAsync(name, lookups, async latencies =>
        {
            int next = -1;
            async Task Worker()
            {
                while (true)
                {
                    int k = Interlocked.Increment(ref next);
                    if (k >= lookups || Volatile.Read(ref _errors) > Runner.MaxErrors)
                    {
                        return;
                    }

                    await LookupAsync(k, latencies).ConfigureAwait(false);
                }
            }

            Task[] tasks = new Task[workers];
            for (int w = 0; w < workers; w++)
            {
                tasks[w] = Task.Run(Worker);
            }

            await Task.WhenAll(tasks).ConfigureAwait(false);
        });

    private const int MaxErrors = 50;

    /// <summary>
    /// The bulk engine: every lookup issued from one sequence over <paramref name="connections"/> connections, results
    /// taken in order on this thread. Latency per item is not measured here (it is a throughput mode).
    /// </summary>
    internal Task<ModeResult> BulkAsync(string name, int lookups, int connections) =>
        MeasureAsync(name, lookups, async latencies =>
        {
            IEnumerable<IPAddress> Addresses()
            {
                for (int k = 0; k < lookups; k++)
                {
                    yield return _leases[k % _leases.Count].Address;
                }
            }

            using var bulk = await _session.StartLeaseLookupAsync(Addresses(), new OmapiBulkOptions { Connections = connections }).ConfigureAwait(false);
            int k = 0;
            while (bulk.Take(out OmapiBulkResult<IPAddress, OmapiLease> result))
            {
                SeedLease expected = _leases[k % _leases.Count];
                k++;
                if (!result.Succeeded)
                {
                    Interlocked.Increment(ref _errors);
                    Report($"bulk lookup {result.Key} failed: {result.Error!.GetType().Name}: {result.Error.Message}");
                    continue;
                }

                if (!result.Value!.GetIPAddress().ToIPAddress().Equals(expected.Address))
                {
                    Interlocked.Increment(ref _addressMismatches);
                    Report($"bulk: expected {expected.Address} at {k - 1}, got {result.Value.IPAddress}");
                    continue;
                }

                string? why = ContentMismatch(result.Value, expected);
                if (why is not null)
                {
                    Interlocked.Increment(ref _contentMismatches);
                    Report($"{expected.Address}: {why}");
                }
            }

            if (k != lookups)
            {
                Interlocked.Increment(ref _errors);
                Report($"bulk returned {k} results for {lookups} lookups");
            }
        });

    private async Task LookupAsync(int k, long[] latencies)
    {
        SeedLease expected = _leases[k % _leases.Count];
        long t0 = Stopwatch.GetTimestamp();
        OmapiLease lease;
        try
        {
            lease = await _session.GetLeaseAsync(expected.Address).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            latencies[k] = Stopwatch.GetTimestamp() - t0;
            Interlocked.Increment(ref _errors);
            Report($"lookup {expected.Address} failed: {ex.GetType().Name}: {ex.Message}");
            return;
        }

        latencies[k] = Stopwatch.GetTimestamp() - t0;
        if (!lease.GetIPAddress().ToIPAddress().Equals(expected.Address))
        {
            Interlocked.Increment(ref _addressMismatches);
            Report($"asked {expected.Address}, got {lease.IPAddress}");
            return;
        }

        string? why = ContentMismatch(lease, expected);
        if (why is not null)
        {
            Interlocked.Increment(ref _contentMismatches);
            Report($"{expected.Address}: {why}");
        }
    }

    internal static string? ContentMismatch(OmapiLease lease, SeedLease expected)
    {
        if (lease.GetState() != LeaseState.Active)
        {
            return "state " + lease.State;
        }

        if (!string.Equals(lease.MacAddress, expected.Mac, StringComparison.OrdinalIgnoreCase))
        {
            return $"hardware-address {lease.MacAddress}, seeded {expected.Mac}";
        }

        if (!string.Equals(lease.ClientHostname ?? string.Empty, expected.Hostname ?? string.Empty, StringComparison.Ordinal))
        {
            return $"client-hostname '{lease.ClientHostname}', seeded '{expected.Hostname}'";
        }

        byte[] uid = lease.GetClientIdBytes() ?? Array.Empty<byte>();
        if (!uid.AsSpan().SequenceEqual(expected.Uid ?? Array.Empty<byte>()))
        {
            return $"uid {lease.ClientId}, seeded {(expected.Uid is null ? "none" : Convert.ToHexString(expected.Uid))}";
        }

        return null;
    }

    private void Report(string message)
    {
        if (Interlocked.Increment(ref _reported) <= 10)
        {
            Console.WriteLine("bench: " + message);
        }
    }

    private async Task<ModeResult> MeasureAsync(string name, int lookups, Func<long[], Task> body)
    {
        var latencies = new long[lookups];
        int errors0 = _errors, address0 = _addressMismatches, content0 = _contentMismatches;
        long sent0 = _session.RequestsSent;

        using var sampler = new InFlightSampler(_session);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        long alloc0 = GC.GetTotalAllocatedBytes(precise: true);
        double dhcpdCpu0 = CpuSeconds(_dhcpd.Pid);
        double clientCpu0 = CpuSeconds(Environment.ProcessId);
        double busy0 = MachineBusySeconds();
        long wakeups0 = ProcInfo.Wakeups(_dhcpd.Pid);
        Cpu dhcpdSplit0 = CpuSplit(_dhcpd.Pid), clientSplit0 = CpuSplit(Environment.ProcessId);
        sampler.Start();
        long start = Stopwatch.GetTimestamp();

        await body(latencies).ConfigureAwait(false);

        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        sampler.Stop();
        double clientCpu = CpuSeconds(Environment.ProcessId) - clientCpu0;
        double dhcpdCpu = CpuSeconds(_dhcpd.Pid) - dhcpdCpu0;
        double busy = MachineBusySeconds() - busy0;
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - alloc0;

        int errors = _errors - errors0;
        int completed = errors > MaxErrors ? latencies.Count(l => l != 0) : lookups;
        long[] sorted = latencies.Take(completed).ToArray();
        Array.Sort(sorted);
        var result = new ModeResult(
            name,
            completed,
            seconds,
            Percentile(sorted, 0.50) * TicksToMicros,
            Percentile(sorted, 0.99) * TicksToMicros,
            sampler.Max,
            sampler.Mean,
            _session.RequestsSent - sent0,
            errors,
            _addressMismatches - address0,
            _contentMismatches - content0,
            dhcpdCpu,
            clientCpu,
            busy,
            allocated,
            ProcInfo.Wakeups(_dhcpd.Pid) - wakeups0,
            CpuSplit(_dhcpd.Pid) - dhcpdSplit0,
            CpuSplit(Environment.ProcessId) - clientSplit0);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"bench: {name}: {result.Lookups:N0} lookups in {seconds:F2} s = {result.Rate:N0}/s, p50 {result.P50Micros:F0} µs, p99 {result.P99Micros:F0} µs, max in flight {result.MaxInFlight}"));
        return result;
    }

    internal static long Percentile(long[] sorted, double q) =>
        sorted.Length == 0 ? 0 : sorted[(int)Math.Round(q * (sorted.Length - 1))];

    /// <summary>Busy CPU time of the whole machine (all CPUs), from the first line of <c>/proc/stat</c>.</summary>
    internal static double MachineBusySeconds()
    {
        try
        {
            string first = File.ReadLines("/proc/stat").First();
            long[] v = first.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
                .Select(x => long.Parse(x, CultureInfo.InvariantCulture)).ToArray();
            // user nice system idle iowait irq softirq steal (guest time is already counted in user/nice).
            long busy = v[0] + v[1] + v[2] + v[5] + v[6] + (v.Length > 7 ? v[7] : 0);
            return busy * ClockTick;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>utime + stime of a process, from <c>/proc/&lt;pid&gt;/stat</c>.</summary>
    internal static double CpuSeconds(int pid) => CpuSplit(pid).Total;

    /// <summary>utime and stime of a process (user and kernel CPU seconds), from <c>/proc/&lt;pid&gt;/stat</c>.</summary>
    internal static Cpu CpuSplit(int pid)
    {
        if (pid == 0)
        {
            return default;
        }

        try
        {
            string stat = File.ReadAllText("/proc/" + pid.ToString(CultureInfo.InvariantCulture) + "/stat");
            // Fields after "(comm)": state is field 3, utime field 14, stime field 15.
            string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            long utime = long.Parse(fields[14 - 3], CultureInfo.InvariantCulture);
            long stime = long.Parse(fields[15 - 3], CultureInfo.InvariantCulture);
            return new Cpu(utime * ClockTick, stime * ClockTick);
        }
        catch (IOException)
        {
            return default;
        }
    }

    private static long ClockTicksPerSecond()
    {
        try
        {
            var psi = new ProcessStartInfo("getconf", "CLK_TCK") { UseShellExecute = false, RedirectStandardOutput = true };
            using Process p = Process.Start(psi)!;
            string text = p.StandardOutput.ReadToEnd().Trim();
            p.WaitForExit();
            return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long hz) && hz > 0 ? hz : 100;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return 100;
        }
    }

    /// <summary>
    /// Samples <c>InFlight</c> of every connection of the session about every millisecond on a dedicated thread:
    /// <see cref="Max"/> is the most seen on one connection, <see cref="Mean"/> the mean total over all connections.
    /// </summary>
    internal sealed class InFlightSampler : IDisposable
    {
        private readonly OmapiSession _session;
        private readonly Thread _thread;
        private volatile bool _stop;
        private long _sum;
        private long _count;

        internal InFlightSampler(OmapiSession session)
        {
            _session = session;
            _thread = new Thread(Run) { IsBackground = true, Name = "in-flight sampler" };
        }

        internal int Max { get; private set; }

        internal double Mean => _count == 0 ? 0 : (double)_sum / _count;

        internal void Start() => _thread.Start();

        internal void Stop()
        {
            _stop = true;
            _thread.Join();
        }

        public void Dispose()
        {
            if (_thread.IsAlive)
            {
                Stop();
            }
        }

        private void Run()
        {
            while (!_stop)
            {
                // Per connection: the window's cap shows here; summed: what dhcpd has to answer at once.
                int total = 0;
                foreach (OmapiConnection c in _session.Connections)
                {
                    int n = c.InFlight;
                    total += n;
                    if (n > Max)
                    {
                        Max = n;
                    }
                }

                _sum += total;
                _count++;
                Thread.Sleep(1);
            }
        }
    }
}
