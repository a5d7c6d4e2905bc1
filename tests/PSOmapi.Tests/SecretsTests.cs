using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text;
using Omapi.Core.Tests.Dhcpd;
using Xunit;
using PSOmapi.Testing;

namespace PSOmapi.Tests
{
    /// <summary>The key's secret appears nowhere: no output or stream, error, exception, ToString, serialized session, or log.</summary>
    public class SecretsTests : ModuleTestBase
    {
        public SecretsTests(DhcpdFixture fixture) : base(fixture) { }

        [Fact]
        public void The_secret_is_in_no_stream_error_exception_string_or_serialization()
        {
            DhcpdInstance main = Fixture.Main;
            byte[] secretBytes = main.GetSecretBytes();
            string wrongSecret = Convert.ToBase64String(secretBytes.Select(b => (byte)(b ^ 0x33)).ToArray());
            string keyFile = WriteTempFile("key \"" + main.KeyName + "\" { algorithm hmac-md5; secret \"" + main.SecretBase64 + "\"; };");
            var everything = new StringBuilder();
            try
            {
                Shell.SetVariable("cred", CredentialFor(main));
                Shell.SetVariable("bad", CredentialFor(main, wrongSecret));
                string[] scripts =
                {
                    "Connect-Omapi -Server $args[0] -Port $args[1] -Credential $cred -Verbose -Debug",
                    "Connect-Omapi -Server $args[0] -Port $args[1] -KeyFile $args[2] -Verbose -Debug",
                    "Connect-Omapi -Server $args[0] -Port $args[1] -Credential $bad -Verbose -Debug",
                    "Connect-Omapi -Server 127.0.0.1:1 -Credential $cred -TimeoutSec 2 -Verbose",
                    "Get-OmapiLease -IPAddress 198.51.100.251 -Verbose -Debug",
                    "Get-OmapiSession | ForEach-Object { $_.ToString(); $_.psobject.Properties | ForEach-Object { $_.Name + '=' + $_.Value } }",
                    "[System.Management.Automation.PSSerializer]::Serialize((Get-OmapiSession), 5)", // what Export-Clixml writes
                    "Get-OmapiSession | Out-String -Width 300",
                    "$Error | ForEach-Object { $_.ToString(); $_.Exception.ToString(); $_.ErrorDetails; $_.ScriptStackTrace } | Out-String",
                };
                foreach (string script in scripts)
                {
                    string rendered;
                    try
                    {
                        rendered = Shell.Render(script, main.Host, main.Port, keyFile);
                    }
                    catch (RuntimeException ex)
                    {
                        rendered = ex.ToString() + ex.ErrorRecord;
                    }

                    everything.Append(rendered);
                    foreach (ErrorRecord e in Shell.Errors)
                    {
                        everything.Append(e.FullyQualifiedErrorId).Append(e).Append(e.Exception).Append(e.ErrorDetails?.Message).Append(e.ErrorDetails?.RecommendedAction);
                    }

                    everything.Append(string.Join("\n", Shell.Verbose));
                }
            }
            finally
            {
                File.Delete(keyFile);
            }

            string text = everything.ToString();
            Assert.Contains(main.KeyName, text, StringComparison.Ordinal); // the sweep did see the sessions and errors
            Assert.Contains("AuthenticationFailed", text, StringComparison.Ordinal);
            Assert.Contains("Objs", text, StringComparison.Ordinal);       // the CLIXML serialization was rendered
            foreach (string forbidden in new[] { main.SecretBase64, wrongSecret, Convert.ToHexString(secretBytes), Encoding.Latin1.GetString(secretBytes) })
            {
                Assert.DoesNotContain(forbidden, text, StringComparison.OrdinalIgnoreCase);
            }

            // Nor in dhcpd's own log of these attempts, nor any file the run wrote next to it (the fixture's config holds it by design).
            Assert.DoesNotContain(main.SecretBase64, main.ReadLog(), StringComparison.Ordinal);
        }
    }
}
