using System;
using System.Linq;
using System.Net;
using System.Threading.Tasks;
using Omapi.Core.Objects;
using Omapi.Core.Protocol;
using Omapi.Core.Tests.Dhcpd;
using Xunit;
using PSOmapi.Testing;

namespace Omapi.Core.Tests.Integration
{
    public class LeaseTests : DhcpdTestBase
    {
        public LeaseTests(DhcpdFixture fixture) : base(fixture) { }

        public static TheoryData<int> SeededIndexes => new TheoryData<int>(Enumerable.Range(0, DhcpdScenario.SeededLeases.Count));

        [Theory]
        [MemberData(nameof(SeededIndexes))]
        public async Task Every_seeded_lease_reads_back_as_seeded(int index)
        {
            SeededLease seeded = DhcpdScenario.SeededLeases[index];
            using OmapiSession session = await ConnectMainAsync();

            OmapiLease lease = await session.GetLeaseAsync(seeded.IpAddress, TestContext.Current.CancellationToken);

            Assert.Equal(seeded.IpAddress, lease.GetIPAddress().ToIPAddress());
            Assert.Equal((LeaseState)seeded.ExpectedState, lease.GetState());
            Assert.Equal(seeded.ClientIdentifierHex, lease.ClientId);
            Assert.Equal(seeded.ClientHostname, lease.ClientHostname);
            if (seeded.HardwareAddress != null)
            {
                Assert.Equal(seeded.HardwareAddress, lease.MacAddress);
                Assert.Equal(1, lease.HardwareType);
            }

            if (seeded.ExpectedState == 2)
            {
                Assert.Equal(seeded.StartsUtc, lease.Starts);
                Assert.Equal(seeded.EndsUtc, lease.Ends);
                Assert.Equal(TimeSpan.Zero, lease.Ends!.Value.Offset);
            }

            Assert.NotEqual(0u, lease.GetHandle());
            Assert.NotNull(lease.GetPoolHandle());
            Assert.Equal(Fixture.Main.Host, lease.Server);
        }

        [Fact]
        public async Task A_lease_is_found_by_mac_and_by_client_id()
        {
            SeededLease seeded = DhcpdScenario.SeededLeases.First(l => l.ExpectedState == 2 && l.ClientIdentifier != null);
            using OmapiSession session = await ConnectMainAsync();

            OmapiLease byMac = await session.GetLeaseByHardwareAddressAsync(HardwareAddress.ParseMac(seeded.HardwareAddress!), cancellationToken: TestContext.Current.CancellationToken);
            OmapiLease byClientId = await session.GetLeaseByClientIdAsync(seeded.ClientIdentifier!.ToArray(), TestContext.Current.CancellationToken);

            Assert.Equal(seeded.IpAddress, byMac.GetIPAddress().ToIPAddress());
            Assert.Equal(seeded.IpAddress, byClientId.GetIPAddress().ToIPAddress());
            Assert.Equal(byMac.GetHandle(), byClientId.GetHandle());
        }

        [Fact]
        public async Task A_mac_with_several_leases_is_multiple_matches()
        {
            using OmapiSession session = await ConnectMainAsync();
            var ex = await Assert.ThrowsAsync<OmapiMultipleMatchesException>(() =>
                session.GetLeaseByHardwareAddressAsync(HardwareAddress.ParseMac(DhcpdScenario.SharedLeaseMac), cancellationToken: TestContext.Current.CancellationToken));
            Assert.Equal(393222u, ex.ResultCode);
            Assert.Equal("DHCP_R_MULTIPLE", ex.ResultName);
            Assert.Equal("object lookup failed", ex.ServerMessage);
        }

        [Fact]
        public async Task An_address_in_the_range_without_a_seeded_lease_is_free()
        {
            using OmapiSession session = await ConnectMainAsync();
            OmapiLease lease = await session.GetLeaseAsync(DhcpdScenario.UnseededFreeAddress, TestContext.Current.CancellationToken);
            Assert.Equal(LeaseState.Free, lease.GetState());
        }

        [Fact]
        public async Task An_address_outside_every_range_is_not_found_with_the_server_text()
        {
            using OmapiSession session = await ConnectMainAsync();
            var ex = await Assert.ThrowsAsync<OmapiNotFoundException>(() => session.GetLeaseAsync(DhcpdScenario.AddressOutsideRange, TestContext.Current.CancellationToken));
            Assert.Equal(23u, ex.ResultCode);
            Assert.Equal("no object matches specification", ex.ServerMessage);
            Assert.Contains(DhcpdScenario.AddressOutsideRange.ToString(), ex.Message, StringComparison.Ordinal);
            Assert.True(session.IsConnected);
        }

        [Fact]
        public async Task State_ends_and_the_reserved_flag_can_be_changed_and_are_read_back()
        {
            IPAddress address = IPAddress.Parse("198.51.100.101");
            using OmapiSession session = await ConnectMainAsync();
            OmapiLease lease = await session.GetLeaseAsync(address, TestContext.Current.CancellationToken);
            Assert.Equal(LeaseState.Free, lease.GetState());

            await session.UpdateLeaseAsync(lease, new OmapiLeaseChanges { Flags = LeaseFlags.Reserved }, TestContext.Current.CancellationToken);
            Assert.Equal(LeaseFlags.Reserved, (await session.RefreshLeaseAsync(lease.GetHandle(), TestContext.Current.CancellationToken)).GetFlags());

            var ends = new DateTime(2031, 5, 6, 7, 8, 9, DateTimeKind.Utc);
            await session.UpdateLeaseAsync(lease, new OmapiLeaseChanges { Ends = ends }, TestContext.Current.CancellationToken);
            Assert.Equal(ends, (await session.RefreshLeaseAsync(lease.GetHandle(), TestContext.Current.CancellationToken)).Ends);

            await session.UpdateLeaseAsync(lease, new OmapiLeaseChanges { State = LeaseState.Abandoned }, TestContext.Current.CancellationToken);
            Assert.Equal(LeaseState.Abandoned, (await session.GetLeaseAsync(address, TestContext.Current.CancellationToken)).GetState());

            await session.UpdateLeaseAsync(lease, new OmapiLeaseChanges { State = LeaseState.Free, Flags = LeaseFlags.None }, TestContext.Current.CancellationToken);
            OmapiLease after = await session.RefreshLeaseAsync(lease.GetHandle(), TestContext.Current.CancellationToken);
            Assert.Equal(LeaseState.Free, after.GetState());
            Assert.Equal(LeaseFlags.None, after.GetFlags());
            Assert.Contains("lease flags changed", Fixture.Main.ReadLog(), StringComparison.Ordinal);
        }

        [Fact]
        public async Task State_8_is_refused_by_the_server_as_invalid()
        {
            using OmapiSession session = await ConnectMainAsync();
            OmapiLease lease = await session.GetLeaseAsync(IPAddress.Parse("198.51.100.102"), TestContext.Current.CancellationToken);
            var ex = await Assert.ThrowsAsync<OmapiInvalidArgumentException>(() =>
                session.UpdateAsync(lease.GetHandle(), new OmapiValueList().Add("state", 8u), "set lease state 8", TestContext.Current.CancellationToken));
            Assert.Equal(393219u, ex.ResultCode);
            Assert.Equal("can't update object", ex.ServerMessage);
        }

        [Fact]
        public async Task Leases_cannot_be_created_or_deleted_and_need_a_key()
        {
            using OmapiSession session = await ConnectMainAsync();
            var noKey = await Assert.ThrowsAsync<OmapiNotSupportedException>(() => session.OpenAsync("lease", new OmapiValueList(), cancellationToken: TestContext.Current.CancellationToken));
            Assert.Equal("can't create new object", noKey.ServerMessage);

            OmapiLease lease = await session.GetLeaseAsync(IPAddress.Parse("198.51.100.103"), TestContext.Current.CancellationToken);
            var delete = await Assert.ThrowsAsync<OmapiNotSupportedException>(() => session.DeleteAsync(lease.GetHandle(), "delete lease", TestContext.Current.CancellationToken));
            Assert.Equal(27u, delete.ResultCode);
        }

        [Fact]
        public async Task The_pool_is_reached_through_the_lease_handle()
        {
            using OmapiSession session = await ConnectMainAsync();
            OmapiLease lease = await session.GetLeaseAsync(DhcpdScenario.UnseededFreeAddress, TestContext.Current.CancellationToken);
            OmapiPool pool = await session.GetPoolAsync(lease.GetPoolHandle()!.Value, TestContext.Current.CancellationToken);
            Assert.Equal(DhcpdScenario.RangeSize, pool.LeaseCount);
            Assert.InRange(pool.FreeLeases!.Value, 1, DhcpdScenario.RangeSize - DhcpdScenario.ActiveLeases.Count);
            Assert.Equal(0, pool.BackupLeases);
        }
    }
}
