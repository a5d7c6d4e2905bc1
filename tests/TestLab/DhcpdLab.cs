using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Threading.Tasks;

namespace PSOmapi.Testing;

/// <summary>
/// The set of real dhcpd instances every test layer runs against: the xunit fixtures, the Pester suite (which loads
/// this assembly into pwsh), and nothing else needs to know how they are configured.
/// </summary>
/// <remarks>
/// <para>
/// Safety: <see cref="StartAsync"/> refuses unless <see cref="NetnsSandbox.CheckEnvironment"/> agrees that this
/// process runs in a private network namespace made for the tests (<c>PSOMAPI_NETNS=1</c> and no interface but
/// <c>lo</c>); only then does it create the veth and start dhcpd. <see cref="DisposeAsync"/> stops every dhcpd by its
/// pid and removes the veth and the working directory (which holds this run's random secrets).
/// </para>
/// <para>
/// The instances, in order: one per algorithm of <see cref="DhcpdScenario.Algorithms"/> (the first, HMAC-MD5, is
/// <see cref="Main"/> with the seeded leases, conf hosts, group and class; the others serve the crossing layout),
/// <see cref="Failover"/>, the HMAC-MD5 crossing instance, and — when <see cref="DhcpdLabOptions.DocsWorld"/> is set —
/// <see cref="Docs"/>, the server the documentation's examples talk to (<see cref="DocsWorld"/>), and its failover
/// partner <see cref="DocsPartner"/>.
/// </para>
/// </remarks>
public sealed class DhcpdLab : IAsyncDisposable, IDisposable
{
    private readonly List<DhcpdInstance> _instances = new();
    private readonly Dictionary<string, string> _initialLeases = new(StringComparer.OrdinalIgnoreCase);
    private readonly DhcpdLabOptions _options;
    private bool _vethSetUp;
    private string? _directory;

    private DhcpdLab(DhcpdLabOptions options)
    {
        _options = options;
    }

    /// <summary>The working directory (configs, leases files, pid files, logs), or null after disposal.</summary>
    public string? Directory => _directory;

    /// <summary>The main instance: HMAC-MD5 key <c>omapi_key</c>, seeded leases, conf hosts, group, class.</summary>
    public DhcpdInstance Main => _instances[0];

    /// <summary>One instance per algorithm, in <see cref="DhcpdScenario.Algorithms"/> order (HMAC-MD5 is
    /// <see cref="Main"/>).</summary>
    public IReadOnlyList<DhcpdInstance> ByAlgorithm => _instances.Take(DhcpdScenario.Algorithms.Count).ToArray();

    /// <summary>The instance with a <c>failover peer</c> (see <see cref="DhcpdScenario.FailoverPeer"/>).</summary>
    public DhcpdInstance Failover => _instances[DhcpdScenario.Algorithms.Count];

    /// <summary>The instance the documentation's examples run against (null unless
    /// <see cref="DhcpdLabOptions.DocsWorld"/> was set).</summary>
    public DhcpdInstance? Docs { get; private set; }

    /// <summary>The failover partner (secondary) of <see cref="Docs"/> (null unless
    /// <see cref="DhcpdLabOptions.DocsWorld"/> was set).</summary>
    public DhcpdInstance? DocsPartner { get; private set; }

    /// <summary>Every instance.</summary>
    public IReadOnlyList<DhcpdInstance> All => _instances.ToArray();

    /// <summary>TEST-ONLY random secret of <see cref="DhcpdScenario.OtherKeyName"/> on the main instance.</summary>
    public string OtherKeySecretBase64 { get; private set; } = string.Empty;

    /// <summary>The instance named <paramref name="name"/> (<c>main</c>, <c>hmac-sha256</c>, <c>failover</c>,
    /// <c>crossing-md5</c>, <c>docs</c>, <c>docs-partner</c>).</summary>
    public DhcpdInstance Get(string name) =>
        _instances.FirstOrDefault(i => string.Equals(i.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException("no dhcpd instance is named " + name, nameof(name));

    /// <summary>The instance whose key uses <paramref name="algorithm"/> (<c>HMAC-MD5</c> ... <c>HMAC-SHA512</c>,
    /// case-insensitive, with or without the <c>.SIG-ALG.REG.INT.</c> suffix).</summary>
    public DhcpdInstance ForAlgorithm(string algorithm)
    {
        ArgumentNullException.ThrowIfNull(algorithm);
        string bare = algorithm.Split('.')[0];
        return ByAlgorithm.FirstOrDefault(i => string.Equals(i.Algorithm, bare, StringComparison.OrdinalIgnoreCase))
               ?? throw new ArgumentException("no dhcpd instance uses algorithm " + algorithm, nameof(algorithm));
    }

    /// <summary>
    /// The instance that serves the crossing layout (<see cref="DhcpdScenario.CrossingLeases"/>) with a key of
    /// <paramref name="algorithm"/>: the algorithm's instance, or for HMAC-MD5 (main has its own layout) one of its own.
    /// </summary>
    public DhcpdInstance CrossingInstance(string algorithm) =>
        string.Equals(algorithm.Split('.')[0], "HMAC-MD5", StringComparison.OrdinalIgnoreCase) ? Get("crossing-md5") : ForAlgorithm(algorithm);

    /// <summary>
    /// Starts the lab: checks the namespace, creates the veth, writes every config and leases file and starts every
    /// dhcpd, waiting for each one's OMAPI intro. On any failure, stops what it started and throws.
    /// </summary>
    /// <exception cref="InvalidOperationException">This process is not in a private namespace made for the tests
    /// (the message says why), or a dhcpd did not come up (the message quotes its log).</exception>
    public static async Task<DhcpdLab> StartAsync(DhcpdLabOptions? options = null)
    {
        options ??= new DhcpdLabOptions();
        string? refusal = Refusal(options);
        if (refusal is not null)
        {
            throw new InvalidOperationException(refusal);
        }

        var lab = new DhcpdLab(options);
        try
        {
            await lab.StartAllAsync().ConfigureAwait(false);
            return lab;
        }
        catch
        {
            await lab.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Stops the named instances, writes each one's leases file as it was before its first start (so every change
    /// made over OMAPI since then is gone: hosts, groups, classes, lease states) and starts them again, waiting for
    /// each one's OMAPI intro. Their configs and keys stay.
    /// </summary>
    /// <param name="names">The instances to reset, for example <c>docs</c> and <c>docs-partner</c>.</param>
    public async Task ResetAsync(params string[] names)
    {
        ArgumentNullException.ThrowIfNull(names);
        DhcpdInstance[] instances = names.Select(Get).ToArray();
        foreach (DhcpdInstance instance in instances)
        {
            await instance.StopAsync().ConfigureAwait(false);
        }

        foreach (DhcpdInstance instance in instances)
        {
            DhcpdProcess.WritePrivateFile(instance.LeasesFilePath, _initialLeases[instance.Name]);
        }

        await Task.WhenAll(instances.Select(i => i.StartAsync())).ConfigureAwait(false);
    }

    /// <summary>Blocking <see cref="ResetAsync"/>, for PowerShell.</summary>
    public void Reset(params string[] names) => ResetAsync(names).GetAwaiter().GetResult();

    /// <summary>Blocking <see cref="StartAsync"/>, for PowerShell.</summary>
    public static DhcpdLab Start(DhcpdLabOptions? options = null) => StartAsync(options).GetAwaiter().GetResult();

    /// <summary>Why a lab cannot start in this process (not a private namespace made for the tests), or null.</summary>
    public static string? Refusal(DhcpdLabOptions? options = null)
    {
        options ??= new DhcpdLabOptions();
        return NetnsSandbox.CheckEnvironment("dhcpd tests run", options.Script, options.MadeFor);
    }

    /// <summary>Stops every dhcpd (by pid), removes the veth this process created and the working directory
    /// (kept when <see cref="DhcpdLabOptions.KeepDirectory"/> is set).</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (DhcpdInstance instance in _instances)
        {
            await instance.StopAsync().ConfigureAwait(false);
        }

        DhcpdProcess.KillAllLive();

        if (_vethSetUp)
        {
            _vethSetUp = false;
            try
            {
                // Deletes the veth only if this process created it.
                await NetnsSandbox.RemoveVethAsync().ConfigureAwait(false);
            }
            catch (InvalidOperationException)
            {
                // The namespace (and the veth with it) goes away with the process anyway.
            }
        }

        if (_directory is not null && !_options.KeepDirectory && System.IO.Directory.Exists(_directory))
        {
            System.IO.Directory.Delete(_directory, recursive: true);
        }

        _directory = null;
    }

    /// <inheritdoc/>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private static string NewSecret() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    private DhcpdInstance Add(string name, int omapiPort, int dhcpPort, string keyName, string algorithm, string conf, string leases)
    {
        var instance = new DhcpdInstance(name, _directory!, omapiPort, dhcpPort, keyName, algorithm, NewSecret());
        DhcpdProcess.WritePrivateFile(instance.ConfigFilePath, conf.Replace(SecretPlaceholder, instance.SecretBase64, StringComparison.Ordinal));
        DhcpdProcess.WritePrivateFile(instance.LeasesFilePath, leases);
        _initialLeases[name] = leases;
        _instances.Add(instance);
        return instance;
    }

    // Configs are built before the instance's secret exists; this stands for it until the file is written.
    private const string SecretPlaceholder = "@@SECRET@@";

    private async Task StartAllAsync()
    {
        string cidr = string.Create(CultureInfo.InvariantCulture, $"{DhcpdScenario.ServerAddress}/{DhcpdScenario.SubnetPrefixLength}");
        _vethSetUp = true;
        await NetnsSandbox.SetUpVethAsync(cidr).ConfigureAwait(false);

        // 0700 directory: the configs inside hold this run's random secrets.
        _directory = System.IO.Directory.CreateTempSubdirectory("psomapi-dhcpd-").FullName;
        OtherKeySecretBase64 = NewSecret();

        int omapiPort = _options.FirstOmapiPort;
        int dhcpPort = _options.FirstDhcpPort;
        foreach (string algorithm in DhcpdScenario.Algorithms)
        {
            bool isMain = _instances.Count == 0;
            string name = isMain ? "main" : algorithm.ToLowerInvariant();
            string keyName = isMain ? DhcpdScenario.MainKeyName : "key_" + algorithm["HMAC-".Length..].ToLowerInvariant();
            string conf = isMain
                ? DhcpdScenario.BuildMainConf(omapiPort, keyName, algorithm, SecretPlaceholder, OtherKeySecretBase64)
                : DhcpdScenario.BuildMinimalConf(omapiPort, keyName, algorithm, SecretPlaceholder);
            string leases = isMain ? DhcpdScenario.BuildMainLeasesFile() : DhcpdScenario.BuildCrossingLeasesFile(withStressLeases: algorithm == DhcpdScenario.StressAlgorithm);
            Add(name, omapiPort++, dhcpPort, keyName, algorithm, conf, leases);
            dhcpPort += 2;
        }

        Add("failover", omapiPort++, dhcpPort, "failover_key", "HMAC-MD5",
            DhcpdScenario.BuildFailoverConf(omapiPort - 1, "failover_key", "HMAC-MD5", SecretPlaceholder), string.Empty);
        dhcpPort += 2;

        // HMAC-MD5's crossing layout: main keeps its own layout, so an instance of its own.
        Add("crossing-md5", omapiPort++, dhcpPort, "crossing_key", "HMAC-MD5",
            DhcpdScenario.BuildMinimalConf(omapiPort - 1, "crossing_key", "HMAC-MD5", SecretPlaceholder),
            DhcpdScenario.BuildCrossingLeasesFile(withStressLeases: false));
        dhcpPort += 2;

        if (_options.DocsWorld)
        {
            Docs = Add("docs", DocsWorld.OmapiPort, dhcpPort, DocsWorld.KeyName, DocsWorld.Algorithm,
                DocsWorld.BuildConf(SecretPlaceholder), DocsWorld.BuildLeasesFile());
            dhcpPort += 2;
            DocsPartner = Add("docs-partner", omapiPort, dhcpPort, DocsWorld.KeyName, DocsWorld.Algorithm,
                DocsWorld.BuildPartnerConf(omapiPort, DocsWorld.KeyName, DocsWorld.Algorithm, SecretPlaceholder), DocsWorld.BuildPartnerLeasesFile());
        }

        await Task.WhenAll(_instances.Select(i => i.StartAsync())).ConfigureAwait(false);
    }
}

/// <summary>How a <see cref="DhcpdLab"/> is started.</summary>
public sealed class DhcpdLabOptions
{
    /// <summary>The main instance's OMAPI port; the others follow it (default 7911).</summary>
    public int FirstOmapiPort { get; set; } = 7911;

    /// <summary>The first instance's DHCP port (<c>-p</c>); each instance takes two (default 10067).</summary>
    public int FirstDhcpPort { get; set; } = 10067;

    /// <summary>Also start <see cref="DhcpdLab.Docs"/>, the documentation's server (it takes OMAPI port
    /// <see cref="DocsWorld.OmapiPort"/>, so <see cref="FirstOmapiPort"/> must leave it free).</summary>
    public bool DocsWorld { get; set; }

    /// <summary>Keep the working directory (configs, leases files, logs) after disposal, for debugging.</summary>
    public bool KeepDirectory { get; set; } = Environment.GetEnvironmentVariable("PSOMAPI_KEEP_DHCPD_DIR") == "1";

    /// <summary>The script that makes the namespace, named in a refusal.</summary>
    public string Script { get; set; } = "tests/run-tests.sh";

    /// <summary>Whom the namespace is made for, named in a refusal.</summary>
    public string MadeFor { get; set; } = "the tests";
}
