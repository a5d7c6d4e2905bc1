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
using Omapi.Core.Connection;
using Omapi.Core.Objects;
using Omapi.Core.Security;
using PSOmapi.Testing;

// Runs only on Linux: dhcpd in a private network namespace.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

namespace Omapi.Bench;

/// <summary>
/// End-to-end lease-lookup benchmark: OmapiSession.GetLeaseAsync against a real dhcpd seeded with 10,000 active
/// leases, once with one request in flight (SEQUENTIAL) and once with many callers sharing the session's one connection
/// (WINDOWED: the connection's send window admits what fits its 3,500-byte budget). Run it with bench/run.sh.
/// </summary>
/// <remarks>
/// Options: <c>--leases N</c> (10000), <c>--passes N</c> (2), <c>--warmup N</c> (1000),
/// <c>--workers N[,N...]</c> (64,8: one WINDOWED row per caller count), <c>--seed N</c> (lease data).
/// </remarks>
internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        int leaseCount = IntOption(args, "--leases", 10_000);
        int passes = IntOption(args, "--passes", 2);
        int warmup = IntOption(args, "--warmup", 1_000);
        int seed = IntOption(args, "--seed", 20_240_601);
        int[] workerCounts = (Option(args, "--workers") ?? "64,8")
            .Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(s => int.Parse(s, CultureInfo.InvariantCulture))
            .ToArray();

        string? refusal = BenchDhcpd.CheckEnvironment();
        if (refusal is not null)
        {
            Console.Error.WriteLine("bench: " + refusal);
            return 2;
        }

        // dhcpd is also SIGKILLed at process exit if it is still running then (DhcpdProcess does that by itself).
        BenchDhcpd? dhcpd = null;
        try
        {
            Console.WriteLine($"bench: seeding {leaseCount:N0} active leases, starting dhcpd in the private namespace ...");
            var setup = Stopwatch.StartNew();
            dhcpd = await BenchDhcpd.StartAsync(leaseCount, seed);
            Console.WriteLine($"bench: dhcpd pid {dhcpd.Pid} up after {setup.Elapsed.TotalSeconds:F1} s; {LeasesReadLine(dhcpd)}");

            var options = new OmapiConnectionOptions
            {
                Server = BenchDhcpd.OmapiHost,
                Port = BenchDhcpd.OmapiPort,
                Key = OmapiKey.FromBase64(BenchDhcpd.KeyName, OmapiAlgorithm.HmacMd5, dhcpd.SecretBase64),
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

            bool alive = dhcpd.IsAlive();
            PrintReport(results, warmSeq, warmWin, session, dhcpd, leaseCount, passes, alive);

            bool ok = alive && results.Concat(new[] { warmSeq, warmWin }).All(r => r.Errors == 0 && r.AddressMismatches == 0 && r.ContentMismatches == 0);
            if (!alive)
            {
                Console.WriteLine("bench: dhcpd is NOT alive after the run. Log tail:\n" + dhcpd.ReadLogTail());
            }

            Console.WriteLine(ok ? "bench: OK" : "bench: FAILED (see the table: errors, mismatches or dhcpd not alive)");
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

    private static string LeasesReadLine(BenchDhcpd dhcpd)
    {
        string line = dhcpd.ReadLogTail(200).Split('\n').FirstOrDefault(l => l.Contains("leases to leases file", StringComparison.Ordinal)) ?? string.Empty;
        return line.Length > 0 ? "dhcpd log: \"" + line.Trim() + "\"" : "(no lease count in dhcpd's log)";
    }

    private static void PrintReport(List<ModeResult> results, ModeResult warmSeq, ModeResult warmWin, OmapiSession session, BenchDhcpd dhcpd, int leaseCount, int passes, bool alive)
    {
        OmapiConnection? connection = session.Connection;
        var sb = new StringBuilder();
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"### OMAPI lease lookup by IP: OmapiSession.GetLeaseAsync, {leaseCount:N0} active leases x {passes} passes, HMAC-MD5, loopback");
        sb.AppendLine();
        sb.AppendLine("| mode | lookups | seconds | lookups/s | p50 µs | p99 µs | max in flight | dhcpd alive |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|---|");
        foreach (ModeResult r in results)
        {
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"| {r.Name} | {r.Lookups:N0} | {r.Seconds:F2} | {r.Rate:N0} | {r.P50Micros:F0} | {r.P99Micros:F0} | {r.MaxInFlight} | {(alive ? "yes" : "NO")} |");
        }

        sb.AppendLine();
        sb.AppendLine("| mode | mean in flight | requests sent | errors | IP mismatches | content mismatches | dhcpd CPU ms / 1k | client CPU ms / 1k | client alloc KB / 1k | dhcpd CPU % | client CPU % | other processes' CPU % |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (ModeResult r in results.Prepend(warmWin).Prepend(warmSeq))
        {
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"| {r.Name} | {r.MeanInFlight:F2} | {r.RequestsSent:N0} | {r.Errors} | {r.AddressMismatches} | {r.ContentMismatches} | " +
                $"{r.DhcpdCpuSeconds * 1e6 / r.Lookups:F1} | {r.ClientCpuSeconds * 1e6 / r.Lookups:F1} | {r.AllocatedBytes / 1024.0 * 1000 / r.Lookups:F0} | " +
                $"{100 * r.DhcpdCpuSeconds / r.Seconds:F0} | {100 * r.ClientCpuSeconds / r.Seconds:F0} | {100 * r.OtherCpuSeconds / r.Seconds:F0} |");
        }

        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture,
            $"connection: RequestsSent {connection?.RequestsSent:N0} (incl. 2 for authentication), RepliesReceived {connection?.RepliesReceived:N0}, " +
            $"BytesSent {connection?.BytesSent:N0}, BytesReceived {connection?.BytesReceived:N0}, window budget {OmapiConnectionOptions.MaxWindowBytes} bytes");
        sb.AppendLine("latency = from the GetLeaseAsync call to its completion, as each caller sees it (in WINDOWED it includes the wait for window room).");
        sb.AppendLine("in flight sampled from Connection.InFlight every ~1 ms. CPU from /proc/<pid>/stat utime+stime (10 ms resolution): ms per 1,000 lookups = µs per lookup;");
        sb.AppendLine(CultureInfo.InvariantCulture, $"CPU % = CPU-seconds / wall-seconds (100 = one core; the machine has {Environment.ProcessorCount * 100}); 'other processes' = machine busy time (/proc/stat) minus dhcpd and this client.");
        if (connection is not null && connection.RequestsSent > 0)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"mean request {(double)connection.BytesSent / connection.RequestsSent:F0} bytes, mean reply {(double)connection.BytesReceived / connection.RepliesReceived:F0} bytes (signed, HMAC-MD5).");
        }

        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"machine: nproc {Environment.ProcessorCount}; CPU {CpuModel()}; {RuntimeInformation.FrameworkDescription} ({RuntimeInformation.OSDescription}); " +
            $"GC {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")}; dhcpd {DhcpdVersion()} (pid {dhcpd.Pid}); loadavg {LoadAverage()}; {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        Console.Write(sb.ToString());
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
    long AllocatedBytes)
{
    public double Rate => Lookups / Seconds;

    /// <summary>CPU used on the machine during the mode by everything but the benchmark and its dhcpd.</summary>
    public double OtherCpuSeconds => Math.Max(0, MachineBusySeconds - DhcpdCpuSeconds - ClientCpuSeconds);
}

/// <summary>Runs the modes against one session and collects latencies, in-flight samples, CPU and checks.</summary>
internal sealed class Runner
{
    private static readonly double TicksToMicros = 1e6 / Stopwatch.Frequency;
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
        if (!lease.IPAddress.Equals(expected.Address))
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

    private static string? ContentMismatch(OmapiLease lease, SeedLease expected)
    {
        if (lease.State != LeaseState.Active)
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

        byte[] uid = lease.ClientIdBytes ?? Array.Empty<byte>();
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
        long sent0 = _session.Connection?.RequestsSent ?? 0;

        using var sampler = new InFlightSampler(_session);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        long alloc0 = GC.GetTotalAllocatedBytes(precise: true);
        double dhcpdCpu0 = CpuSeconds(_dhcpd.Pid);
        double clientCpu0 = CpuSeconds(Environment.ProcessId);
        double busy0 = MachineBusySeconds();
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
            (_session.Connection?.RequestsSent ?? 0) - sent0,
            errors,
            _addressMismatches - address0,
            _contentMismatches - content0,
            dhcpdCpu,
            clientCpu,
            busy,
            allocated);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"bench: {name}: {result.Lookups:N0} lookups in {seconds:F2} s = {result.Rate:N0}/s, p50 {result.P50Micros:F0} µs, p99 {result.P99Micros:F0} µs, max in flight {result.MaxInFlight}"));
        return result;
    }

    private static long Percentile(long[] sorted, double q) =>
        sorted.Length == 0 ? 0 : sorted[(int)Math.Round(q * (sorted.Length - 1))];

    /// <summary>Busy CPU time of the whole machine (all CPUs), from the first line of <c>/proc/stat</c>.</summary>
    private static double MachineBusySeconds()
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
    private static double CpuSeconds(int pid)
    {
        if (pid == 0)
        {
            return 0;
        }

        try
        {
            string stat = File.ReadAllText("/proc/" + pid.ToString(CultureInfo.InvariantCulture) + "/stat");
            // Fields after "(comm)": state is field 3, utime field 14, stime field 15.
            string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            long utime = long.Parse(fields[14 - 3], CultureInfo.InvariantCulture);
            long stime = long.Parse(fields[15 - 3], CultureInfo.InvariantCulture);
            return (utime + stime) * ClockTick;
        }
        catch (IOException)
        {
            return 0;
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

    /// <summary>Samples <c>session.Connection.InFlight</c> about every millisecond on a dedicated thread.</summary>
    private sealed class InFlightSampler : IDisposable
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
                int n = _session.Connection?.InFlight ?? 0;
                if (n > Max)
                {
                    Max = n;
                }

                _sum += n;
                _count++;
                Thread.Sleep(1);
            }
        }
    }
}
