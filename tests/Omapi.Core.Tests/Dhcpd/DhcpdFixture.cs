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
/// are <see cref="DhcpdLab"/> (tests/TestLab, which the Pester suite, the benchmark and the demo use too); this
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
    public const string OmshellPath = Omshell.OmshellPath;

    /// <summary>Set to 1 by <c>tests/run-tests.sh</c> inside the private namespace.</summary>
    public const string NetnsVariable = NetnsSandbox.NetnsVariable;

    /// <summary>Set to 1 (CI) to turn "dhcpd unavailable" into test failures instead of skips.</summary>
    public const string RequireVariable = "PSOMAPI_REQUIRE_DHCPD";

    /// <summary>Set to 1 to keep the lab's directory (configs, leases files, logs) after the run.</summary>
    public const string KeepDirectoryVariable = "PSOMAPI_KEEP_DHCPD_DIR";

    private DhcpdLab? _lab;
    private bool _startupFailed;

    /// <summary>The lab's working directory (configs, leases files, pid files, logs), or null.</summary>
    public string? WorkingDirectory => _lab?.Directory;

    /// <summary>True when every dhcpd instance is up and tests may use them.</summary>
    public bool IsAvailable { get; private set; }

    /// <summary>Why dhcpd is not available (null when it is).</summary>
    public string? UnavailableReason { get; private set; }

    /// <summary>The lab (every instance); throws when dhcpd is unavailable.</summary>
    public DhcpdLab Lab
    {
        get
        {
            EnsureAvailable();
            return _lab!;
        }
    }

    /// <summary>The main instance: HMAC-MD5 key <c>omapi_key</c>, seeded leases, conf hosts, group, class.</summary>
    public DhcpdInstance Main => Lab.Main;

    /// <summary>One instance per algorithm, in <see cref="DhcpdScenario.Algorithms"/> order
    /// (HMAC-MD5 is <see cref="Main"/>).</summary>
    public IReadOnlyList<DhcpdInstance> ByAlgorithm => Lab.ByAlgorithm;

    /// <summary>The instance with a <c>failover peer</c> (see <see cref="DhcpdScenario.FailoverPeer"/>).</summary>
    public DhcpdInstance Failover => Lab.Failover;

    /// <summary>Every instance.</summary>
    public IReadOnlyList<DhcpdInstance> All => Lab.All;

    /// <summary>The instance whose key uses <paramref name="algorithm"/> (see <see cref="DhcpdLab.ForAlgorithm"/>).</summary>
    public DhcpdInstance ForAlgorithm(string algorithm) => Lab.ForAlgorithm(algorithm);

    /// <summary>The instance that serves the crossing layout with a key of <paramref name="algorithm"/>
    /// (see <see cref="DhcpdLab.CrossingInstance"/>).</summary>
    public DhcpdInstance CrossingInstance(string algorithm) => Lab.CrossingInstance(algorithm);

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
    public string OtherKeySecretBase64 => Lab.OtherKeySecretBase64;

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
        string? refusal = DhcpdLab.Refusal();
        if (refusal is not null)
        {
            UnavailableReason = refusal;
            return;
        }

        try
        {
            _lab = await DhcpdLab.StartAsync().ConfigureAwait(false);
            IsAvailable = true;
        }
#pragma warning disable CA1031 // Any startup failure is reported to every dhcpd test through RequireDhcpd.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _startupFailed = true;
            UnavailableReason = ex.ToString();
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        IsAvailable = false;
        if (_lab is not null)
        {
            await _lab.DisposeAsync().ConfigureAwait(false);
            _lab = null;
        }
    }

    private void EnsureAvailable()
    {
        if (!IsAvailable || _lab is null)
        {
            throw new InvalidOperationException(
                "dhcpd is not available (call RequireDhcpd() first): " + (UnavailableReason ?? "not initialised"));
        }
    }
}
