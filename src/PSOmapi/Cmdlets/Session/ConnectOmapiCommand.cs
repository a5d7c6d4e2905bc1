using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using Omapi.Core;
using Omapi.Core.Connection;
using Omapi.Core.Security;

namespace PSOmapi
{
    /// <summary>
    /// <para type="synopsis">Opens an authenticated OMAPI session with a dhcpd server and makes it this runspace's default.</para>
    /// </summary>
    [Cmdlet(VerbsCommunications.Connect, "Omapi", DefaultParameterSetName = CredentialSet, HelpUri = ModuleLinks.HelpBase + "Connect-Omapi.md")]
    [OutputType(typeof(OmapiSessionInfo))]
    public sealed class ConnectOmapiCommand : OmapiCmdlet
    {
        private const string CredentialSet = "Credential";
        private const string KeyFileSet = "KeyFile";

        /// <summary>
        /// The dhcpd host name or IPv4 address — or several, for a failover pair: the first that answers is used, and the
        /// others are tried when the connection is lost. Each may be "host:port".
        /// </summary>
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        public string[] Server { get; set; } = Array.Empty<string>();

        /// <summary>dhcpd's omapi-port (default 7911).</summary>
        [Parameter]
        [ValidateRange(1, 65535)]
        public int Port { get; set; } = OmapiConnectionOptions.DefaultPort;

        /// <summary>User name = the key name; password = the key's base64 secret.</summary>
        [Parameter(Mandatory = true, ParameterSetName = CredentialSet)]
        [Credential]
        [ValidateNotNull]
        public PSCredential Credential { get; set; } = PSCredential.Empty;

        /// <summary>A file holding a key "name" { algorithm ...; secret "..."; }; block.</summary>
        [Parameter(Mandatory = true, ParameterSetName = KeyFileSet)]
        [ValidateNotNullOrEmpty]
        public string KeyFile { get; set; } = string.Empty;

        /// <summary>Which key of the key file to use, when it holds several.</summary>
        [Parameter(ParameterSetName = KeyFileSet)]
        [ValidateNotNullOrEmpty]
        public string? KeyName { get; set; }

        /// <summary>The key algorithm; with -KeyFile, the file's algorithm unless given. Default HMAC-MD5.</summary>
        [Parameter]
        [ValidateSet("HMAC-MD5", "HMAC-SHA1", "HMAC-SHA224", "HMAC-SHA256", "HMAC-SHA384", "HMAC-SHA512", IgnoreCase = true)]
        public string? Algorithm { get; set; }

        /// <summary>Seconds to wait for the connection and for each request (default 30).</summary>
        [Parameter]
        [ValidateRange(1, 3600)]
        public int TimeoutSec { get; set; } = 30;

        /// <summary>Do not re-open the connection when it is lost: the next command fails with ConnectionFailed instead.</summary>
        [Parameter]
        public SwitchParameter NoReconnect { get; set; }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            OmapiKey key = ParameterSetName == KeyFileSet ? ReadKeyFile() : KeyFromCredential();
            var options = new OmapiConnectionOptions
            {
                Server = Server[0],
                AlternateServers = Server.Skip(1).ToArray(),
                ReconnectAttempts = NoReconnect ? 0 : 3,
                Port = Port,
                Key = key,
                ConnectTimeout = TimeSpan.FromSeconds(TimeoutSec),
                RequestTimeout = TimeSpan.FromSeconds(TimeoutSec),
            };
            WriteVerbose("Connecting to " + string.Join(", ", options.Endpoints().Select(e => e.Endpoint)) + " with " + key + ".");
            OmapiSession session;
            try
            {
                session = Run(ct => OmapiSession.ConnectAsync(options, ct));
            }
            catch (Exception ex) when (IsReportable(ex))
            {
                ThrowError(ex, Server.Length == 1 ? (object)Server[0] : Server);
                return;
            }

            var info = new OmapiSessionInfo(session, key.Algorithm);
            SessionStore.Current.Add(info);
            WriteVerbose("Connected: " + info + " is now this runspace's default session.");
            WriteObject(info);
        }

        private OmapiKey KeyFromCredential()
        {
            string name = Credential.UserName.TrimStart('\\');
            OmapiAlgorithm algorithm = OmapiAlgorithms.Parse(Algorithm ?? "HMAC-MD5");
            try
            {
                return OmapiKey.FromBase64(name, algorithm, Credential.GetNetworkCredential().Password);
            }
            catch (ArgumentException ex)
            {
                ThrowTerminatingError(OmapiErrors.Create(ErrorIds.AuthenticationFailed, ErrorCategory.InvalidArgument, "The credential for key '" + name + "' cannot be used: " + FirstLine(ex.Message) + " The password must be the key's base64 secret.", name));
                throw;
            }
        }

        private OmapiKey ReadKeyFile()
        {
            string path = GetUnresolvedProviderPathFromPSPath(KeyFile);
            string text;
            try
            {
                text = File.ReadAllText(path);
            }
            catch (Exception ex) when (ex is FileNotFoundException || ex is DirectoryNotFoundException)
            {
                string message = "The key file '" + path + "' does not exist.";
                ThrowTerminatingError(new ErrorRecord(new FileNotFoundException(message, path, ex), ErrorIds.KeyFileNotFound, ErrorCategory.ObjectNotFound, path)
                {
                    ErrorDetails = new ErrorDetails(message)
                    {
                        RecommendedAction = "Give -KeyFile the path of the file that holds the server's OMAPI key block (key \"name\" { algorithm ...; secret \"...\"; };), such as the one dhcpd.conf includes, or pass the key with -Credential.",
                    },
                });
                throw;
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is ArgumentException || ex is NotSupportedException)
            {
                // The exception itself (access denied, a folder, a bad path ...), not an ArgumentException around it.
                string message = "Cannot read the key file '" + path + "': " + ex.Message;
                ThrowTerminatingError(new ErrorRecord(ex, ErrorIds.InvalidKeyFile, ErrorCategory.ReadError, path)
                {
                    ErrorDetails = new ErrorDetails(message)
                    {
                        RecommendedAction = "Check that the file can be read by this user (key files are usually readable by root only), or pass the key with -Credential.",
                    },
                });
                throw;
            }

            try
            {
                OmapiKey key = PSOmapi.KeyFile.Read(text, KeyName, "'" + path + "'");
                return Algorithm == null ? key : Rekey(key);
            }
            catch (FormatException ex)
            {
                ThrowTerminatingError(new ErrorRecord(ex, ErrorIds.InvalidKeyFile, ErrorCategory.InvalidData, path));
                throw;
            }
        }

        private OmapiKey Rekey(OmapiKey key)
        {
            // -Algorithm overrides the file's algorithm; the secret stays inside the key object.
            return key.WithAlgorithm(OmapiAlgorithms.Parse(Algorithm!));
        }

        private static string FirstLine(string message) => message.Split('\n')[0].Replace(" (Parameter 'base64Secret')", string.Empty);
    }
}
