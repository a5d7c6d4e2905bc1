using System;
using System.Globalization;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace PSOmapi.Testing;

/// <summary>
/// One real dhcpd process started by <see cref="DhcpdLab"/> inside the test's private network namespace,
/// with its own OMAPI port, OMAPI key, config, leases file, pid file and log. The process itself is a
/// <see cref="DhcpdProcess"/> (also used by the benchmark and the demo); this class adds the key and serialises
/// start, stop and restart.
/// </summary>
/// <remarks>
/// Instances are shared by every test in the assembly. A test that stops or restarts one must not run in parallel
/// with tests using it (put such tests in a non-parallel collection).
/// </remarks>
public sealed class DhcpdInstance
{
    /// <summary>How long <see cref="StartAsync"/> waits for the OMAPI intro.</summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(15);

    // How many lines of the log a start failure quotes.
    private const int StartFailureLogTailLines = 30;

    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private readonly DhcpdProcess _process;

    public DhcpdInstance(
        string name,
        string directory,
        int omapiPort,
        int dhcpPort,
        string keyName,
        string algorithm,
        string secretBase64)
    {
        _process = new DhcpdProcess(name, directory, DhcpdScenario.OmapiHost, omapiPort, dhcpPort);
        KeyName = keyName;
        Algorithm = algorithm;
        SecretBase64 = secretBase64;
    }

    /// <summary>Short name: <c>main</c>, <c>hmac-sha1</c> ... <c>hmac-sha512</c>, <c>failover</c>.</summary>
    public string Name => _process.Name;

    /// <summary>The address of the OMAPI listener, reachable from inside the namespace only.</summary>
    public string Host => _process.Host;

    /// <summary>The OMAPI TCP port (<c>omapi-port</c>).</summary>
    public int Port => _process.Port;

    /// <summary>The DHCP UDP port given with <c>-p</c> (unique per instance so several can share the interface).</summary>
    public int DhcpPort => _process.DhcpPort;

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
    public string Directory => _process.Directory;

    /// <summary>The <c>dhcpd.conf</c> this instance runs with.</summary>
    public string ConfigFilePath => _process.ConfigFilePath;

    /// <summary>The leases file (<c>-lf</c>); dhcpd rewrites it at every start.</summary>
    public string LeasesFilePath => _process.LeasesFilePath;

    /// <summary>The pid file (<c>-pf</c>).</summary>
    public string PidFilePath => _process.PidFilePath;

    /// <summary>dhcpd's stdout and stderr (<c>-d</c>), appended across restarts.</summary>
    public string LogFilePath => _process.LogFilePath;

    /// <summary>The pid of the running dhcpd, or 0 when it is not running.</summary>
    public int Pid => _process.Pid;

    /// <summary>True while the dhcpd process this instance started is alive.</summary>
    public bool IsRunning => _process.IsRunning;

    /// <summary>The whole log (every start of this instance).</summary>
    public string ReadLog() => _process.ReadLog();

    /// <summary>The last <paramref name="lines"/> lines of the log.</summary>
    public string ReadLogTail(int lines = 30) => _process.ReadLogTail(lines);

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

    private Task StartCoreAsync(CancellationToken cancellationToken) =>
        _process.StartAsync(StartTimeout, StartFailureLogTailLines, cancellationToken);

    private Task StopCoreAsync() => _process.StopAsync();

    /// <summary>Connects to an OMAPI port and reads exactly the 8-byte intro the server sends first.</summary>
    public static Task<byte[]> ReadIntroAsync(string host, int port, CancellationToken cancellationToken) =>
        DhcpdProcess.ReadIntroAsync(host, port, cancellationToken);
}
