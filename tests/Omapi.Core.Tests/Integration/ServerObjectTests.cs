using System;
using System.Linq;
using System.Threading.Tasks;
using Omapi.Core.Connection;
using Omapi.Core.Objects;
using Omapi.Core.Protocol;
using Omapi.Core.Tests.Dhcpd;
using Xunit;
using PSOmapi.Testing;

namespace Omapi.Core.Tests.Integration
{
    /// <summary>Groups, classes, subclasses, failover-state, control, and the protocol-level refusals of section 5.3.</summary>
    public class ServerObjectTests : DhcpdTestBase
    {
        public ServerObjectTests(DhcpdFixture fixture) : base(fixture) { }

        [Fact]
        public async Task Named_groups_are_read_created_and_deleted()
        {
            using OmapiSession session = await ConnectMainAsync();
            var ct = TestContext.Current.CancellationToken;
            OmapiGroup grp1 = await session.GetGroupAsync(DhcpdScenario.GroupName, ct);
            Assert.Equal(DhcpdScenario.GroupName, grp1.Name);

            OmapiGroup created = (await session.CreateGroupAsync("grp2", "option domain-name \"grp2.example\";", ct)).Value;
            Assert.Equal("grp2", created.Name);
            Assert.Equal(created.GetHandle(), (await session.GetGroupAsync("grp2", ct)).GetHandle());
            await session.DeleteAsync(created.GetHandle(), "delete group grp2", ct);
            await Assert.ThrowsAsync<OmapiNotFoundException>(() => session.GetGroupAsync("grp2", ct));

            var noStatements = await Assert.ThrowsAnyAsync<OmapiServerException>(() => session.CreateAsync("group", new OmapiValueList().Add("name", "grp3"), null, ct));
            Assert.Equal(393219u, noStatements.ResultCode);
        }

        [Fact]
        public async Task Classes_and_subclasses_are_read_created_and_deleted()
        {
            using OmapiSession session = await ConnectMainAsync();
            var ct = TestContext.Current.CancellationToken;
            OmapiClass cls1 = await session.GetClassAsync(DhcpdScenario.ClassName, ct);
            Assert.Equal(DhcpdScenario.ClassName, cls1.Name);
            Assert.NotNull(cls1.LeaseLimit);

            OmapiSubclass sub = await session.GetSubclassAsync(DhcpdScenario.ClassName, DhcpdScenario.SubclassHashString.ToArray(), ct);
            Assert.Equal("01:00:11:22:33:44:77", sub.HashString);

            OmapiClass cls2 = (await session.CreateClassAsync("cls2", matchHardware: true, cancellationToken: ct)).Value;
            OmapiSubclass sub2 = (await session.CreateSubclassAsync("cls2", new byte[] { 1, 2, 0, 0, 0, 0, 9 }, ct)).Value;
            Assert.Equal(sub2.GetHandle(), (await session.GetSubclassAsync("cls2", new byte[] { 1, 2, 0, 0, 0, 0, 9 }, ct)).GetHandle());
            Assert.Contains("subclass \"cls2\"", Fixture.Main.ReadLeasesFile(), StringComparison.Ordinal);

            await session.DeleteAsync(sub2.GetHandle(), "delete subclass", ct);
            await Assert.ThrowsAsync<OmapiNotFoundException>(() => session.GetSubclassAsync("cls2", new byte[] { 1, 2, 0, 0, 0, 0, 9 }, ct));
            await session.DeleteAsync(cls2.GetHandle(), "delete class cls2", ct);
            await Assert.ThrowsAsync<OmapiNotFoundException>(() => session.GetClassAsync("cls2", ct));

            var badMatch = await Assert.ThrowsAsync<OmapiInvalidArgumentException>(() =>
                session.CreateAsync("class", new OmapiValueList().Add("name", "cls3").Add("match", "option host-name"), null, ct));
            Assert.Equal(393219u, badMatch.ResultCode);
        }

        [Fact]
        public async Task Failover_state_is_read_and_partner_down_can_be_set()
        {
            using OmapiSession session = await ConnectAsync(Fixture.Failover);
            var ct = TestContext.Current.CancellationToken;
            FailoverPeerConfig peer = DhcpdScenario.FailoverPeer;
            OmapiFailoverState state = await session.GetFailoverStateAsync(peer.Name, ct);
            Assert.Equal(peer.Name, state.Name);
            Assert.Equal(FailoverRole.Primary, state.GetRole());
            Assert.Equal(peer.Mclt, state.Mclt);
            Assert.Equal(peer.PeerPort, state.PartnerPort);
            Assert.Equal(peer.MaxResponseDelay, state.MaxResponseDelay);
            Assert.NotNull(state.GetPartnerAddressBytes()); // pointer bytes, not an address: kept raw

            await session.SetFailoverLocalStateAsync(state, FailoverState.PartnerDown, ct);
            OmapiFailoverState after = await session.GetFailoverStateAsync(peer.Name, ct);
            Assert.Equal(FailoverState.PartnerDown, after.GetLocalState());

            await Assert.ThrowsAsync<OmapiNotFoundException>(() => session.GetFailoverStateAsync("nosuchpeer", ct));
        }

        [Fact]
        public async Task The_control_object_reads_startup_and_cannot_be_deleted_or_set_to_running()
        {
            using OmapiSession session = await ConnectMainAsync();
            var ct = TestContext.Current.CancellationToken;
            OmapiControl control = await session.GetControlAsync(ct);
            Assert.Equal(ServerControlState.Startup, control.GetState());

            var delete = await Assert.ThrowsAsync<OmapiPermissionDeniedException>(() => session.DeleteAsync(control.GetHandle(), "delete control", ct));
            Assert.Equal(6u, delete.ResultCode);
            await Assert.ThrowsAsync<OmapiInvalidArgumentException>(() => session.UpdateAsync(control.GetHandle(), new OmapiValueList().Add("state", 1u), null, ct));
        }

        [Fact]
        public async Task Protocol_level_refusals_carry_their_codes_and_texts()
        {
            using OmapiSession session = await ConnectMainAsync();
            var ct = TestContext.Current.CancellationToken;

            var notify = await Assert.ThrowsAsync<OmapiNotSupportedException>(() => session.NotifyAsync(1, ct));
            Assert.Equal("notify not implemented yet", notify.ServerMessage);

            var noHandle = await Assert.ThrowsAsync<OmapiNotFoundException>(() => session.RefreshAsync(0x7FFFFFF0, null, ct));
            Assert.Equal("no matching handle", noHandle.ServerMessage);
            await Assert.ThrowsAsync<OmapiNotFoundException>(() => session.UpdateAsync(0x7FFFFFF0, new OmapiValueList().Add("state", 1u), null, ct));
            await Assert.ThrowsAsync<OmapiNotFoundException>(() => session.DeleteAsync(0x7FFFFFF0, null, ct));

            var unsearchable = await Assert.ThrowsAsync<OmapiNotSupportedException>(() => session.OpenAsync("failover-link", new OmapiValueList().Add("name", "x"), cancellationToken: ct));
            Assert.Equal("unsearchable object type", unsearchable.ServerMessage);

            var createUnknown = await Assert.ThrowsAsync<OmapiInvalidArgumentException>(() => session.CreateAsync("no-such-type", new OmapiValueList().Add("name", "x"), null, ct));
            Assert.Equal("type required on create", createUnknown.ServerMessage);

            var trailingNul = await Assert.ThrowsAsync<OmapiNotFoundException>(() =>
                session.OpenAsync("lease\0", new OmapiValueList().Add("ip-address", new byte[] { 198, 51, 100, 11 }), cancellationToken: ct));
            Assert.Equal("no matching handle", trailingNul.ServerMessage);

            var noValues = await Assert.ThrowsAsync<OmapiInvalidArgumentException>(() => session.CreateAsync("host", new OmapiValueList(), null, ct));
            Assert.Equal("can't update object", noValues.ServerMessage);

            // An open flag must be 4 bytes; sent raw with 1 byte.
            var request = new OmapiRequest(OmapiOpcode.Open, 0, new OmapiValueList().Add("type", "host").Add("create", new byte[] { 1 }), new OmapiValueList().Add("name", "x"), "open with a 1-byte flag");
            OmapiMessage reply = await session.SendAsync(request, ct);
            Assert.Equal((uint)OmapiResult.InvalidArgument, OmapiReplies.ResultOf(reply));
            Assert.Equal("invalid create flag value", OmapiReplies.MessageOf(reply));

            Assert.True(session.IsConnected);
            AssertAllDhcpdAlive();
        }
    }
}
