using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace PSOmapi.Testing;

/// <summary>
/// One real ISC dhcpd process serving on <see cref="NetnsSandbox.InterfaceName"/> inside the private network
/// namespace (<see cref="NetnsSandbox"/>), with its own OMAPI port, DHCP port, config, leases file, pid file and log,
/// all named after <see cref="Name"/> in <see cref="Directory"/>. Shared by the test fixture and the benchmark; no test
/// framework in here.
/// </summary>
/// <remarks>
/// <para>
/// Start and stop are not synchronised with each other: callers that may start, stop or restart one instance
/// concurrently serialise those calls themselves.
/// </para>
/// <para>
/// Cleanup: every dhcpd started here is stopped by its pid (SIGTERM, then SIGKILL). Until it is stopped, it is also
/// tracked process-wide: <see cref="KillAllLive"/> SIGKILLs every one still running, and it runs by itself when the
/// process exits (normal exit, or SIGTERM of the process).
/// </para>
/// </remarks>
public sealed class DhcpdProcess
{
    /// <summary>The dhcpd binary (Debian <c>isc-dhcp-server</c>).</summary>
    public const string DhcpdPath = "/usr/sbin/dhcpd";

    // dhcpd's OMAPI intro: protocol version 100, header size 24.
    private static readonly byte[] ExpectedIntro = [0x00, 0x00, 0x00, 0x64, 0x00, 0x00, 0x00, 0x18];

    // Every dhcpd this process started and has not reaped yet, so ProcessExit can kill them if the run is aborted.
    private static readonly ConcurrentDictionary<int, Process> s_live = new();
    private static int s_exitHookInstalled;

    private Process? _process;

    /// <summary>Describes a dhcpd; nothing starts before <see cref="StartAsync"/>.</summary>
    /// <param name="name">Short name, used for the file names (<c>NAME.conf</c> ...) and in messages.</param>
    /// <param name="directory">The private (0700) working directory holding the files.</param>
    /// <param name="host">The address clients reach the OMAPI port at (inside the namespace).</param>
    /// <param name="port">The OMAPI TCP port (the config's <c>omapi-port</c>).</param>
    /// <param name="dhcpPort">The DHCP UDP port given with <c>-p</c> (unique per instance so several can share the interface).</param>
    public DhcpdProcess(string name, string directory, string host, int port, int dhcpPort)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(host);
        Name = name;
        Directory = directory;
        Host = host;
        Port = port;
        DhcpPort = dhcpPort;
    }

    /// <summary>Short name: the base of the file names, and how messages name this dhcpd.</summary>
    public string Name { get; }

    /// <summary>The private working directory.</summary>
    public string Directory { get; }

    /// <summary>The address of the OMAPI listener, reachable from inside the namespace only.</summary>
    public string Host { get; }

    /// <summary>The OMAPI TCP port (<c>omapi-port</c>).</summary>
    public int Port { get; }

    /// <summary>The DHCP UDP port given with <c>-p</c>.</summary>
    public int DhcpPort { get; }

    /// <summary>The <c>dhcpd.conf</c> (<c>-cf</c>); the caller writes it before <see cref="StartAsync"/>.</summary>
    public string ConfigFilePath => Path.Combine(Directory, Name + ".conf");

    /// <summary>The leases file (<c>-lf</c>); the caller writes it before <see cref="StartAsync"/>, dhcpd rewrites it at every start.</summary>
    public string LeasesFilePath => Path.Combine(Directory, Name + ".leases");

    /// <summary>The pid file (<c>-pf</c>).</summary>
    public string PidFilePath => Path.Combine(Directory, Name + ".pid");

    /// <summary>dhcpd's stdout and stderr (<c>-d</c>), appended across restarts.</summary>
    public string LogFilePath => Path.Combine(Directory, Name + ".log");

    /// <summary>The pid of the running dhcpd, or 0 when it is not running.</summary>
    public int Pid
    {
        get
        {
            Process? p = _process;
            return p is not null && IsRunning ? p.Id : 0;
        }
    }

    /// <summary>True while the dhcpd process started here is alive.</summary>
    public bool IsRunning
    {
        get
        {
            Process? p = _process;
            try
            {
                return p is not null && !p.HasExited;
            }
            catch (InvalidOperationException)
            {
                return false;
            }
        }
    }

    /// <summary>
    /// <see cref="IsRunning"/>, confirmed from outside .NET's process tracking: <c>kill -0 pid</c> must succeed too.
    /// </summary>
    public bool IsRunningAndSignalable()
    {
        Process? p = _process;
        return p is not null && IsRunning && Kill("-0", p.Id) == 0;
    }

    /// <summary>The whole log (every start of this dhcpd).</summary>
    public string ReadLog()
    {
        if (!File.Exists(LogFilePath))
        {
            return string.Empty;
        }

        using var stream = new FileStream(LogFilePath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>The last <paramref name="lines"/> lines of the log.</summary>
    public string ReadLogTail(int lines)
    {
        string[] all = ReadLog().Split('\n');
        return string.Join('\n', all.Skip(Math.Max(0, all.Length - lines)));
    }

    /// <summary>
    /// Starts dhcpd (unless it is running) as <c>dhcpd -4 -f -d -cf CONF -lf LEASES -pf PID -p DHCPPORT v0</c> and
    /// waits until its OMAPI port sends the intro. On failure (dhcpd exits, no intro within
    /// <paramref name="introTimeout"/>, cancellation) it stops dhcpd again and throws, with the log's tail in the message.
    /// </summary>
    /// <param name="introTimeout">How long to wait for the OMAPI intro.</param>
    /// <param name="logTailLines">How many lines of the log a failure message quotes.</param>
    /// <param name="cancellationToken">Cancels the wait (dhcpd is then stopped).</param>
    public async Task StartAsync(TimeSpan introTimeout, int logTailLines, CancellationToken cancellationToken = default)
    {
        if (IsRunning)
        {
            return;
        }

        InstallExitHook();

        // A stale pid file naming a live (reused) pid would make dhcpd refuse to start.
        File.Delete(PidFilePath);

        // sh only redirects and then execs dhcpd, so the Process we track *is* dhcpd (same pid).
        var psi = new ProcessStartInfo("/bin/sh")
        {
            UseShellExecute = false,
            WorkingDirectory = Directory,
        };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("exec \"$@\" </dev/null >>\"$PSOMAPI_DHCPD_LOG\" 2>&1");
        psi.ArgumentList.Add("dhcpd");
        foreach (string arg in new[]
                 {
                     DhcpdPath, "-4", "-f", "-d",
                     "-cf", ConfigFilePath, "-lf", LeasesFilePath, "-pf", PidFilePath,
                     "-p", DhcpPort.ToString(CultureInfo.InvariantCulture),
                     NetnsSandbox.InterfaceName,
                 })
        {
            psi.ArgumentList.Add(arg);
        }

        psi.Environment["PSOMAPI_DHCPD_LOG"] = LogFilePath;

        Process process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {DhcpdPath}");
        _process = process;
        s_live[process.Id] = process;

        try
        {
            await WaitForIntroAsync(process, introTimeout, logTailLines, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await StopAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Stops dhcpd by its pid: SIGTERM, then SIGKILL if it has not exited after 3 seconds.</summary>
    public async Task StopAsync()
    {
        Process? process = _process;
        _process = null;
        if (process is null)
        {
            return;
        }

        try
        {
            if (!process.HasExited)
            {
                // .NET has no API to send SIGTERM; kill(1) does it by pid. If that fails, SIGKILL follows below.
                Kill("-TERM", process.Id);
                using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(3));
                try
                {
                    await process.WaitForExitAsync(grace.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    try
                    {
                        process.Kill();
                    }
                    catch (InvalidOperationException)
                    {
                        // exited meanwhile
                    }

                    await process.WaitForExitAsync().ConfigureAwait(false);
                }
            }
        }
        finally
        {
            s_live.TryRemove(process.Id, out _);
            process.Dispose();
        }
    }

    /// <summary>Connects to an OMAPI port and reads exactly the 8-byte intro the server sends first.</summary>
    public static async Task<byte[]> ReadIntroAsync(string host, int port, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(host, port, cancellationToken).ConfigureAwait(false);
        NetworkStream stream = client.GetStream();
        byte[] intro = new byte[8];
        await stream.ReadExactlyAsync(intro, cancellationToken).ConfigureAwait(false);
        return intro;
    }

    /// <summary>SIGKILLs every dhcpd this process started and still tracks (last-resort cleanup).</summary>
    public static void KillAllLive()
    {
        foreach (Process p in s_live.Values)
        {
            try
            {
                if (!p.HasExited)
                {
                    p.Kill();
                }
            }
            catch (InvalidOperationException)
            {
                // already gone
            }
        }
    }

    /// <summary>
    /// Writes a config or leases file only its owner may read or write (0600 from its creation on): the configs hold
    /// the run's random OMAPI secrets.
    /// </summary>
    public static void WritePrivateFile(string path, string text)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(text);
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(path, options))
        using (var writer = new StreamWriter(stream, new UTF8Encoding(false)))
        {
            writer.Write(text);
        }

        if (!OperatingSystem.IsWindows())
        {
            // UnixCreateMode applies to a new file only; an existing one keeps its mode unless set here.
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    private async Task WaitForIntroAsync(Process process, TimeSpan introTimeout, int logTailLines, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        string lastError = "no attempt made";
        while (clock.Elapsed < introTimeout)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (process.HasExited)
            {
                throw new InvalidOperationException(
                    $"dhcpd {Name} exited with code {process.ExitCode} before its OMAPI port {Port} came up. Log tail:\n{ReadLogTail(logTailLines)}");
            }

            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            attempt.CancelAfter(TimeSpan.FromSeconds(2));
            try
            {
                byte[] intro = await ReadIntroAsync(Host, Port, attempt.Token).ConfigureAwait(false);
                if (intro.AsSpan().SequenceEqual(ExpectedIntro))
                {
                    return;
                }

                lastError = "unexpected intro " + Convert.ToHexString(intro);
            }
            catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                lastError = ex.GetType().Name + ": " + ex.Message;
            }

            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }

        throw new TimeoutException(
            $"dhcpd {Name} (pid {process.Id}) did not send the OMAPI intro on {Host}:{Port} within {introTimeout.TotalSeconds} s " +
            $"(last error: {lastError}). Log tail:\n{ReadLogTail(logTailLines)}");
    }

    /// <summary>Runs <c>kill SIGNAL pid</c>; its exit code, or null when kill(1) could not be run.</summary>
    private static int? Kill(string signal, int pid)
    {
        try
        {
            // Output is discarded ("kill -0" of a process that is gone complains on stderr; the exit code says it). It is
            // a line at most, so it fits in the pipe and need not be read for kill to exit.
            var psi = new ProcessStartInfo("kill")
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            psi.ArgumentList.Add(signal);
            psi.ArgumentList.Add(pid.ToString(CultureInfo.InvariantCulture));
            using Process? kill = Process.Start(psi);
            return kill is not null && kill.WaitForExit(5000) ? kill.ExitCode : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // kill(1) missing: StopAsync falls back to SIGKILL.
            return null;
        }
    }

    private static void InstallExitHook()
    {
        if (Interlocked.Exchange(ref s_exitHookInstalled, 1) == 0)
        {
            // Runs on normal exit and on SIGTERM of the process: never leave a dhcpd behind.
            AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAllLive();
        }
    }
}
