using System;
using System.Linq;
using System.Threading.Tasks;
using Omapi.Core.Connection;
using Omapi.Core.Objects;
using Omapi.Core.Security;
using Omapi.Core.Tests.Dhcpd;
using Xunit;
using PSOmapi.Testing;

namespace Omapi.Core.Tests.Integration
{
    /// <summary>Real dhcpd, every algorithm, every way authentication can fail.</summary>
    public class AuthenticationTests : DhcpdTestBase
    {
        public AuthenticationTests(DhcpdFixture fixture) : base(fixture) { }

        public static TheoryData<string> Algorithms => new TheoryData<string>(DhcpdScenario.Algorithms);

        [Theory]
        [MemberData(nameof(Algorithms))]
        public async Task Each_algorithm_authenticates_signs_and_verifies(string algorithm)
        {
            DhcpdInstance instance = Fixture.ForAlgorithm(algorithm);
            using OmapiSession session = await ConnectAsync(instance);

            Assert.True(session.Connection!.IsAuthenticated);
            Assert.NotEqual(0u, session.Connection.AuthenticatorHandle);
            // A signed request and a verified, signed reply (the connection would have closed on a bad signature).
            OmapiControl control = await session.GetControlAsync(TestContext.Current.CancellationToken);
            Assert.Equal(ServerControlState.Startup, control.GetState());
            Assert.True(session.IsConnected);
        }

        [Fact]
        public async Task A_wrong_secret_is_an_authentication_error_that_names_the_secret()
        {
            string wrong = Convert.ToBase64String(Fixture.Main.GetSecretBytes().Select(b => (byte)(b ^ 0x5A)).ToArray());
            var ex = await Assert.ThrowsAsync<OmapiAuthenticationException>(() =>
                OmapiSession.ConnectAsync(OptionsFor(Fixture.Main, secretBase64: wrong), TestContext.Current.CancellationToken));

            Assert.Equal((uint)OmapiResult.InvalidKey, ex.ResultCode);
            Assert.Contains("secret", ex.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(wrong, ex.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain(Fixture.Main.SecretBase64, ex.ToString(), StringComparison.Ordinal);
        }

        [Fact]
        public async Task An_unknown_key_name_is_an_authentication_error()
        {
            var ex = await Assert.ThrowsAsync<OmapiAuthenticationException>(() =>
                OmapiSession.ConnectAsync(OptionsFor(Fixture.Main, keyName: "no_such_key"), TestContext.Current.CancellationToken));
            Assert.Equal((uint)OmapiResult.NotFound, ex.ResultCode);
            Assert.Contains("no_such_key", ex.Message, StringComparison.Ordinal);
        }

        [Fact]
        public async Task The_wrong_algorithm_is_an_authentication_error()
        {
            var ex = await Assert.ThrowsAsync<OmapiAuthenticationException>(() =>
                OmapiSession.ConnectAsync(OptionsFor(Fixture.Main, algorithm: "HMAC-SHA256"), TestContext.Current.CancellationToken));
            Assert.Equal((uint)OmapiResult.NotFound, ex.ResultCode);
            Assert.Contains("algorithm", ex.Message, StringComparison.Ordinal);
        }

        [Fact]
        public async Task A_key_that_is_not_the_omapi_key_is_refused_with_invalidkey()
        {
            var ex = await Assert.ThrowsAsync<OmapiAuthenticationException>(() => OmapiSession.ConnectAsync(
                OptionsFor(Fixture.Main, secretBase64: Fixture.OtherKeySecretBase64, keyName: Fixture.OtherKeyName, algorithm: Fixture.OtherKeyAlgorithm),
                TestContext.Current.CancellationToken));
            Assert.Equal((uint)OmapiResult.InvalidKey, ex.ResultCode);
            Assert.Equal("can't select authenticator", ex.ServerMessage);
            Assert.Contains("omapi-key", ex.Message, StringComparison.Ordinal);
        }

        [Fact]
        public async Task Without_a_key_a_secure_server_answers_nokeys_unsigned()
        {
            var options = new OmapiConnectionOptions { Server = Fixture.Main.Host, Port = Fixture.Main.Port };
            using OmapiSession session = await OmapiSession.ConnectAsync(options, TestContext.Current.CancellationToken);
            var ex = await Assert.ThrowsAsync<OmapiAuthenticationException>(() =>
                session.GetLeaseAsync(DhcpdScenario.SeededLeases[1].IpAddress, TestContext.Current.CancellationToken));
            Assert.Equal((uint)OmapiResult.NoKeys, ex.ResultCode);
            Assert.Equal("No authenticator on message", ex.ServerMessage);
            Assert.True(session.IsConnected); // an error reply, not a broken connection
        }

        [Fact]
        public async Task A_closed_port_is_a_connection_error()
        {
            var options = OptionsFor(Fixture.Main);
            options.Port = 1; // nothing listens there in the namespace
            var ex = await Assert.ThrowsAsync<OmapiConnectionException>(() => OmapiSession.ConnectAsync(options, TestContext.Current.CancellationToken));
            Assert.Contains("127.0.0.1:1", ex.Message, StringComparison.Ordinal);
        }
    }
}
