using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Threading.Tasks;
using Omapi.Core.Tests.Dhcpd;
using PSOmapi.Testing;
using Xunit;

[assembly: AssemblyFixture(typeof(DhcpdFixture))]

namespace Omapi.Core.Tests.Dhcpd;

/// <summary>
/// Assembly fixture that runs several real ISC dhcpd 4.4 processes for integration tests.
/// </summary>
/// <remarks>
/// <para>
/// Safety: dhcpd only ever runs inside a private network namespace (<c>unshare -rn</c>, see
/// <c>tests/run-tests.sh</c>). The fixture starts anything only when <c>PSOMAPI_NETNS=1</c> is set <b>and</b> the
/// process's network namespace has no interface but <c>lo</c> (read from <c>/proc/self/net/dev</c>, which is per
/// namespace; <c>/sys/class/net</c> is not, unless sysfs is remounted). Only then does it create the veth pair
/// <c>v0</c>/<c>v1</c> and address <c>v0</c> with 198.51.100.1/24. Those checks, the veth and the dhcpd processes
/// are <see cref="NetnsSandbox"/> and <see cref="DhcpdProcess"/> (tests/Shared, also used by the benchmark); this
/// class adds what is xunit's.
/// </para>
/// <para>
/// Tests that need dhcpd call <see cref="RequireDhcpd"/> first: it skips the test when dhcpd is unavailable, or
/// fails it when <c>PSOMAPI_REQUIRE_DHCPD=1</c> (CI) or when the environment was right but dhcpd failed to start.
/// </para>
/// </remarks>
public sealed class DhcpdFixture : IAsyncLifetime
{
    /// <summary>The dhcpd binary (Debian <c>isc-dhcp-server</c>).</summary>
    public const string DhcpdPath = DhcpdProcess.DhcpdPath;

    /// <summary>The omshell binary (Debian <c>isc-dhcp-server</c>).</summary>
    public const string OmshellPath = "/usr/bin/omshell";

    /// <summary>Set to 1 by <c>tests/run-tests.sh</c> inside the private namespace.</summary>
    public const string NetnsVariable = NetnsSandbox.NetnsVariable;

    /// <summary>Set to 1 (CI) to turn "dhcpd unavailable" into test failures instead of skips.</summary>
    public const string RequireVariable = "PSOMAPI_REQUIRE_DHCPD";

    /// <summary>Set to 1 to keep the fixture's directory (configs, leases files, logs) after the run.</summary>
    public const string KeepDirectoryVariable = "PSOMAPI_KEEP_DHCPD_DIR";

    /// <summary>The fixture's working directory (configs, leases files, pid files, logs), or null.</summary>
    public string? WorkingDirectory => _directory;

    private const int MainOmapiPort = 7911;
    private const int FirstDhcpPort = 10067;

    private readonly List<DhcpdInstance> _instances = new();
    private string? _directory;
    private bool _vethSetUp;
    private bool _startupFailed;
    private string _otherKeySecretBase64 = string.Empty;

    /// <summary>True when every dhcpd instance is up and tests may use them.</summary>
    public bool IsAvailable { get; private set; }

    /// <summary>Why dhcpd is not available (null when it is).</summary>
    public string? UnavailableReason { get; private set; }

    /// <summary>The main instance: HMAC-MD5 key <c>omapi_key</c>, seeded leases, conf hosts, group, class.</summary>
    public DhcpdInstance Main => Get(0);

    /// <summary>One instance per algorithm, in <see cref="DhcpdScenario.Algorithms"/> order
    /// (HMAC-MD5 is <see cref="Main"/>).</summary>
    public IReadOnlyList<DhcpdInstance> ByAlgorithm
    {
        get
        {
            EnsureAvailable();
            return _instances.Take(DhcpdScenario.Algorithms.Count).ToArray();
        }
    }

    /// <summary>The instance with a <c>failover peer</c> (see <see cref="DhcpdScenario.FailoverPeer"/>).</summary>
    public DhcpdInstance Failover => Get(DhcpdScenario.Algorithms.Count);

    /// <summary>Every instance.</summary>
    public IReadOnlyList<DhcpdInstance> All
    {
        get
        {
            EnsureAvailable();
            return _instances.ToArray();
        }
    }

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
        string.Equals(algorithm.Split('.')[0], "HMAC-MD5", StringComparison.OrdinalIgnoreCase) ? Get(DhcpdScenario.Algorithms.Count + 1) : ForAlgorithm(algorithm);

    /// <summary>The main instance's seeded leases (see <see cref="DhcpdScenario.SeededLeases"/>).</summary>
    public IReadOnlyList<SeededLease> SeededLeases => DhcpdScenario.SeededLeases;

    /// <summary>The main instance's <c>dhcpd.conf</c> hosts.</summary>
    public IReadOnlyList<ConfHost> ConfHosts => DhcpdScenario.ConfHosts;

    /// <summary>The main instance's named group.</summary>
    public string GroupName => DhcpdScenario.GroupName;

    /// <summary>The main instance's class.</summary>
    public string ClassName => DhcpdScenario.ClassName;

    /// <summary>The hashstring of the subclass of <see cref="ClassName"/>.</summary>
    public IReadOnlyList<byte> SubclassHashString => DhcpdScenario.SubclassHashString;

    /// <summary>A key defined on the main instance that is not its <c>omapi-key</c>.</summary>
    public string OtherKeyName => DhcpdScenario.OtherKeyName;

    /// <summary>Algorithm of <see cref="OtherKeyName"/>.</summary>
    public string OtherKeyAlgorithm => DhcpdScenario.OtherKeyAlgorithm;

    /// <summary>TEST-ONLY random secret of <see cref="OtherKeyName"/>.</summary>
    public string OtherKeySecretBase64
    {
        get
        {
            EnsureAvailable();
            return _otherKeySecretBase64;
        }
    }

    /// <summary>
    /// Call first in every test that needs dhcpd. Skips the test when dhcpd cannot run here; fails it instead when
    /// <c>PSOMAPI_REQUIRE_DHCPD=1</c>, or when the namespace was right but dhcpd did not come up.
    /// </summary>
    public void RequireDhcpd()
    {
        if (IsAvailable)
        {
            return;
        }

        string reason = UnavailableReason ?? "dhcpd fixture not initialised";
        if (_startupFailed)
        {
            Assert.Fail("dhcpd failed to start: " + reason);
        }

        if (Environment.GetEnvironmentVariable(RequireVariable) == "1")
        {
            Assert.Fail($"dhcpd is required ({RequireVariable}=1) but unavailable: {reason}");
        }

        Assert.Skip("dhcpd unavailable: " + reason);
    }

    /// <inheritdoc/>
    public async ValueTask InitializeAsync()
    {
        string? refusal = NetnsSandbox.CheckEnvironment("dhcpd tests run", "tests/run-tests.sh", "the tests");
        if (refusal is not null)
        {
            UnavailableReason = refusal;
            return;
        }

        try
        {
            await StartAllAsync().ConfigureAwait(false);
            IsAvailable = true;
        }
#pragma warning disable CA1031 // Any startup failure is reported to every dhcpd test through RequireDhcpd.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _startupFailed = true;
            UnavailableReason = ex.ToString();
            await CleanupAsync().ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        IsAvailable = false;
        await CleanupAsync().ConfigureAwait(false);
    }

    private DhcpdInstance Get(int index)
    {
        EnsureAvailable();
        return _instances[index];
    }

    private void EnsureAvailable()
    {
        if (!IsAvailable)
        {
            throw new InvalidOperationException(
                "dhcpd is not available (call RequireDhcpd() first): " + (UnavailableReason ?? "not initialised"));
        }
    }

    private static string NewSecret() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    private async Task StartAllAsync()
    {
        string cidr = string.Create(CultureInfo.InvariantCulture, $"{DhcpdScenario.ServerAddress}/{DhcpdScenario.SubnetPrefixLength}");
        _vethSetUp = true;
        await NetnsSandbox.SetUpVethAsync(cidr).ConfigureAwait(false);

        // 0700 directory: the configs inside hold this run's random secrets.
        _directory = Directory.CreateTempSubdirectory("psomapi-dhcpd-").FullName;
        _otherKeySecretBase64 = NewSecret();

        int omapiPort = MainOmapiPort;
        int dhcpPort = FirstDhcpPort;
        foreach (string algorithm in DhcpdScenario.Algorithms)
        {
            bool isMain = _instances.Count == 0;
            string name = isMain ? "main" : algorithm.ToLowerInvariant();
            string keyName = isMain ? DhcpdScenario.MainKeyName : "key_" + algorithm["HMAC-".Length..].ToLowerInvariant();
            var instance = new DhcpdInstance(name, _directory, omapiPort++, dhcpPort, keyName, algorithm, NewSecret());
            dhcpPort += 2;
            string conf = isMain
                ? DhcpdScenario.BuildMainConf(instance.Port, keyName, algorithm, instance.SecretBase64, _otherKeySecretBase64)
                : DhcpdScenario.BuildMinimalConf(instance.Port, keyName, algorithm, instance.SecretBase64);
            DhcpdProcess.WritePrivateFile(instance.ConfigFilePath, conf);
            DhcpdProcess.WritePrivateFile(
                instance.LeasesFilePath,
                isMain ? DhcpdScenario.BuildMainLeasesFile() : DhcpdScenario.BuildCrossingLeasesFile(withStressLeases: algorithm == DhcpdScenario.StressAlgorithm));
            _instances.Add(instance);
        }

        var failover = new DhcpdInstance("failover", _directory, omapiPort, dhcpPort, "failover_key", "HMAC-MD5", NewSecret());
        DhcpdProcess.WritePrivateFile(failover.ConfigFilePath,
            DhcpdScenario.BuildFailoverConf(failover.Port, failover.KeyName, failover.Algorithm, failover.SecretBase64));
        DhcpdProcess.WritePrivateFile(failover.LeasesFilePath, string.Empty);
        _instances.Add(failover);

        // HMAC-MD5's crossing layout: main keeps its own layout, so an instance of its own.
        var crossing = new DhcpdInstance("crossing-md5", _directory, omapiPort + 1, dhcpPort + 2, "crossing_key", "HMAC-MD5", NewSecret());
        DhcpdProcess.WritePrivateFile(crossing.ConfigFilePath, DhcpdScenario.BuildMinimalConf(crossing.Port, crossing.KeyName, crossing.Algorithm, crossing.SecretBase64));
        DhcpdProcess.WritePrivateFile(crossing.LeasesFilePath, DhcpdScenario.BuildCrossingLeasesFile(withStressLeases: false));
        _instances.Add(crossing);

        await Task.WhenAll(_instances.Select(i => i.StartAsync())).ConfigureAwait(false);
    }

    private async Task CleanupAsync()
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

        if (Environment.GetEnvironmentVariable(KeepDirectoryVariable) == "1")
        {
            // Debugging aid: keep configs, leases files and logs (the secrets in them are this run's random ones).
            _directory = null;
        }

        if (_directory is not null && Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
            _directory = null;
        }
    }
}
