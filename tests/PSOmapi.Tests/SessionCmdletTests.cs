using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using Omapi.Core.Tests.Dhcpd;
using Xunit;
using PSOmapi.Testing;

namespace PSOmapi.Tests
{
    public class SessionCmdletTests : ModuleTestBase
    {
        public SessionCmdletTests(DhcpdFixture fixture) : base(fixture) { }

        [Fact]
        public void Connect_with_a_credential_returns_the_session_and_makes_it_the_default()
        {
            PSObject session = ConnectMain();
            Assert.Equal("PSOmapi.OmapiSessionInfo", session.TypeNames[0]);
            Assert.Equal(Fixture.Main.Host, Prop<string>(session, "Server"));
            Assert.Equal(Fixture.Main.Port, Prop<int>(session, "Port"));
            Assert.Equal(Fixture.Main.KeyName, Prop<string>(session, "KeyName"));
            Assert.Equal("HMAC-MD5", Prop<string>(session, "Algorithm"));
            Assert.True(Prop<bool>(session, "IsConnected"));

            PSObject current = Assert.Single(Shell.Invoke("Get-OmapiSession -Default"));
            Assert.Equal(Prop<int>(session, "Id"), Prop<int>(current, "Id"));
        }

        [Theory]
        [InlineData("key \"{0}\" {{\n\talgorithm {1};\n\tsecret \"{2}\";\n}};\n")]                                   // tsig-keygen
        [InlineData("# dhcpd.conf excerpt\nkey {0} {{ algorithm {1}; secret \"{2}\"; }}\nomapi-key {0};\n")]          // dhcpd.conf
        [InlineData("/* two keys */ key other {{ algorithm hmac-md5; secret \"AAAA\"; }}; key \"{0}\" {{ algorithm {1}; secret \"{2}\"; }};")]
        public void Connect_with_a_key_file_reads_the_key_block(string template)
        {
            DhcpdInstance sha = Fixture.ForAlgorithm("HMAC-SHA256");
            string path = WriteTempFile(string.Format(System.Globalization.CultureInfo.InvariantCulture, template, sha.KeyName, "hmac-sha256", sha.SecretBase64));
            try
            {
                PSObject session = Assert.Single(Shell.Invoke("Connect-Omapi $args[0] -Port $args[1] -KeyFile $args[2] -KeyName $args[3]", sha.Host, sha.Port, path, sha.KeyName));
                Assert.Equal("HMAC-SHA256", Prop<string>(session, "Algorithm"));
                Assert.Single(Shell.Invoke("Get-OmapiLease -IPAddress $args[0]", DhcpdScenario.UnseededFreeAddress.ToString()));
                Assert.Empty(Shell.Errors);
            }
            finally
            {
                File.Delete(path);
            }
        }

        [Fact]
        public void A_wrong_secret_is_AuthenticationFailed_and_the_secret_appears_nowhere()
        {
            string wrong = Convert.ToBase64String(Fixture.Main.GetSecretBytes().Reverse().ToArray());
            Shell.SetVariable("cred", CredentialFor(Fixture.Main, wrong));
            ErrorRecord record = Shell.ErrorOf("Connect-Omapi -Server $args[0] -Port $args[1] -Credential $cred -Verbose", Fixture.Main.Host, Fixture.Main.Port);
            Assert.Equal("AuthenticationFailed,PSOmapi.ConnectOmapiCommand", record.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.AuthenticationError, record.CategoryInfo.Category);
            Assert.Equal(Fixture.Main.Host, record.TargetObject);
            Assert.Contains("393227", record.Exception.Message, StringComparison.Ordinal);
            string everything = record + record.Exception.ToString() + string.Join("\n", Shell.Verbose) + (record.ErrorDetails?.RecommendedAction ?? string.Empty);
            Assert.DoesNotContain(wrong, everything, StringComparison.Ordinal);
            Assert.DoesNotContain(Fixture.Main.SecretBase64, everything, StringComparison.Ordinal);
            Assert.Empty(Shell.Invoke("Get-OmapiSession"));
        }

        [Fact]
        public void An_unreachable_port_is_ConnectionFailed()
        {
            Shell.SetVariable("cred", CredentialFor(Fixture.Main));
            ErrorRecord record = Shell.ErrorOf("Connect-Omapi -Server 127.0.0.1 -Port 1 -Credential $cred -TimeoutSec 5");
            Assert.Equal("ConnectionFailed,PSOmapi.ConnectOmapiCommand", record.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.ConnectionError, record.CategoryInfo.Category);
        }

        [Fact]
        public void A_key_file_without_the_named_key_is_InvalidKeyFile()
        {
            string path = WriteTempFile("key \"a\" { algorithm hmac-md5; secret \"AAAA\"; };");
            try
            {
                ErrorRecord record = Shell.ErrorOf("Connect-Omapi 127.0.0.1 -KeyFile $args[0] -KeyName b", path);
                Assert.Equal("InvalidKeyFile,PSOmapi.ConnectOmapiCommand", record.FullyQualifiedErrorId);
                Assert.Contains("It has: a", record.Exception.Message, StringComparison.Ordinal);
            }
            finally
            {
                File.Delete(path);
            }
        }

        [Fact]
        public void Disconnect_closes_the_default_session_and_later_commands_say_so()
        {
            ConnectMain();
            Shell.Invoke("Disconnect-Omapi");
            Assert.Empty(Shell.Errors);
            Assert.Empty(Shell.Invoke("Get-OmapiSession"));
            Assert.Equal("NoSession,PSOmapi.GetOmapiLeaseCommand", Shell.ErrorOf("Get-OmapiLease 198.51.100.11").FullyQualifiedErrorId);
        }

        [Fact]
        public void The_default_is_the_newest_open_session_whichever_sessions_are_disconnected()
        {
            int first = Prop<int>(ConnectMain(), "Id");
            int second = Prop<int>(ConnectMain(), "Id");
            int third = Prop<int>(ConnectMain(), "Id");
            int DefaultId() => Prop<int>(Assert.Single(Shell.Invoke("Get-OmapiSession -Default")), "Id");
            Assert.Equal(third, DefaultId());

            // Closing another session keeps the default; closing the default falls back to the newest one left.
            Shell.Invoke("Disconnect-Omapi -Id $args[0]", second);
            Assert.Equal(third, DefaultId());
            Shell.Invoke("Disconnect-Omapi");
            Assert.Equal(first, DefaultId());
            Assert.Equal(new[] { first }, Shell.Invoke("Get-OmapiSession").Select(s => Prop<int>(s, "Id")));
            Assert.Single(Shell.Invoke("Get-OmapiLease -IPAddress $args[0]", DhcpdScenario.UnseededFreeAddress.ToString()));

            int fourth = Prop<int>(ConnectMain(), "Id");
            Assert.Equal(fourth, DefaultId());
            Shell.Invoke("Disconnect-Omapi -All");
            Assert.Empty(Shell.Errors);
            Assert.Empty(Shell.Invoke("Get-OmapiSession -Default"));
            Assert.Empty(Shell.Invoke("Get-OmapiSession"));
        }

        [Fact]
        public void Sessions_are_per_runspace()
        {
            ConnectMain();
            using var other = new ModuleHarness();
            Assert.Empty(other.Invoke("Get-OmapiSession"));
            Assert.Single(Shell.Invoke("Get-OmapiSession"));
        }
    }
}
