using System.Globalization;
using System.Linq;
using System.Management.Automation;

namespace PSOmapi
{
    /// <summary>
    /// <para type="synopsis">Closes OMAPI sessions: the default one, those piped in, those with the given ids, or all.</para>
    /// </summary>
    [Cmdlet(VerbsCommunications.Disconnect, "Omapi", DefaultParameterSetName = SessionSet, HelpUri = ModuleLinks.HelpBase + "Disconnect-Omapi.md")]
    [OutputType(typeof(void))]
    public sealed class DisconnectOmapiCommand : OmapiCmdlet
    {
        private const string SessionSet = "Session";
        private const string IdSet = "Id";
        private const string AllSet = "All";

        /// <summary>The session to close (default: this runspace's default session).</summary>
        [Parameter(ParameterSetName = SessionSet, ValueFromPipeline = true, Position = 0)]
        [ValidateNotNull]
        [ArgumentCompleter(typeof(OmapiSessionCompleter))]
        public OmapiSessionInfo? Session { get; set; }

        /// <summary>Ids of the sessions to close (see Get-OmapiSession).</summary>
        [Parameter(ParameterSetName = IdSet, Mandatory = true)]
        [ArgumentCompleter(typeof(OmapiSessionIdCompleter))]
        public int[] Id { get; set; } = System.Array.Empty<int>();

        /// <summary>Close every session of this runspace.</summary>
        [Parameter(ParameterSetName = AllSet, Mandatory = true)]
        public SwitchParameter All { get; set; }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            SessionStore.RunspaceSessions store = SessionStore.Current;
            if (All)
            {
                foreach (OmapiSessionInfo s in store.RemoveAll())
                {
                    Close(s);
                }

                return;
            }

            if (ParameterSetName == IdSet)
            {
                foreach (int id in Id)
                {
                    OmapiSessionInfo? match = store.All.FirstOrDefault(s => s.Id == id);
                    if (match == null)
                    {
                        WriteError(OmapiErrors.NoSession("This runspace has no OMAPI session with id " + id.ToString(CultureInfo.InvariantCulture) + ".", ErrorCategory.ObjectNotFound, id, "Get-OmapiSession lists the sessions of this runspace and their ids."));
                        continue;
                    }

                    store.Remove(match);
                    Close(match);
                }

                return;
            }

            OmapiSessionInfo? session = Session ?? store.Default;
            if (session == null)
            {
                WriteError(OmapiErrors.NoSession("There is no OMAPI session to close in this runspace.", ErrorCategory.ObjectNotFound, OmapiErrors.DefaultSessionTarget, "Get-OmapiSession lists the sessions of this runspace; there is nothing to disconnect."));
                return;
            }

            store.Remove(session);
            Close(session);
        }

        private void Close(OmapiSessionInfo session)
        {
            WriteVerbose("Closing " + session + ".");
            session.Dispose();
        }
    }
}
