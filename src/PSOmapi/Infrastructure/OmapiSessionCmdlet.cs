using System.Management.Automation;
using Omapi.Core;

namespace PSOmapi
{
    /// <summary>Base of every cmdlet that talks to a server: declares -Session once and resolves the runspace default.</summary>
    public abstract class OmapiSessionCmdlet : OmapiCmdlet
    {
        /// <summary>The session to use; defaults to the one the last Connect-Omapi in this runspace returned.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateNotNull]
        public OmapiSessionInfo? Session { get; set; }

        /// <summary>The session to use for this record: -Session, else the runspace default, else a terminating NoSession error.</summary>
        protected OmapiSessionInfo ResolveSession()
        {
            OmapiSessionInfo? session = Session ?? SessionStore.Current.Default;
            if (session == null)
            {
                ThrowTerminatingError(OmapiErrors.Create(ErrorIds.NoSession, ErrorCategory.ConnectionError, "There is no OMAPI session in this runspace. Run Connect-Omapi first, or pass -Session.", null));
            }

            if (session!.IsClosed)
            {
                ThrowTerminatingError(OmapiErrors.Create(ErrorIds.NoSession, ErrorCategory.ConnectionError, "The session " + session + " was closed by Disconnect-Omapi. Run Connect-Omapi again.", session));
            }

            return session;
        }

        /// <summary>The protocol session for this record.</summary>
        protected OmapiSession Core => ResolveSession().Core;

        /// <summary>
        /// Objects carry the server they came from; a handle means nothing on another server. Writes a ServerMismatch
        /// error and returns false when they differ.
        /// </summary>
        protected bool CheckSameServer(string objectServer, object target)
        {
            OmapiSessionInfo session = ResolveSession();
            if (string.Equals(objectServer, session.Core.ServerName, System.StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }

            WriteError(OmapiErrors.Create(ErrorIds.ServerMismatch, ErrorCategory.InvalidArgument, "The object came from server '" + objectServer + "' but the session is for '" + session.Core.ServerName + "'. Pass -Session for that server.", target));
            return false;
        }
    }
}
