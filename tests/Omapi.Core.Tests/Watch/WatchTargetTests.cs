using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using Omapi.Core.Objects;
using Omapi.Core.Protocol;
using Omapi.Core.Watch;
using Xunit;

namespace Omapi.Core.Tests.Watch;

/// <summary>Watch targets, range notation and the property comparison, without a server.</summary>
public class WatchTargetTests
{
    [Theory]
    [InlineData("198.51.100.0/24", "198.51.100.0", "198.51.100.255")]
    [InlineData("198.51.100.77/30", "198.51.100.76", "198.51.100.79")]
    [InlineData("198.51.100.9/32", "198.51.100.9", "198.51.100.9")]
    [InlineData(" 198.51.100.10-198.51.100.250 ", "198.51.100.10", "198.51.100.250")]
    [InlineData("198.51.100.10 - 198.51.100.12", "198.51.100.10", "198.51.100.12")]
    [InlineData("198.51.100.5", "198.51.100.5", "198.51.100.5")]
    public void Ranges_are_read_from_CIDR_dash_and_single_address_notation(string text, string first, string last)
    {
        (IPAddress a, IPAddress b) = OmapiWatchTarget.ParseRange(text);
        Assert.Equal(IPAddress.Parse(first), a);
        Assert.Equal(IPAddress.Parse(last), b);
    }

    [Theory]
    [InlineData("")]
    [InlineData("198.51.100.0/33")]
    [InlineData("198.51.100.0/x")]
    [InlineData("198.51.100/24")]
    [InlineData("198.51.100.20-198.51.100.10")]
    [InlineData("2001:db8::/64")]
    [InlineData("pc1")]
    public void Malformed_ranges_are_refused_with_the_accepted_forms(string text)
    {
        var ex = Assert.Throws<FormatException>(() => OmapiWatchTarget.ParseRange(text));
        Assert.Contains("198.51.100", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_range_expands_to_one_lease_target_per_address_and_is_capped()
    {
        IReadOnlyList<OmapiWatchTarget> targets = OmapiWatchTarget.ForRange(IPAddress.Parse("198.51.100.254"), IPAddress.Parse("198.51.101.1"));
        Assert.Equal(new[] { "lease 198.51.100.254", "lease 198.51.100.255", "lease 198.51.101.0", "lease 198.51.101.1" }, targets.Select(t => t.Key));
        Assert.All(targets, t => Assert.Equal(OmapiWatchKey.LeaseIPAddress, t.KeyKind));

        Assert.Equal(OmapiWatchTarget.MaxRangeSize, OmapiWatchTarget.ForRange(IPAddress.Parse("198.18.0.0"), IPAddress.Parse("198.18.255.255")).Count);
        var tooBig = Assert.Throws<ArgumentException>(() => OmapiWatchTarget.ForRange(IPAddress.Parse("198.18.0.0"), IPAddress.Parse("198.19.0.0")));
        Assert.Contains("65537 addresses", tooBig.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Targets_are_equal_when_they_name_the_same_key()
    {
        byte[] mac = HardwareAddress.ParseMac("02:00:00:00:00:01");
        Assert.Equal(OmapiWatchTarget.ForLease(IPAddress.Parse("198.51.100.20")), OmapiWatchTarget.ForLease(IPAddress.Parse("198.51.100.20").MapToIPv6()));
        Assert.Equal(OmapiWatchTarget.ForHostByMacAddress(mac), OmapiWatchTarget.ForHostByMacAddress(HardwareAddress.ParseMac("02-00-00-00-00-01")));
        Assert.NotEqual(OmapiWatchTarget.ForHostByMacAddress(mac), OmapiWatchTarget.ForLeaseByMacAddress(mac));
        Assert.Equal("lease of MAC 02:00:00:00:00:01", OmapiWatchTarget.ForLeaseByMacAddress(mac).Key);
        Assert.Equal("host with MAC 02:00:00:00:00:01", OmapiWatchTarget.ForHostByMacAddress(mac).Key);
        Assert.Equal("lease of client id 01:02", OmapiWatchTarget.ForLeaseByClientId(new byte[] { 1, 2 }).Key);
        Assert.Equal("host pc1", OmapiWatchTarget.ForHost("pc1").Key);
        Assert.Throws<ArgumentException>(() => OmapiWatchTarget.ForLease(IPAddress.IPv6Loopback));
        Assert.Throws<ArgumentException>(() => OmapiWatchTarget.ForHost(string.Empty));
    }

    [Fact]
    public void A_lease_object_is_watched_by_its_address_and_a_host_object_by_its_name_with_their_handles()
    {
        OmapiLease lease = Lease(77, LeaseState.Active, DateTime.UnixEpoch.AddDays(20000));
        OmapiWatchTarget byLease = OmapiWatchTarget.ForObject(lease);
        Assert.Equal("lease 198.51.100.77", byLease.Key);
        Assert.Equal(77u, byLease.KnownHandle);

        OmapiHost host = Host(12, "pc1", "02:00:00:00:00:01", Array.Empty<byte>());
        OmapiWatchTarget byHost = OmapiWatchTarget.ForObject(host);
        Assert.Equal("host pc1", byHost.Key);
        Assert.Equal(12u, byHost.KnownHandle);
    }

    [Fact]
    public void Comparing_leases_reports_each_changed_property_and_ignores_handles_and_remote_handle()
    {
        DateTime ends = new DateTime(2031, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        OmapiLease before = Lease(5, LeaseState.Free, ends, flags: 0, remoteHandle: null);
        OmapiLease after = Lease(9, LeaseState.Active, ends.AddHours(1), flags: (byte)LeaseFlags.Reserved, remoteHandle: 5);

        IReadOnlyList<OmapiPropertyChange> changes = OmapiObjectComparer.Compare(before, after);
        Assert.Equal(new[] { "State", "Ends", "Flags" }, changes.Select(c => c.Name));
        // The values the objects exchange: states and flags by name, times as instants with offset +00:00.
        Assert.Equal("Free", changes[0].OldValue);
        Assert.Equal("Active", changes[0].NewValue);
        Assert.Equal(new DateTimeOffset(ends), changes[1].OldValue);
        Assert.Equal(new DateTimeOffset(ends.AddHours(1)), changes[1].NewValue);
        Assert.Equal("None", changes[2].OldValue);
        Assert.Equal("Reserved", changes[2].NewValue);
        Assert.Equal("State: Free -> Active", changes[0].ToString());
        Assert.Equal("Ends: 2031-01-02 03:04:05Z -> 2031-01-02 04:04:05Z", changes[1].ToString());

        Assert.Empty(OmapiObjectComparer.Compare(before, Lease(1234, LeaseState.Free, ends)));
        Assert.False(OmapiObjectComparer.IsPresent(before));
        Assert.True(OmapiObjectComparer.IsPresent(after));
        Assert.False(OmapiObjectComparer.IsPresent(null));
    }

    [Fact]
    public void Comparing_with_a_missing_host_lists_every_set_property()
    {
        OmapiHost host = Host(3, "pc1", "02:00:00:00:00:01", new byte[] { 198, 51, 100, 5 });
        IReadOnlyList<OmapiPropertyChange> appeared = OmapiObjectComparer.Compare(null, host);
        Assert.Equal(new[] { "Name", "MacAddress", "HardwareType", "IPAddress" }, appeared.Select(c => c.Name));
        Assert.All(appeared, c => Assert.Null(c.OldValue));
        Assert.Equal("IPAddress: (none) -> 198.51.100.5", appeared[3].ToString());

        OmapiHost moved = Host(3, "pc1", "02:00:00:00:00:01", new byte[] { 198, 51, 100, 6 });
        OmapiPropertyChange change = Assert.Single(OmapiObjectComparer.Compare(host, moved));
        Assert.Equal("IPAddress", change.Name);
        Assert.Equal(new[] { "198.51.100.6" }, (IReadOnlyList<string>)change.NewValue!);

        IReadOnlyList<OmapiPropertyChange> gone = OmapiObjectComparer.Compare(host, null);
        Assert.Equal(4, gone.Count);
        Assert.All(gone, c => Assert.Null(c.NewValue));
        Assert.Empty(OmapiObjectComparer.Compare(host, Host(99, "pc1", "02:00:00:00:00:01", new byte[] { 198, 51, 100, 5 })));
    }

    [Fact]
    public void A_change_report_reads_as_one_line()
    {
        var change = new OmapiChange(OmapiChangeKind.Changed, OmapiWatchTarget.ForHost("pc1"), "host pc1", null, null,
            new[] { new OmapiPropertyChange("IPAddress", Array.Empty<string>(), new[] { "198.51.100.5" }) }, null, 1);
        Assert.Equal("Changed host pc1: IPAddress: (none) -> 198.51.100.5", change.ToString());
        Assert.Equal(TimeSpan.Zero, change.Timestamp.Offset);
    }

    [Fact]
    public void Watcher_options_are_validated()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new OmapiWatcherOptions { Interval = TimeSpan.FromMilliseconds(10) }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new OmapiWatcherOptions { FirstRetryDelay = TimeSpan.FromMinutes(2) }.Validate());
        new OmapiWatcherOptions().Validate();
        Assert.Equal(TimeSpan.FromSeconds(5), OmapiWatcherOptions.DefaultInterval);
    }

    internal static OmapiLease Lease(uint handle, LeaseState state, DateTime ends, byte flags = 0, uint? remoteHandle = null)
    {
        var values = new OmapiValueList()
            .Add("state", (uint)state)
            .Add("ip-address", new byte[] { 198, 51, 100, 77 })
            .Add("subnet", handle + 1000)
            .Add("pool", handle + 2000)
            .Add("ends", OmapiEncoding.FromTime(ends))
            .Add("starts", OmapiEncoding.FromTime(new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc)))
            .Add("flags", new[] { flags });
        if (remoteHandle is uint r)
        {
            values.Add(OmapiObjectComparer.RemoteHandleVariable, r);
        }

        return OmapiLease.FromObject(new OmapiObject("lease", handle, values), "127.0.0.1");
    }

    internal static OmapiHost Host(uint handle, string name, string mac, byte[] addresses)
    {
        var values = new OmapiValueList().Add("name", name).Add("hardware-address", HardwareAddress.ParseMac(mac)).Add("hardware-type", 1u);
        if (addresses.Length > 0)
        {
            values.Add("ip-address", addresses);
        }

        return OmapiHost.FromObject(new OmapiObject("host", handle, values), "127.0.0.1");
    }
}
