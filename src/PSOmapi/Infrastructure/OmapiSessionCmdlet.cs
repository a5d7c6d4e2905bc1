using System.Management.Automation;
using Omapi.Core;
using Omapi.Core.Objects;

namespace PSOmapi
{
    /// <summary>Base of every cmdlet that talks to a server: declares -Session once and resolves the runspace default.</summary>
    public abstract class OmapiSessionCmdlet : OmapiCmdlet
    {
        /// <summary>The session to use; defaults to the one the last Connect-Omapi in this runspace returned.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateNotNull]
        [ArgumentCompleter(typeof(OmapiSessionCompleter))]
        public OmapiSessionInfo? Session { get; set; }

        /// <summary>The session to use for this record: -Session, else the runspace default, else a terminating NoSession error.</summary>
        protected OmapiSessionInfo ResolveSession()
        {
            OmapiSessionInfo? session = Session ?? SessionStore.Current.Default;
            if (session == null)
            {
                ThrowTerminatingError(OmapiErrors.NoSession(
                    "There is no OMAPI session in this runspace: run Connect-Omapi first, or pass -Session.",
                    ErrorCategory.InvalidOperation,
                    OmapiErrors.DefaultSessionTarget,
                    "Run Connect-Omapi -Server <dhcpd server> -KeyFile <key file> (or -Credential) in this runspace first; ForEach-Object -Parallel and thread jobs need a Connect-Omapi of their own."));
            }

            if (session!.IsClosed)
            {
                ThrowTerminatingError(OmapiErrors.NoSession(
                    "The session " + session + " (id " + session.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) + ") was closed by Disconnect-Omapi: run Connect-Omapi again.",
                    ErrorCategory.InvalidOperation,
                    session,
                    "Run Connect-Omapi again, and pass its session (or none, to use the new default one)."));
            }

            return session;
        }

        /// <summary>The protocol session for this record.</summary>
        protected OmapiSession Core => ResolveSession().Core;

        /// <summary>
        /// Objects carry the server they came from; a handle means nothing on another server. Writes a ServerMismatch
        /// error (its target the object) and returns false when they differ; true for an object whose server is not known
        /// (an <see cref="OmapiObject"/> not read through a session), which there is nothing to check against.
        /// </summary>
        protected bool CheckSameServer(IOmapiObject item)
        {
            if (item == null)
            {
                throw new System.ArgumentNullException(nameof(item));
            }

            return item.Server == null || CheckSameServer(item.Server, item);
        }

        /// <summary>
        /// Like <see cref="CheckSameServer(IOmapiObject)"/>, with the object's server passed apart from it: every caller
        /// passes <c>target.Server</c>, so this form can go once the Set-, Invoke- and Register- cmdlets pass the object alone.
        /// </summary>
        protected bool CheckSameServer(string objectServer, IOmapiObject target)
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
