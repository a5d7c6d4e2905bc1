using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Security;
using System.Threading;
using System.Threading.Tasks;
using Omapi.Core;
using Omapi.Core.Objects;
using PSOmapi.Tests;

namespace Omapi.Bench;

/// <summary>One PowerShell-engine row: a command, what it returned, and what it cost.</summary>
internal sealed record PsRow(
    string Name,
    string Command,
    int Leases,
    int Expected,
    string Verified,
    Usage Usage,
    int Errors,
    int Mismatches,
    int ModuleConnections,
    string? FirstProblem)
{
    public double Rate => Leases / Usage.Seconds;

    public bool Ok => Errors == 0 && Mismatches == 0 && Leases == Expected;
}

/// <summary>p50/p90/p99 of one way of doing a single lookup.</summary>
internal sealed record LatencyRow(string Name, int Calls, double P50, double P90, double P99, int Errors);

/// <summary>A range scan with the process's memory around it.</summary>
internal sealed record MemoryRow(
    PsRow Scan,
    int Addresses,
    long RssBefore,
    long PeakRss,
    bool PeakReset,
    long ManagedBefore,
    long ManagedPeak,
    long DhcpdRssBefore,
    long DhcpdRssAfter,
    int ProgressRecords,
    int LastPercent,
    bool ProgressCompleted);

/// <summary>
/// End-to-end modes through the real PowerShell engine (System.Management.Automation, the engine pwsh 7.6 loads): the
/// assembled module (output/PSOmapi/&lt;version&gt;/PSOmapi.psd1) imported into a runspace, a session opened with
/// <c>Connect-Omapi</c>, and <c>Get-OmapiLease</c> run as a user would. Output reaches the host through
/// <see cref="LeaseSink"/>, which checks every lease (address order and content against the seeded data) and keeps none.
/// </summary>
internal sealed class PsBench : IDisposable
{
    private const string Md5 = "HMAC-MD5";

    private readonly ModuleHarness _shell;
    private readonly BenchDhcpd _dhcpd;
    private readonly OmapiSession _raw;
    private readonly IReadOnlyList<SeedLease> _leases;

    private PsBench(ModuleHarness shell, BenchDhcpd dhcpd, OmapiSession raw)
    {
        _shell = shell;
        _dhcpd = dhcpd;
        _raw = raw;
        _leases = dhcpd.Leases;
    }

    /// <summary>True when Connect-Omapi has -MaxConnections (so -ThrottleLimit above 4 can open more connections).</summary>
    internal bool HasMaxConnections { get; private set; }

    /// <summary>How many connections the wide session may open: 16 (the core's MaxConnections default; Connect-Omapi has no -MaxConnections).</summary>
    internal int WideMaxConnections { get; private set; } = 16;

    internal static string EngineVersion =>
        typeof(PowerShell).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion.Split('+')[0]
        ?? typeof(PowerShell).Assembly.GetName().Version!.ToString();

    /// <summary>
    /// Imports the module and connects two sessions: <c>$wide</c> (with <c>-MaxConnections 16</c> when the parameter
    /// exists) for the -ThrottleLimit rows and the stress run, then <c>$s</c> with Connect-Omapi's defaults, which
    /// becomes the runspace's default session (what a user's plain <c>Get-OmapiLease</c> uses).
    /// </summary>
    internal static PsBench Start(BenchDhcpd dhcpd, OmapiSession raw)
    {
        var shell = new ModuleHarness(import: true);
        var bench = new PsBench(shell, dhcpd, raw);
        try
        {
            var secret = new SecureString();
            foreach (char c in dhcpd.SecretBase64)
            {
                secret.AppendChar(c);
            }

            secret.MakeReadOnly();
            shell.SetVariable("cred", new PSCredential(BenchDhcpd.KeyName, secret));
            bench.HasMaxConnections = (bool)shell.Invoke("(Get-Command Connect-Omapi).Parameters.ContainsKey('MaxConnections')")[0].BaseObject;
            if (bench.HasMaxConnections)
            {
                bench.WideMaxConnections = 16;
                shell.Invoke("$global:wide = Connect-Omapi -Server $args[0] -Port $args[1] -Credential $cred -Algorithm $args[2] -MaxConnections 16", BenchDhcpd.OmapiHost, BenchDhcpd.OmapiPort, Md5);
            }
            else
            {
                shell.Invoke("$global:wide = Connect-Omapi -Server $args[0] -Port $args[1] -Credential $cred -Algorithm $args[2]", BenchDhcpd.OmapiHost, BenchDhcpd.OmapiPort, Md5);
            }

            shell.Invoke("$global:s = Connect-Omapi -Server $args[0] -Port $args[1] -Credential $cred -Algorithm $args[2]", BenchDhcpd.OmapiHost, BenchDhcpd.OmapiPort, Md5);
            if (shell.Errors.Count > 0)
            {
                throw new InvalidOperationException("Connect-Omapi: " + shell.Errors[0]);
            }

            return bench;
        }
        catch
        {
            bench.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        try
        {
            _shell.Invoke("Get-OmapiSession | Disconnect-Omapi");
        }
        catch (RuntimeException)
        {
            // The runspace is closed next anyway.
        }

        _shell.Dispose();
    }

    // ---- throughput ----

    /// <summary>What the report says about the engine, the module and the sessions.</summary>
    internal sealed record Info(string Engine, string ModuleVersion, bool HasMaxConnections, int WideMaxConnections);

    internal Info Describe() => new(EngineVersion, ModuleHarness.ModuleVersion, HasMaxConnections, WideMaxConnections);

    /// <summary>The seeded range as "first-last" text, checked lease by lease; no -ThrottleLimit when null.</summary>
    /// <summary>How many times each bulk row runs (--repeat); the row reports the run with the median rate.</summary>
    internal static int Repeats { get; set; } = 5;

    /// <summary>
    /// Runs a row <see cref="Repeats"/> times and keeps the run with the median rate (its CPU and counts), naming the
    /// spread; a run that failed is kept instead, so no failure hides behind a median.
    /// </summary>
    internal static PsRow Median(Func<PsRow> run)
    {
        var rows = Enumerable.Range(0, Math.Max(1, Repeats)).Select(_ => run()).ToList();
        PsRow? failed = rows.FirstOrDefault(r => !r.Ok);
        if (failed is not null || rows.Count == 1)
        {
            return failed ?? rows[0];
        }

        List<PsRow> sorted = rows.OrderBy(r => r.Rate).ToList();
        PsRow median = sorted[sorted.Count / 2];
        return median with { Name = string.Create(CultureInfo.InvariantCulture, $"{median.Name} (median of {rows.Count}: {sorted[0].Rate:N0}-{sorted[^1].Rate:N0}/s)") };
    }

    internal PsRow Range(string name, int? throttleLimit, bool wide)
    {
        string session = wide ? " -Session $wide" : string.Empty;
        string limit = throttleLimit is int t ? $" -ThrottleLimit {t}" : string.Empty;
        string command = $"Get-OmapiLease -Range $range{limit}{session}";
        return Run(name, command, "param($range)\n" + command, new() { ["range"] = _dhcpd.SeededRange }, _leases.Count, SeededCheck(_leases.Count), "order+content");
    }

    /// <summary>The default command with the output dropped by Out-Null in the script (nothing reaches the host).</summary>
    internal PsRow RangeOutNull(string name)
    {
        const string Command = "Get-OmapiLease -Range $range | Out-Null";
        return Run(name, Command, "param($range)\n" + Command, new() { ["range"] = _dhcpd.SeededRange }, _leases.Count, null, "errors only", countFromScript: null);
    }

    /// <summary>The default command collected into a variable, counted in the script.</summary>
    internal PsRow RangeCollected(string name)
    {
        const string Command = "$all = Get-OmapiLease -Range $range; $all.Count";
        return Run(name, Command, "param($range)\n" + Command, new() { ["range"] = _dhcpd.SeededRange }, _leases.Count, null, "count", countFromScript: true);
    }

    /// <summary>An array of address strings bound to -IPAddress.</summary>
    internal PsRow AddressArray(string name, int count)
    {
        const string Command = "Get-OmapiLease -IPAddress $ips";
        return Run(name, Command, "param($ips)\n" + Command, new() { ["ips"] = AddressStrings(0, count) }, count, SeededCheck(count), "order+content");
    }

    /// <summary>Address strings piped one by one.</summary>
    internal PsRow AddressPipeline(string name, int count)
    {
        const string Command = "$ips | Get-OmapiLease";
        return Run(name, Command, "param($ips)\n" + Command, new() { ["ips"] = AddressStrings(0, count) }, count, SeededCheck(count), "order+content");
    }

    /// <summary>One request at a time: a loop of single-address commands.</summary>
    internal PsRow OneAtATime(string name, int count)
    {
        const string Command = "foreach ($ip in $ips) { Get-OmapiLease -IPAddress $ip }";
        return Run(name, Command, "param($ips)\n" + Command, new() { ["ips"] = AddressStrings(0, count) }, count, SeededCheck(count), "order+content");
    }

    /// <summary>The stress run: the seeded range <paramref name="passes"/> times on the wide session at -ThrottleLimit 16.</summary>
    internal PsRow Stress(string name, int passes)
    {
        const string Command = "for ($p = 0; $p -lt $n; $p++) { Get-OmapiLease -Range $range -ThrottleLimit 16 -Session $wide }";
        int n = _leases.Count;
        return Run(name, Command, "param($range, $n)\n" + Command, new() { ["range"] = _dhcpd.SeededRange, ["n"] = passes }, n * passes, (i, lease) => Check(lease, _leases[i % n]), "order+content");
    }

    /// <summary>A range scan of free leases (198.19.x.y): every address in order, the one without a lease object skipped.</summary>
    internal MemoryRow Scan(string name, string cidr, int addresses, int leaseObjects, int throttleLimit, bool wide)
    {
        string session = wide ? " -Session $wide" : string.Empty;
        string command = $"Get-OmapiLease -Range {cidr}" + (throttleLimit == 4 ? string.Empty : $" -ThrottleLimit {throttleLimit}") + session;
        uint first = ToUInt32(IPAddress.Parse(cidr.Split('/')[0]));
        string? ScanCheck(int i, OmapiLease lease)
        {
            uint expected = first + (uint)i;
            if (lease.GetIPAddress().ToUInt32() != expected)
            {
                return $"position {i}: {lease.IPAddress}, expected {FromUInt32(expected)}";
            }

            return lease.GetState() == LeaseState.Free ? null : $"{lease.IPAddress}: state {lease.State}, expected Free";
        }

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        long managedBefore = GC.GetTotalMemory(forceFullCollection: false);
        long rssBefore = ProcInfo.StatusBytes(0, "VmRSS");
        long dhcpdBefore = ProcInfo.StatusBytes(_dhcpd.Pid, "VmRSS");
        bool reset = ProcInfo.ResetPeakRss();
        long managedPeak = managedBefore;
        using var stop = new CancellationTokenSource();
        var sampler = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                long m = GC.GetTotalMemory(forceFullCollection: false);
                if (m > managedPeak)
                {
                    managedPeak = m;
                }

                Thread.Sleep(1);
            }
        }) { IsBackground = true, Name = "heap sampler" };
        sampler.Start();
        PsRow row;
        try
        {
            row = Run(name, command, command, new(), leaseObjects, ScanCheck, "order+state", collectBeforeStart: false);
        }
        finally
        {
            stop.Cancel();
            sampler.Join();
        }

        long peak = ProcInfo.StatusBytes(0, "VmHWM");
        long dhcpdAfter = ProcInfo.StatusBytes(_dhcpd.Pid, "VmRSS");
        List<(ProgressRecordType Type, int Percent)> progress = _lastProgress;
        return new MemoryRow(
            row,
            addresses,
            rssBefore,
            peak,
            reset,
            managedBefore,
            managedPeak,
            dhcpdBefore,
            dhcpdAfter,
            progress.Count,
            progress.Where(p => p.Type == ProgressRecordType.Processing).Select(p => p.Percent).DefaultIfEmpty(-1).Max(),
            progress.Any(p => p.Type == ProgressRecordType.Completed));
    }

    // The progress records of the last Run, as they were when written (a cmdlet may reuse and later change one record).
    private List<(ProgressRecordType Type, int Percent)> _lastProgress = new();

    // ---- latency ----

    /// <summary>
    /// A single lookup on a warm session, in <paramref name="rounds"/> interleaved rounds of <paramref name="perRound"/>
    /// calls over the same addresses: the raw core call from C# (awaited, and blocked on from a dedicated thread as the
    /// cmdlet's pipeline thread does); the cmdlet as one statement of a running script (timed inside the script around
    /// the statement); a module cmdlet that sends no request, the same way (the engine's cost of one command); the
    /// cmdlet as one command a host invokes (timed around <c>PowerShell.Invoke</c>, as a prompt runs a typed command).
    /// </summary>
    internal async Task<IReadOnlyList<LatencyRow>> LatencyAsync(int perRound, int rounds)
    {
        var raw = new List<long>();
        var blocking = new List<long>();
        var script = new List<long>();
        var scriptObject = new List<long>();
        var engine = new List<long>();
        var sync = new List<long>();
        var pairCmdlet = new List<long>();
        var pairCore = new List<long>();
        var pairEngine = new List<long>();
        int syncErrors = 0, pairErrors = 0, pairEngineErrors = 0;
        var host = new List<long>();
        var hostEngine = new List<long>();
        int rawErrors = 0, blockingErrors = 0, scriptErrors = 0, scriptObjectErrors = 0, engineErrors = 0, hostErrors = 0, hostEngineErrors = 0;
        const string Script = """
            param($ips)
            $lat = [long[]]::new($ips.Length)
            $i = 0
            foreach ($ip in $ips) {
                $t0 = [System.Diagnostics.Stopwatch]::GetTimestamp()
                $null = Get-OmapiLease -IPAddress $ip
                $lat[$i] = [System.Diagnostics.Stopwatch]::GetTimestamp() - $t0
                $i++
            }
            , $lat
            """;
        const string ObjectScript = """
            param($ips)
            $objects = [System.Net.IPAddress[]] $ips
            $lat = [long[]]::new($ips.Length)
            $i = 0
            foreach ($ip in $objects) {
                $t0 = [System.Diagnostics.Stopwatch]::GetTimestamp()
                $null = Get-OmapiLease -IPAddress $ip
                $lat[$i] = [System.Diagnostics.Stopwatch]::GetTimestamp() - $t0
                $i++
            }
            , $lat
            """;
        const string EngineScript = """
            param($ips)
            $lat = [long[]]::new($ips.Length)
            $i = 0
            foreach ($ip in $ips) {
                $t0 = [System.Diagnostics.Stopwatch]::GetTimestamp()
                $null = Get-OmapiSession -Default
                $lat[$i] = [System.Diagnostics.Stopwatch]::GetTimestamp() - $t0
                $i++
            }
            , $lat
            """;
        // The cmdlet and the core's synchronous GetLease (the round trip the cmdlet makes, timed inside C#) alternately,
        // address by address on the same pipeline thread: whatever the machine does meanwhile affects both alike.
        const string PairScript = """
            param($ips)
            $objects = [System.Net.IPAddress[]] $ips
            $info = Get-OmapiSession -Default
            $core = $info.GetType().GetProperty('Core', [System.Reflection.BindingFlags]'NonPublic,Instance').GetValue($info)
            $cmdlet = [long[]]::new($ips.Length)
            $raw = [long[]]::new($ips.Length)
            $i = 0
            foreach ($ip in $objects) {
                $t0 = [System.Diagnostics.Stopwatch]::GetTimestamp()
                $null = Get-OmapiLease -IPAddress $ip
                $cmdlet[$i] = [System.Diagnostics.Stopwatch]::GetTimestamp() - $t0
                $raw[$i] = [Omapi.Bench.RawProbe]::GetLease($core, $ip)
                $i++
            }
            , @($cmdlet, $raw)
            """;
        // The engine's cost of a module command that sends nothing, when each one follows a round trip to dhcpd (as the
        // cmdlet's own work does): caches and branch predictors are no longer warm from the previous command.
        const string PairEngineScript = """
            param($ips)
            $objects = [System.Net.IPAddress[]] $ips
            $info = Get-OmapiSession -Default
            $core = $info.GetType().GetProperty('Core', [System.Reflection.BindingFlags]'NonPublic,Instance').GetValue($info)
            $engine = [long[]]::new($ips.Length)
            $i = 0
            foreach ($ip in $objects) {
                $null = [Omapi.Bench.RawProbe]::GetLease($core, $ip)
                $t0 = [System.Diagnostics.Stopwatch]::GetTimestamp()
                $null = Get-OmapiSession -Default
                $engine[$i] = [System.Diagnostics.Stopwatch]::GetTimestamp() - $t0
                $i++
            }
            , $engine
            """;
        using PowerShell hostPs = PowerShell.Create();
        hostPs.Runspace = _shell.Runspace;
        for (int r = 0; r < rounds; r++)
        {
            int start = r * perRound % _leases.Count;
            string[] ips = AddressStrings(start, perRound);
            IPAddress[] addresses = Enumerable.Range(0, perRound).Select(k => _leases[(start + k) % _leases.Count].Address).ToArray();

            // Raw: OmapiSession.GetLeaseAsync on the benchmark's own warm session, one call at a time, awaited.
            foreach (IPAddress address in addresses)
            {
                long t0 = Stopwatch.GetTimestamp();
                try
                {
                    OmapiLease lease = await _raw.GetLeaseAsync(address).ConfigureAwait(false);
                    raw.Add(Stopwatch.GetTimestamp() - t0);
                    rawErrors += lease.GetIPAddress().ToIPAddress().Equals(address) ? 0 : 1;
                }
                catch (OmapiException)
                {
                    rawErrors++;
                }
            }

            // Raw, blocking: the same call waited on synchronously from a dedicated thread, as Get-OmapiLease's pipeline
            // thread does (GetAwaiter().GetResult()): the reply is read on a thread-pool thread, which wakes this one.
            var thread = new Thread(() =>
            {
                foreach (IPAddress address in addresses)
                {
                    long t0 = Stopwatch.GetTimestamp();
                    try
                    {
                        OmapiLease lease = _raw.GetLeaseAsync(address).GetAwaiter().GetResult();
                        blocking.Add(Stopwatch.GetTimestamp() - t0);
                        blockingErrors += lease.GetIPAddress().ToIPAddress().Equals(address) ? 0 : 1;
                    }
                    catch (OmapiException)
                    {
                        blockingErrors++;
                    }
                }
            }) { Name = "blocking caller" };
            thread.Start();
            thread.Join();

            // Raw, synchronous: OmapiSession.GetLease, the path Get-OmapiLease takes for one address: the calling thread
            // writes the request and reads its own reply (no other thread involved).
            thread = new Thread(() =>
            {
                foreach (IPAddress address in addresses)
                {
                    long t0 = Stopwatch.GetTimestamp();
                    try
                    {
                        OmapiLease lease = _raw.GetLease(address);
                        sync.Add(Stopwatch.GetTimestamp() - t0);
                        syncErrors += lease.GetIPAddress().ToIPAddress().Equals(address) ? 0 : 1;
                    }
                    catch (OmapiException)
                    {
                        syncErrors++;
                    }
                }
            }) { Name = "synchronous caller" };
            thread.Start();
            thread.Join();

            // The cmdlet as a statement in a script.
            Collection<PSObject> result = _shell.Invoke(Script, (object)ips);
            scriptErrors += _shell.Errors.Count;
            script.AddRange((long[])result[0].BaseObject);

            // The same with [IPAddress] objects: no string conversion in parameter binding.
            result = _shell.Invoke(ObjectScript, (object)ips);
            scriptObjectErrors += _shell.Errors.Count;
            scriptObject.AddRange((long[])result[0].BaseObject);

            // The cmdlet and the core's synchronous round trip, alternately on the pipeline thread.
            result = _shell.Invoke(PairScript, (object)ips);
            pairErrors += _shell.Errors.Count;
            var pair = (object[])result[0].BaseObject;
            pairCmdlet.AddRange((long[])pair[0]);
            pairCore.AddRange((long[])pair[1]);

            result = _shell.Invoke(PairEngineScript, (object)ips);
            pairEngineErrors += _shell.Errors.Count;
            pairEngine.AddRange((long[])result[0].BaseObject);

            // A module cmdlet that sends nothing, as a statement in the same kind of loop: the engine's per-command cost.
            result = _shell.Invoke(EngineScript, (object)ips);
            engineErrors += _shell.Errors.Count;
            engine.AddRange((long[])result[0].BaseObject);

            // The cmdlet as one command invoked by the host.
            for (int k = 0; k < ips.Length; k++)
            {
                hostPs.Commands.Clear();
                hostPs.AddCommand("Get-OmapiLease").AddParameter("IPAddress", ips[k]);
                long t0 = Stopwatch.GetTimestamp();
                Collection<PSObject> one = hostPs.Invoke();
                host.Add(Stopwatch.GetTimestamp() - t0);
                if (one.Count != 1 || hostPs.HadErrors)
                {
                    hostErrors++;
                }

                hostPs.Streams.ClearStreams();

                // The host's own cost of one command: a module cmdlet that sends nothing, invoked the same way.
                hostPs.Commands.Clear();
                hostPs.AddCommand("Get-OmapiSession").AddParameter("Default");
                t0 = Stopwatch.GetTimestamp();
                one = hostPs.Invoke();
                hostEngine.Add(Stopwatch.GetTimestamp() - t0);
                if (one.Count != 1 || hostPs.HadErrors)
                {
                    hostEngineErrors++;
                }

                hostPs.Streams.ClearStreams();
            }
        }

        return new[]
        {
            Row("raw: `await session.GetLeaseAsync(ip)` (C#, Omapi.Core)", raw, rawErrors),
            Row("raw, blocking: `session.GetLeaseAsync(ip).GetAwaiter().GetResult()` on a dedicated thread", blocking, blockingErrors),
            Row("raw, synchronous: `session.GetLease(ip)` on a dedicated thread (the path Get-OmapiLease takes for one address)", sync, syncErrors),
            Row("cmdlet in a script: `$null = Get-OmapiLease -IPAddress $ip` (timed around the statement)", script, scriptErrors),
            Row("cmdlet in a script, $ip an [IPAddress] (no string conversion in binding)", scriptObject, scriptObjectErrors),
            Row("engine only: `$null = Get-OmapiSession -Default` in the same loop (no request)", engine, engineErrors),
            Row("paired, core: `session.GetLease(ip)` (the synchronous round trip the cmdlet makes), timed in C#, called from the script between cmdlet calls", pairCore, pairErrors),
            Row("paired, cmdlet: `$null = Get-OmapiLease -IPAddress $ip`, alternating address by address with the row above", pairCmdlet, pairErrors),
            Row("paired, engine only: `$null = Get-OmapiSession -Default`, each right after a core round trip (no request of its own)", pairEngine, pairEngineErrors),
            Row("cmdlet as a host command: `Get-OmapiLease -IPAddress <ip>` (one PowerShell.Invoke)", host, hostErrors),
            Row("engine only, as a host command: `Get-OmapiSession -Default` (one PowerShell.Invoke, no request)", hostEngine, hostEngineErrors),
        };

        static LatencyRow Row(string name, List<long> ticks, int errors)
        {
            long[] sorted = ticks.ToArray();
            Array.Sort(sorted);
            return new LatencyRow(
                name,
                sorted.Length,
                Runner.Percentile(sorted, 0.50) * Runner.TicksToMicros,
                Runner.Percentile(sorted, 0.90) * Runner.TicksToMicros,
                Runner.Percentile(sorted, 0.99) * Runner.TicksToMicros,
                errors);
        }
    }

    // ---- helpers ----

    private PsRow Run(
        string name,
        string command,
        string script,
        Dictionary<string, object> parameters,
        int expected,
        Func<int, OmapiLease, string?>? check,
        string verified,
        bool? countFromScript = false,
        bool collectBeforeStart = true)
    {
        using PowerShell ps = PowerShell.Create();
        ps.Runspace = _shell.Runspace;
        ps.AddScript(script);
        foreach (KeyValuePair<string, object> p in parameters)
        {
            ps.AddParameter(p.Key, p.Value);
        }

        var sink = new LeaseSink(check);
        var progress = new List<(ProgressRecordType Type, int Percent)>();
        ps.Streams.Progress.DataAdded += (sender, e) =>
        {
            ProgressRecord record = ((PSDataCollection<ProgressRecord>)sender!)[e.Index];
            progress.Add((record.RecordType, record.PercentComplete));
        };
        string? problem = null;
        int terminating = 0;
        Meter meter = collectBeforeStart ? Meter.Start(_dhcpd.Pid) : Meter.StartWithoutCollect(_dhcpd.Pid);
        try
        {
            ps.Invoke<PSObject>(null, sink);
        }
        catch (RuntimeException ex)
        {
            terminating = 1;
            problem = "terminating: " + ex.Message;
        }

        Usage usage = meter.Stop();
        _lastProgress = progress;
        int errors = ps.Streams.Error.Count + terminating;
        problem ??= ps.Streams.Error.FirstOrDefault()?.ToString() ?? sink.FirstMismatch;

        int leases = sink.Leases;
        int mismatches = sink.Mismatches;
        if (countFromScript == true)
        {
            leases = sink.Others.Count == 1 && sink.Others[0] is int n ? n : -1;
        }
        else if (countFromScript is null)
        {
            // Out-Null: nothing reaches the host; the row counts as complete when the command reported no error.
            leases = errors == 0 ? expected : 0;
        }
        else if (leases != expected)
        {
            problem ??= $"{leases:N0} leases returned, {expected:N0} expected";
        }

        int moduleConnections = ProcInfo.ClientConnectionsTo(BenchDhcpd.OmapiPort) - _raw.Connections.Count - ExternalConnections;
        var row = new PsRow(name, command, leases, expected, verified, usage, errors, mismatches, moduleConnections, problem);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"bench: PS {name}: {row.Leases:N0} leases in {usage.Seconds:F2} s = {row.Rate:N0}/s, errors {errors}, mismatches {mismatches}{(problem is null ? string.Empty : "; " + problem)}"));
        return row;
    }

    /// <summary>Connections to dhcpd opened by other core sessions of the benchmark (subtracted from the module's count).</summary>
    internal int ExternalConnections { get; set; }

    private Func<int, OmapiLease, string?> SeededCheck(int count) =>
        (i, lease) => i >= count ? $"more than {count} leases" : Check(lease, _leases[i]);

    private static string? Check(OmapiLease lease, SeedLease expected) =>
        lease.GetIPAddress().ToIPAddress().Equals(expected.Address) ? Runner.ContentMismatch(lease, expected) : $"got {lease.IPAddress}, expected {expected.Address}";

    private string[] AddressStrings(int start, int count)
    {
        var ips = new string[count];
        for (int k = 0; k < count; k++)
        {
            ips[k] = _leases[(start + k) % _leases.Count].Address.ToString();
        }

        return ips;
    }

    private static uint ToUInt32(IPAddress address)
    {
        byte[] b = address.GetAddressBytes();
        return ((uint)b[0] << 24) | ((uint)b[1] << 16) | ((uint)b[2] << 8) | b[3];
    }

    private static IPAddress FromUInt32(uint value) =>
        new(new[] { (byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value });
}

/// <summary>Called from the benchmark's PowerShell scripts: the core's synchronous round trip, timed inside C#.</summary>
public static class RawProbe
{
    /// <summary>Ticks of one <c>session.GetLease(address)</c>; throws when the reply is for another address.</summary>
    public static long GetLease(OmapiSession session, IPAddress address)
    {
        long t0 = Stopwatch.GetTimestamp();
        OmapiLease lease = session.GetLease(address);
        long ticks = Stopwatch.GetTimestamp() - t0;
        return lease.GetIPAddress().ToIPAddress().Equals(address) ? ticks : throw new InvalidOperationException("GetLease(" + address + ") returned the lease of " + lease.IPAddress);
    }
}
