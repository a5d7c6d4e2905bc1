using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Threading.Tasks;
using PSOmapi.Testing;
using Xunit;

namespace Omapi.Core.Tests.Dhcpd;

/// <summary>Proves the dhcpd fixture: the instances are up, and what it describes is what dhcpd reports.</summary>
public class DhcpdFixtureTests(DhcpdFixture dhcpd)
{
    public static TheoryData<string> SeededLeaseAddresses =>
        new(DhcpdScenario.SeededLeases.Select(l => l.IpAddress.ToString()));

    public static TheoryData<string> Algorithms => new(DhcpdScenario.Algorithms);

    [Fact]
    public async Task Every_instance_sends_the_omapi_intro()
    {
        dhcpd.RequireDhcpd();

        Assert.Equal(DhcpdScenario.Algorithms.Count + 2, dhcpd.All.Count); // one per algorithm, failover, crossing-md5
        Assert.Equal(dhcpd.All.Count, dhcpd.All.Select(i => i.Port).Distinct().Count());
        foreach (DhcpdInstance instance in dhcpd.All)
        {
            Assert.True(instance.IsRunning, instance.ToString());
            byte[] intro = await DhcpdInstance.ReadIntroAsync(instance.Host, instance.Port, TestContext.Current.CancellationToken);
            Assert.Equal(100, ReadUInt32BigEndian(intro, 0));
            Assert.Equal(24, ReadUInt32BigEndian(intro, 4));
        }
    }

    [Fact]
    public void Main_log_shows_the_seeded_lease_count()
    {
        dhcpd.RequireDhcpd();

        string log = dhcpd.Main.ReadLog();
        Assert.Contains(DhcpdScenario.ExpectedLeasesWrittenLogLine, log, StringComparison.Ordinal);
        Assert.Contains("Server starting service.", log, StringComparison.Ordinal);
    }

    [Fact]
    public void Instance_ToString_does_not_reveal_the_secret()
    {
        dhcpd.RequireDhcpd();

        foreach (DhcpdInstance instance in dhcpd.All)
        {
            Assert.DoesNotContain(instance.SecretBase64, instance.ToString(), StringComparison.Ordinal);
            Assert.Equal(32, instance.GetSecretBytes().Length);
        }

        Assert.Equal(dhcpd.All.Count, dhcpd.All.Select(i => i.SecretBase64).Distinct().Count());
    }

    [Fact]
    public async Task Omshell_authenticates_and_opens_a_seeded_active_lease_on_main()
    {
        dhcpd.RequireDhcpd();
        SeededLease lease = DhcpdScenario.ActiveLeases[0];

        OmshellResult result = await Omshell.RunAsync(dhcpd.Main, OpenLease(lease.IpAddress), TestContext.Current.CancellationToken);

        Assert.Contains("state = 00:00:00:02", result.Output, StringComparison.Ordinal);
        Assert.Equal("00:00:00:02", result.LastObject["state"]);
    }

    [Theory]
    [MemberData(nameof(SeededLeaseAddresses))]
    public async Task Omshell_sees_each_seeded_lease_as_described(string ip)
    {
        dhcpd.RequireDhcpd();
        SeededLease lease = DhcpdScenario.SeededLeases.Single(l => l.IpAddress.ToString() == ip);

        OmshellResult result = await Omshell.RunAsync(dhcpd.Main, OpenLease(lease.IpAddress), TestContext.Current.CancellationToken);
        IReadOnlyDictionary<string, string> obj = result.LastObject;

        Assert.True(obj.ContainsKey("state"), result.Output);
        Assert.Equal(Hex32(lease.ExpectedState), obj["state"]);
        Assert.Equal(DhcpdScenario.ToColonHex(lease.IpAddress.GetAddressBytes()), obj["ip-address"]);
        Assert.Equal(Hex32(UnixTime(lease.StartsUtc)), obj["starts"]);
        Assert.Equal(Hex32(UnixTime(lease.EndsUtc)), obj["ends"]);
        Assert.Equal(Hex32(UnixTime(lease.TstpUtc)), obj["tstp"]);
        Assert.Equal(lease.HardwareAddress, obj.GetValueOrDefault("hardware-address"));
        Assert.Equal(lease.ClientHostname is null ? null : "\"" + lease.ClientHostname + "\"", obj.GetValueOrDefault("client-hostname"));
        if (lease.ClientIdentifier is null)
        {
            Assert.False(obj.ContainsKey("dhcp-client-identifier"), result.Output);
        }
        else
        {
            // omshell prints printable data as a quoted string, anything else as hex.
            string printed = obj["dhcp-client-identifier"];
            string expected = lease.ClientIdentifier.All(b => b is >= 0x20 and < 0x7f)
                ? "\"" + System.Text.Encoding.ASCII.GetString(lease.ClientIdentifier.ToArray()) + "\""
                : lease.ClientIdentifierHex!;
            Assert.Equal(expected, printed);
        }
    }

    [Fact]
    public async Task Unseeded_range_address_is_free_and_address_outside_range_is_not_found()
    {
        dhcpd.RequireDhcpd();

        OmshellResult free = await Omshell.RunAsync(dhcpd.Main, OpenLease(DhcpdScenario.UnseededFreeAddress), TestContext.Current.CancellationToken);
        Assert.Equal("00:00:00:01", free.LastObject["state"]);

        OmshellResult outside = await Omshell.RunAsync(dhcpd.Main, OpenLease(DhcpdScenario.AddressOutsideRange), TestContext.Current.CancellationToken);
        Assert.Contains("can't open object: not found", outside.Output, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public async Task Omshell_authenticates_with_each_algorithm(string algorithm)
    {
        dhcpd.RequireDhcpd();
        DhcpdInstance instance = dhcpd.ForAlgorithm(algorithm);
        Assert.Equal(algorithm, instance.Algorithm);

        OmshellResult result = await Omshell.RunAsync(instance, OpenLease(DhcpdScenario.UnseededFreeAddress), TestContext.Current.CancellationToken);

        Assert.DoesNotContain("dhcpctl_connect", result.Output, StringComparison.Ordinal);
        // Every address of the stress instance's range is seeded active; elsewhere this address is free.
        Assert.Equal(algorithm == DhcpdScenario.StressAlgorithm ? "00:00:00:02" : "00:00:00:01", result.LastObject["state"]);
    }

    [Fact]
    public async Task The_other_key_is_refused_on_main()
    {
        dhcpd.RequireDhcpd();
        string script = string.Create(CultureInfo.InvariantCulture, $"""
            server {dhcpd.Main.Host}
            port {dhcpd.Main.Port}
            key {dhcpd.OtherKeyName} {dhcpd.OtherKeySecretBase64}
            connect
            {OpenLease(DhcpdScenario.ActiveLeases[0].IpAddress)}
            """);

        OmshellResult result = await Omshell.RunRawAsync(script, TestContext.Current.CancellationToken);

        Assert.Contains("dhcpctl_connect", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("state =", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Conf_hosts_group_class_and_subclass_exist_on_main()
    {
        dhcpd.RequireDhcpd();
        var ct = TestContext.Current.CancellationToken;

        foreach (ConfHost host in DhcpdScenario.ConfHosts)
        {
            OmshellResult result = await Omshell.RunAsync(dhcpd.Main, $"new host\nset name = \"{host.Name}\"\nopen", ct);
            IReadOnlyDictionary<string, string> obj = result.LastObject;
            Assert.Equal(host.HardwareAddress, obj.GetValueOrDefault("hardware-address"));
            Assert.Equal(host.FixedAddress is null ? null : DhcpdScenario.ToColonHex(host.FixedAddress.GetAddressBytes()), obj.GetValueOrDefault("ip-address"));
            Assert.Equal(host.ClientIdentifier is null ? null : DhcpdScenario.ToColonHex(host.ClientIdentifier), obj.GetValueOrDefault("dhcp-client-identifier"));
        }

        OmshellResult group = await Omshell.RunAsync(dhcpd.Main, $"new group\nset name = \"{dhcpd.GroupName}\"\nopen", ct);
        Assert.DoesNotContain("can't open object", group.Output, StringComparison.Ordinal);

        OmshellResult cls = await Omshell.RunAsync(dhcpd.Main, $"new class\nset name = \"{dhcpd.ClassName}\"\nopen", ct);
        Assert.True(cls.LastObject.ContainsKey("leases-used"), cls.Output);

        OmshellResult subclass = await Omshell.RunAsync(
            dhcpd.Main,
            $"new subclass\nset name = \"{dhcpd.ClassName}\"\nset hashstring = {DhcpdScenario.ToColonHex(dhcpd.SubclassHashString)}\nopen",
            ct);
        Assert.True(subclass.LastObject.ContainsKey("leases-used"), subclass.Output);
    }

    [Fact]
    public async Task Failover_state_object_exists_with_the_configured_values()
    {
        dhcpd.RequireDhcpd();
        FailoverPeerConfig fo = DhcpdScenario.FailoverPeer;

        OmshellResult result = await Omshell.RunAsync(dhcpd.Failover, $"new failover-state\nset name = \"{fo.Name}\"\nopen", TestContext.Current.CancellationToken);
        IReadOnlyDictionary<string, string> obj = result.LastObject;

        Assert.Equal(Hex32(fo.Mclt), obj.GetValueOrDefault("mclt"));
        Assert.Equal(Hex32(fo.LocalPort), obj.GetValueOrDefault("local-port"));
        Assert.Equal(Hex32(fo.PeerPort), obj.GetValueOrDefault("partner-port"));
        Assert.Equal(Hex32(fo.MaxResponseDelay), obj.GetValueOrDefault("max-response-delay"));
        Assert.Equal(Hex32(fo.IsPrimary ? 0 : 1), obj.GetValueOrDefault("hierarchy"));
    }

    [Fact]
    public void Scenario_leases_file_declares_every_seeded_lease()
    {
        // Pure data: runs everywhere, with or without dhcpd.
        string file = DhcpdScenario.BuildMainLeasesFile();
        foreach (SeededLease lease in DhcpdScenario.SeededLeases)
        {
            Assert.Contains($"lease {lease.IpAddress} {{", file, StringComparison.Ordinal);
        }

        Assert.Equal("\"\\001\\000\\021\\042\"", LeasesFileWriter.QuoteBytes([0x01, 0x00, 0x11, 0x22]));
        Assert.Equal("1 2024/01/01 00:00:00", LeasesFileWriter.FormatTime(new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc)));
        Assert.Equal(new[] { 1, 2, 3, 4, 5, 6 }, DhcpdScenario.SeededLeases.Select(l => l.ExpectedState).Distinct().Order());
    }

    internal static string OpenLease(IPAddress ip) =>
        string.Create(CultureInfo.InvariantCulture, $"new lease\nset ip-address = {ip}\nopen");

    private static string Hex32(long value) =>
        DhcpdScenario.ToColonHex(BitConverter.GetBytes(checked((uint)value)).Reverse());

    private static long UnixTime(DateTime utc) => (long)(utc - DateTime.UnixEpoch).TotalSeconds;

    private static long ReadUInt32BigEndian(byte[] bytes, int offset) =>
        System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(offset, 4));
}
