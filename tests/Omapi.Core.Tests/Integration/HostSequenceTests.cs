using System;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using Omapi.Core.Connection;
using Omapi.Core.Objects;
using Omapi.Core.Tests.Dhcpd;
using PSOmapi.Testing;
using Xunit;

namespace Omapi.Core.Tests.Integration
{
    /// <summary>
    /// The changes that take several requests, driven against real dhcpd without PowerShell: a host's values one UPDATE
    /// each (<see cref="OmapiSession.SetHostAsync"/>), a rename (delete, create, restore when the create fails:
    /// <see cref="OmapiSession.RenameHostAsync"/>), and a lease's settings with its state kept
    /// (<see cref="OmapiSession.SetLeaseAsync"/>). Lost replies come from the fault proxy between the session and dhcpd.
    /// </summary>
    public class HostSequenceTests : DhcpdTestBase
    {
        private static int s_mac;

        public HostSequenceTests(DhcpdFixture fixture) : base(fixture) { }

        private static CancellationToken Ct => TestContext.Current.CancellationToken;

        private DhcpdInstance Instance => Fixture.Main;

        private static OmapiHostDefinition NewHost(string name) => new OmapiHostDefinition
        {
            Name = name,
            HardwareAddress = new byte[] { 2, 0, 0, 0x5e, 0, (byte)Interlocked.Increment(ref s_mac) },
            IPAddresses = new[] { IPAddress.Parse("198.51.100.3"), IPAddress.Parse("198.51.100.4") },
        };

        private async Task<OmapiHost?> FindAsync(OmapiSession session, string name)
        {
            try
            {
                return await session.GetHostByNameAsync(name, Ct);
            }
            catch (OmapiNotFoundException)
            {
                return null;
            }
        }

        private async Task DeleteIfThereAsync(OmapiSession session, params string[] names)
        {
            foreach (string name in names)
            {
                if (await FindAsync(session, name) is OmapiHost host)
                {
                    await session.DeleteHostAsync(host, Ct);
                }
            }
        }

        private static string[] Addresses(OmapiHost host) => host.GetIPAddresses().Select(a => a.ToString()).ToArray();

        [Fact]
        public async Task A_rename_re_creates_the_host_under_the_new_name_with_its_mac_and_addresses()
        {
            using OmapiSession session = await ConnectAsync(Instance);
            await DeleteIfThereAsync(session, "seq-ren1", "seq-ren1-new");
            OmapiHost old = (await session.CreateHostAsync(NewHost("seq-ren1"), Ct)).Value;
            try
            {
                OmapiHostRenameResult result = await session.RenameHostAsync(old, "seq-ren1-new", new OmapiHostChanges { Group = DhcpdScenario.GroupName }, Ct);

                Assert.Equal(OmapiHostRenameOutcome.Renamed, result.Outcome);
                Assert.False(result.ReplyLost);
                Assert.Empty(result.Notes);
                Assert.Equal("seq-ren1-new", result.Host!.Name);
                Assert.Null(await FindAsync(session, "seq-ren1"));
                OmapiHost now = (await FindAsync(session, "seq-ren1-new"))!;
                Assert.Equal(old.MacAddress, now.MacAddress);
                Assert.Equal(old.HardwareType, now.HardwareType);
                Assert.Equal(new[] { "198.51.100.3", "198.51.100.4" }, Addresses(now));
                Assert.NotEqual(old.GetHandle(), now.GetHandle());
            }
            finally
            {
                await DeleteIfThereAsync(session, "seq-ren1", "seq-ren1-new");
            }
        }

        [Fact]
        public async Task A_rename_whose_create_is_refused_restores_the_old_host_and_says_so()
        {
            using OmapiSession session = await ConnectAsync(Instance);
            await DeleteIfThereAsync(session, "seq-ren2", "seq-ren2-new");
            OmapiHost old = (await session.CreateHostAsync(NewHost("seq-ren2"), Ct)).Value;
            try
            {
                // dhcpd refuses statements it cannot parse: the new host is never entered, so the old one is created again.
                OmapiHostRenameResult result = await session.RenameHostAsync(old, "seq-ren2-new", new OmapiHostChanges { Statements = "option no-such-option 1;", IPAddresses = Array.Empty<IPAddress>() }, Ct);

                Assert.Equal(OmapiHostRenameOutcome.Restored, result.Outcome);
                Assert.IsAssignableFrom<OmapiServerException>(result.CreateFailure);
                Assert.Contains("create host seq-ren2-new", result.CreateFailure!.Message, StringComparison.Ordinal);
                Assert.Null(result.RestoreFailure);
                Assert.Same(old, result.Original);
                Assert.Null(await FindAsync(session, "seq-ren2-new"));
                OmapiHost restored = (await FindAsync(session, "seq-ren2"))!;
                Assert.Equal(restored.GetHandle(), result.Host!.GetHandle());
                Assert.Equal(old.MacAddress, restored.MacAddress);
                Assert.Equal(new[] { "198.51.100.3", "198.51.100.4" }, Addresses(restored)); // the old addresses, not the -Clear of the failed create
                Assert.NotEqual(old.GetHandle(), restored.GetHandle()); // deleted and created again, not left alone
            }
            finally
            {
                await DeleteIfThereAsync(session, "seq-ren2", "seq-ren2-new");
            }
        }

        [Fact]
        public async Task A_rename_to_a_taken_name_changes_nothing()
        {
            using OmapiSession session = await ConnectAsync(Instance);
            await DeleteIfThereAsync(session, "seq-ren3");
            OmapiHost old = (await session.CreateHostAsync(NewHost("seq-ren3"), Ct)).Value;
            try
            {
                ConfHost taken = DhcpdScenario.FixedAddressHost;
                OmapiHostRenameResult result = await session.RenameHostAsync(old, taken.Name, null, Ct);

                Assert.Equal(OmapiHostRenameOutcome.NameTaken, result.Outcome);
                Assert.Equal(taken.Name, result.Host!.Name);
                Assert.Equal(old.GetHandle(), (await FindAsync(session, "seq-ren3"))!.GetHandle());
                await Assert.ThrowsAsync<ArgumentException>(() => session.RenameHostAsync(old, "seq-ren3", null, Ct));
            }
            finally
            {
                await DeleteIfThereAsync(session, "seq-ren3");
            }
        }

        /// <summary>The reply to the delete or to the create is lost: reading back finds each applied, the rename completes, and the result carries the warning.</summary>
        [Theory]
        [InlineData("delete")]
        [InlineData("create")]
        public async Task A_rename_whose_reply_is_lost_is_read_back_and_completes_with_a_note(string step)
        {
            string oldName = "seq-ren4-" + step, newName = oldName + "-new";
            using OmapiSession direct = await ConnectAsync(Instance);
            await DeleteIfThereAsync(direct, oldName, newName);
            using var proxy = new OmapiFaultProxy(Instance.Host, Instance.Port, new ProxyKey(Instance.Algorithm, Instance.SecretBase64));
            using OmapiSession session = await ConnectThroughAsync(proxy);
            OmapiHost old = (await session.CreateHostAsync(NewHost(oldName), Ct)).Value;
            try
            {
                var rule = new FaultRule(FaultAction.CloseBeforeReply, step == "delete" ? r => r.Op == 6 : r => r.IsOpen("host") && r.Message.MessageValues.Any(v => v.Key == "create"));
                proxy.Add(rule);

                OmapiHostRenameResult result = await session.RenameHostAsync(old, newName, null, Ct);

                Assert.Equal(1, rule.Fired);
                Assert.Equal(OmapiHostRenameOutcome.Renamed, result.Outcome);
                Assert.True(result.ReplyLost);
                string note = Assert.Single(result.Notes);
                Assert.Contains("'" + step + " host " + (step == "delete" ? oldName : newName), note, StringComparison.Ordinal);
                Assert.Contains("was applied", note, StringComparison.Ordinal);
                Assert.Equal(newName, result.Host!.Name);
                Assert.Null(await FindAsync(direct, oldName));
                Assert.Equal(old.MacAddress, (await FindAsync(direct, newName))!.MacAddress);
            }
            finally
            {
                await DeleteIfThereAsync(direct, oldName, newName);
            }
        }

        [Fact]
        public async Task Host_changes_go_one_update_each_and_a_failure_says_which_are_in_effect()
        {
            using OmapiSession direct = await ConnectAsync(Instance);
            await DeleteIfThereAsync(direct, "seq-set1");
            using var proxy = new OmapiFaultProxy(Instance.Host, Instance.Port, new ProxyKey(Instance.Algorithm, Instance.SecretBase64));
            using OmapiSession session = await ConnectThroughAsync(proxy);
            OmapiHost host = (await session.CreateHostAsync(NewHost("seq-set1"), Ct)).Value;
            try
            {
                var changes = new OmapiHostChanges { IPAddresses = new[] { IPAddress.Parse("198.51.100.2") }, Group = DhcpdScenario.GroupName, Statements = "option host-name \"seq\";" };

                // The statements' reply is lost; dhcpd never returns statements, so that step is outcome unknown: the group
                // before it is in effect, the fixed addresses after it were never sent.
                var rule = new FaultRule(FaultAction.CloseBeforeReply, r => r.Op == 3 && r.Message.Object("statements") != null);
                proxy.Add(rule);
                OmapiHostUpdateResult result = await session.SetHostAsync(host, changes, Ct);

                Assert.Equal(1, rule.Fired);
                Assert.Equal(new[] { "group" }, result.Applied);
                Assert.IsType<OmapiOutcomeUnknownException>(result.Failure);
                Assert.Equal(new[] { "198.51.100.3", "198.51.100.4" }, Addresses((await FindAsync(direct, "seq-set1"))!));

                // Without a fault every value goes, group and statements before the fixed addresses.
                OmapiHostUpdateResult again = await session.SetHostAsync(host, new OmapiHostChanges { Group = DhcpdScenario.GroupName, IPAddresses = new[] { IPAddress.Parse("198.51.100.2") } }, Ct);
                Assert.Null(again.Failure);
                Assert.Equal(new[] { "group", "ip-address" }, again.Applied);
                Assert.Equal(new[] { "198.51.100.2" }, Addresses((await FindAsync(direct, "seq-set1"))!));

                // UpdateHostAsync is the same sequence, throwing what stopped it.
                await Assert.ThrowsAsync<OmapiNotFoundException>(() => session.UpdateHostAsync(host, new OmapiHostChanges { Group = "no-such-group" }, Ct));
            }
            finally
            {
                await DeleteIfThereAsync(direct, "seq-set1");
            }
        }

        [Fact]
        public async Task A_lease_keeps_its_state_when_its_reserved_flag_or_end_time_changes()
        {
            IPAddress address = IPAddress.Parse("198.51.100.171");
            using OmapiSession session = await ConnectAsync(Instance);
            OmapiLease lease = await session.GetLeaseAsync(address, Ct);
            try
            {
                OmapiLease active = (await session.SetLeaseAsync(lease, LeaseState.Active, DateTimeOffset.UtcNow.AddDays(30), cancellationToken: Ct)).Value;
                Assert.Equal(LeaseState.Active, active.GetState());

                // dhcpd alone would move an Active lease to Free on a flags change; the state goes again in the same UPDATE.
                OmapiLease reserved = (await session.SetLeaseAsync(active, reserved: true, cancellationToken: Ct)).Value;
                Assert.Equal(LeaseState.Active, reserved.GetState());
                Assert.True(reserved.GetFlags().HasFlag(LeaseFlags.Reserved));

                DateTimeOffset later = DateTimeOffset.UtcNow.AddDays(60);
                OmapiLease extended = (await session.SetLeaseAsync(reserved, ends: later, cancellationToken: Ct)).Value;
                Assert.Equal(LeaseState.Active, extended.GetState());
                Assert.True(extended.GetFlags().HasFlag(LeaseFlags.Reserved));
                Assert.Equal(later.ToUnixTimeSeconds(), extended.Ends!.Value.ToUnixTimeSeconds());
            }
            finally
            {
                await session.SetLeaseAsync(await session.GetLeaseAsync(address, Ct), LeaseState.Free, reserved: false, cancellationToken: Ct);
            }
        }

        private Task<OmapiSession> ConnectThroughAsync(OmapiFaultProxy proxy)
        {
            OmapiConnectionOptions options = OptionsFor(Instance);
            options.Port = proxy.Port;
            options.RequestTimeout = TimeSpan.FromSeconds(5);
            options.ReconnectAttempts = 3;
            options.ReconnectDelay = TimeSpan.FromMilliseconds(50);
            options.ConnectTimeout = TimeSpan.FromSeconds(5);
            return OmapiSession.ConnectAsync(options, Ct);
        }
    }
}
