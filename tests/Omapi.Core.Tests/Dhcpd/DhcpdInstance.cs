using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace Omapi.Core.Tests.Dhcpd;

/// <summary>
/// One real dhcpd process started by <see cref="DhcpdFixture"/> inside the test's private network namespace,
/// with its own OMAPI port, OMAPI key, config, leases file, pid file and log.
/// </summary>
/// <remarks>
/// Instances are shared by every test in the assembly. A test that stops or restarts one must not run in parallel
/// with tests using it (put such tests in a non-parallel collection).
/// </remarks>
public sealed class DhcpdInstance
{
    /// <summary>How long <see cref="StartAsync"/> waits for the OMAPI intro.</summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(15);

    private static readonly byte[] ExpectedIntro = [0x00, 0x00, 0x00, 0x64, 0x00, 0x00, 0x00, 0x18];

    // Every dhcpd this process started and has not reaped yet, so ProcessExit can kill them if the run is aborted.
    private static readonly ConcurrentDictionary<int, Process> s_live = new();
    private static int s_exitHookInstalled;

    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private Process? _process;

    internal DhcpdInstance(
        string name,
        string directory,
        int omapiPort,
        int dhcpPort,
        string keyName,
        string algorithm,
        string secretBase64)
    {
        Name = name;
        Directory = directory;
        Port = omapiPort;
        DhcpPort = dhcpPort;
        KeyName = keyName;
        Algorithm = algorithm;
        SecretBase64 = secretBase64;
    }

    /// <summary>Short name: <c>main</c>, <c>hmac-sha1</c> ... <c>hmac-sha512</c>, <c>failover</c>.</summary>
    public string Name { get; }

    /// <summary>The address of the OMAPI listener, reachable from inside the namespace only.</summary>
    public string Host => DhcpdScenario.OmapiHost;

    /// <summary>The OMAPI TCP port (<c>omapi-port</c>).</summary>
    public int Port { get; }

    /// <summary>The DHCP UDP port given with <c>-p</c> (unique per instance so several can share the interface).</summary>
    public int DhcpPort { get; }

    /// <summary>The name of this instance's <c>omapi-key</c>.</summary>
    public string KeyName { get; }

    /// <summary>The key's algorithm, upper case without suffix: <c>HMAC-MD5</c>, <c>HMAC-SHA256</c>, ...</summary>
    public string Algorithm { get; }

    /// <summary>
    /// The algorithm string as dhcpd stores it (the conf's lower-case name plus <c>.SIG-ALG.REG.INT.</c>),
    /// which the authenticator open must match (ignoring case) and which dhcpd returns.
    /// </summary>
    public string AlgorithmWireName => Algorithm.ToLowerInvariant() + ".SIG-ALG.REG.INT.";

    /// <summary>
    /// TEST-ONLY secret of <see cref="KeyName"/>, base64 of 32 random bytes generated for this test run. Never log
    /// it; <see cref="ToString"/> does not include it.
    /// </summary>
    public string SecretBase64 { get; }

    /// <summary>The decoded TEST-ONLY secret (a fresh copy).</summary>
    public byte[] GetSecretBytes() => Convert.FromBase64String(SecretBase64);

    /// <summary>The instance's private working directory.</summary>
    public string Directory { get; }

    /// <summary>The <c>dhcpd.conf</c> this instance runs with.</summary>
    public string ConfigFilePath => Path.Combine(Directory, Name + ".conf");

    /// <summary>The leases file (<c>-lf</c>); dhcpd rewrites it at every start.</summary>
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

    /// <summary>True while the dhcpd process this instance started is alive.</summary>
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

    /// <summary>The whole log (every start of this instance).</summary>
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
    public string ReadLogTail(int lines = 30)
    {
        string[] all = ReadLog().Split('\n');
        return string.Join('\n', all.Skip(Math.Max(0, all.Length - lines)));
    }

    /// <summary>The current leases file text.</summary>
    public string ReadLeasesFile() => File.ReadAllText(LeasesFilePath);

    /// <inheritdoc/>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"dhcpd {Name} {Host}:{Port} key {KeyName} ({Algorithm}) pid {Pid}");

    /// <summary>Starts dhcpd (if not running) and waits until its OMAPI port sends the intro.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await _lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await StartCoreAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>Stops dhcpd: SIGTERM, then SIGKILL if it has not exited after a couple of seconds.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        await _lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await StopCoreAsync().ConfigureAwait(false);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>Stops dhcpd and starts it again with the same config, leases file and key; waits for the intro.</summary>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        await _lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await StopCoreAsync().ConfigureAwait(false);
            await StartCoreAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    private async Task StartCoreAsync(CancellationToken cancellationToken)
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
                     DhcpdFixture.DhcpdPath, "-4", "-f", "-d",
                     "-cf", ConfigFilePath, "-lf", LeasesFilePath, "-pf", PidFilePath,
                     "-p", DhcpPort.ToString(CultureInfo.InvariantCulture),
                     DhcpdScenario.InterfaceName,
                 })
        {
            psi.ArgumentList.Add(arg);
        }

        psi.Environment["PSOMAPI_DHCPD_LOG"] = LogFilePath;

        Process process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {DhcpdFixture.DhcpdPath}");
        _process = process;
        s_live[process.Id] = process;

        try
        {
            await WaitForIntroAsync(process, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await StopCoreAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task WaitForIntroAsync(Process process, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        string lastError = "no attempt made";
        while (clock.Elapsed < StartTimeout)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (process.HasExited)
            {
                throw new InvalidOperationException(
                    $"dhcpd {Name} exited with code {process.ExitCode} before its OMAPI port {Port} came up. Log tail:\n{ReadLogTail()}");
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
            $"dhcpd {Name} (pid {process.Id}) did not send the OMAPI intro on {Host}:{Port} within {StartTimeout.TotalSeconds} s " +
            $"(last error: {lastError}). Log tail:\n{ReadLogTail()}");
    }

    /// <summary>Connects to an OMAPI port and reads exactly the 8-byte intro the server sends first.</summary>
    internal static async Task<byte[]> ReadIntroAsync(string host, int port, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(host, port, cancellationToken).ConfigureAwait(false);
        NetworkStream stream = client.GetStream();
        byte[] intro = new byte[8];
        await stream.ReadExactlyAsync(intro, cancellationToken).ConfigureAwait(false);
        return intro;
    }

    private async Task StopCoreAsync()
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
                SendSigterm(process.Id);
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

    private static void SendSigterm(int pid)
    {
        // .NET has no API to send SIGTERM; kill(1) does it by pid. If that fails, StopCoreAsync falls back to SIGKILL.
        try
        {
            var psi = new ProcessStartInfo("kill") { UseShellExecute = false };
            psi.ArgumentList.Add("-TERM");
            psi.ArgumentList.Add(pid.ToString(CultureInfo.InvariantCulture));
            using Process? kill = Process.Start(psi);
            kill?.WaitForExit(5000);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // kill(1) missing: the SIGKILL fallback handles it.
        }
    }

    private static void InstallExitHook()
    {
        if (Interlocked.Exchange(ref s_exitHookInstalled, 1) == 0)
        {
            // Runs on normal exit and on SIGTERM of the test host: never leave a dhcpd behind.
            AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAllLive();
        }
    }

    /// <summary>SIGKILLs every dhcpd this process started and still tracks (last-resort cleanup).</summary>
    internal static void KillAllLive()
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
}
