using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Xunit;
using PSOmapi.Testing;

namespace Omapi.Core.Tests.Dhcpd;

/// <summary>
/// Tests that stop or restart shared dhcpd instances. They run alone, after every parallel test, so no other test
/// sees an instance go away.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DhcpdLifecycleCollection
{
    /// <summary>The collection name; put any test that stops or restarts an instance in it.</summary>
    public const string Name = "dhcpd lifecycle (not parallel)";
}

[Collection(DhcpdLifecycleCollection.Name)]
public class DhcpdRestartTests(DhcpdFixture dhcpd)
{
    [Fact]
    public async Task Restart_gives_a_new_process_with_the_same_port_key_and_leases()
    {
        dhcpd.RequireDhcpd();
        var ct = TestContext.Current.CancellationToken;
        DhcpdInstance main = dhcpd.Main;
        int oldPid = main.Pid;
        int startsBefore = CountOccurrences(main.ReadLog(), "Server starting service.");

        await main.RestartAsync(ct);

        Assert.True(main.IsRunning);
        Assert.NotEqual(oldPid, main.Pid);
        Assert.Equal(startsBefore + 1, CountOccurrences(main.ReadLog(), "Server starting service."));
        SeededLease lease = DhcpdScenario.ActiveLeases[0];
        OmshellResult result = await Omshell.RunAsync(main, DhcpdFixtureTests.OpenLease(lease.IpAddress), ct);
        Assert.Equal("00:00:00:02", result.LastObject.GetValueOrDefault("state"));
    }

    [Fact]
    public async Task Stop_then_start_brings_an_instance_back()
    {
        dhcpd.RequireDhcpd();
        var ct = TestContext.Current.CancellationToken;
        DhcpdInstance failover = dhcpd.Failover;

        await failover.StopAsync(ct);
        Assert.False(failover.IsRunning);
        Assert.Equal(0, failover.Pid);

        await failover.StartAsync(ct);
        Assert.True(failover.IsRunning);
        byte[] intro = await DhcpdInstance.ReadIntroAsync(failover.Host, failover.Port, ct);
        Assert.Equal(8, intro.Length);
    }

    private static int CountOccurrences(string text, string value) =>
        text.Split('\n').Count(line => line.Contains(value, StringComparison.Ordinal));
}
