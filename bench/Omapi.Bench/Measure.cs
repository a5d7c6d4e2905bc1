using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;

namespace Omapi.Bench;

/// <summary>Wall time, CPU of dhcpd and of this process, machine busy time and allocations over one timed section.</summary>
internal sealed record Usage(double Seconds, double DhcpdCpuSeconds, double ClientCpuSeconds, double MachineBusySeconds, long AllocatedBytes, int Gen0, int Gen1, int Gen2, long DhcpdWakeups, Cpu DhcpdCpu, Cpu ClientCpu)
{
    /// <summary>CPU used on the machine during the section by everything but the benchmark and its dhcpd.</summary>
    public double OtherCpuSeconds => Math.Max(0, MachineBusySeconds - DhcpdCpuSeconds - ClientCpuSeconds);
}

/// <summary>Measures one timed section: <c>using var m = Meter.Start(pid); ...; Usage u = m.Stop();</c>.</summary>
internal sealed class Meter
{
    private readonly int _dhcpdPid;
    private readonly long _alloc0;
    private readonly double _dhcpd0;
    private readonly double _client0;
    private readonly double _busy0;
    private readonly int _gen0;
    private readonly int _gen1;
    private readonly int _gen2;
    private readonly long _wakeups0;
    private readonly Cpu _dhcpdSplit0;
    private readonly Cpu _clientSplit0;
    private readonly long _start;

    private Meter(int dhcpdPid)
    {
        _dhcpdPid = dhcpdPid;
        _alloc0 = GC.GetTotalAllocatedBytes(precise: true);
        _gen0 = GC.CollectionCount(0);
        _gen1 = GC.CollectionCount(1);
        _gen2 = GC.CollectionCount(2);
        _dhcpd0 = Runner.CpuSeconds(dhcpdPid);
        _client0 = Runner.CpuSeconds(Environment.ProcessId);
        _busy0 = Runner.MachineBusySeconds();
        _wakeups0 = ProcInfo.Wakeups(dhcpdPid);
        _dhcpdSplit0 = Runner.CpuSplit(dhcpdPid);
        _clientSplit0 = Runner.CpuSplit(Environment.ProcessId);
        _start = System.Diagnostics.Stopwatch.GetTimestamp();
    }

    /// <summary>Collects garbage first (so one section's garbage is not collected in the next), then starts.</summary>
    internal static Meter Start(int dhcpdPid)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return new Meter(dhcpdPid);
    }

    /// <summary>Starts without collecting (the caller collected already and must not disturb what it set up).</summary>
    internal static Meter StartWithoutCollect(int dhcpdPid) => new(dhcpdPid);

    internal Usage Stop()
    {
        double seconds = System.Diagnostics.Stopwatch.GetElapsedTime(_start).TotalSeconds;
        return new Usage(
            seconds,
            Runner.CpuSeconds(_dhcpdPid) - _dhcpd0,
            Runner.CpuSeconds(Environment.ProcessId) - _client0,
            Runner.MachineBusySeconds() - _busy0,
            GC.GetTotalAllocatedBytes(precise: true) - _alloc0,
            GC.CollectionCount(0) - _gen0,
            GC.CollectionCount(1) - _gen1,
            GC.CollectionCount(2) - _gen2,
            ProcInfo.Wakeups(_dhcpdPid) - _wakeups0,
            Runner.CpuSplit(_dhcpdPid) - _dhcpdSplit0,
            Runner.CpuSplit(Environment.ProcessId) - _clientSplit0);
    }
}

/// <summary>Small readers of /proc for memory and sockets (this process's namespaces only).</summary>
internal static class ProcInfo
{
    /// <summary>A "VmXxx:   1234 kB" field of /proc/&lt;pid&gt;/status, in bytes (0 when unreadable).</summary>
    internal static long StatusBytes(int pid, string field)
    {
        try
        {
            string path = "/proc/" + (pid == 0 ? "self" : pid.ToString(CultureInfo.InvariantCulture)) + "/status";
            string? line = File.ReadLines(path).FirstOrDefault(l => l.StartsWith(field + ":", StringComparison.Ordinal));
            if (line is null)
            {
                return 0;
            }

            string[] parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return long.Parse(parts[1], CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>
    /// Resets this process's peak resident set size (VmHWM) to the current RSS: "5" into /proc/self/clear_refs
    /// (Linux 4.0+). False when the kernel refuses.
    /// </summary>
    internal static bool ResetPeakRss()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>
    /// Established TCP connections whose remote port is <paramref name="port"/> (client sockets to dhcpd's OMAPI port),
    /// from /proc/net/tcp, which is per network namespace.
    /// </summary>
    internal static int ClientConnectionsTo(int port)
    {
        try
        {
            string portHex = ":" + port.ToString("X4", CultureInfo.InvariantCulture);
            int count = 0;
            foreach (string line in File.ReadLines("/proc/net/tcp").Skip(1))
            {
                string[] f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (f.Length > 3 && f[2].EndsWith(portHex, StringComparison.Ordinal) && f[3] == "01")
                {
                    count++;
                }
            }

            return count;
        }
        catch (IOException)
        {
            return -1;
        }
    }

    /// <summary>
    /// How often a process went to sleep voluntarily (voluntary_ctxt_switches in /proc/&lt;pid&gt;/status): for dhcpd,
    /// single-threaded around one select(), each is one wait for input, so lookups / this = requests served per wakeup.
    /// </summary>
    internal static long Wakeups(int pid)
    {
        try
        {
            string? line = File.ReadLines("/proc/" + pid.ToString(CultureInfo.InvariantCulture) + "/status").FirstOrDefault(l => l.StartsWith("voluntary_ctxt_switches:", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line.Split(':', 2)[1].Trim(), CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return 0;
        }
    }

    internal static double Mb(long bytes) => bytes / (1024.0 * 1024.0);

    internal static string Join(IEnumerable<string> parts) => string.Join(", ", parts);
}
