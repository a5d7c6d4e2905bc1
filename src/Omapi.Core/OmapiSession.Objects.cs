using System;
using System.Threading;
using System.Threading.Tasks;
using Omapi.Core.Connection;
using Omapi.Core.Objects;
using Omapi.Core.Protocol;

namespace Omapi.Core
{
    public sealed partial class OmapiSession
    {
        // ---- groups, classes, subclasses ----

        /// <summary>A named group.</summary>
        public async Task<OmapiGroup> GetGroupAsync(string name, CancellationToken cancellationToken = default) =>
            OmapiGroup.FromObject(await LookUpByNameAsync("group", name, cancellationToken).ConfigureAwait(false), ServerName);

        /// <summary>Creates a named group; dhcpd requires statements (e.g. <c>option domain-name "x";</c>). A lost reply is resolved by looking the group up.</summary>
        public async Task<OmapiWriteResult<OmapiGroup>> CreateGroupAsync(string name, string statements, CancellationToken cancellationToken = default)
        {
            var values = new OmapiValueList().Add("name", RequireText(name, nameof(name))).Add("statements", RequireText(statements, nameof(statements)));
            string what = "create group " + name;
            return await WriteAsync(
                OpenRequest("group", values, OmapiOpenFlags.Create | OmapiOpenFlags.Exclusive, what),
                reply => OmapiGroup.FromObject(ReplyChecks.Object(reply, "group", what, _options.ResultNumbering), ServerName),
                async ct => await TryAsync(() => GetGroupAsync(name, ct)).ConfigureAwait(false) is OmapiGroup g ? Verdict<OmapiGroup>.Applied(g, "group '" + name + "' exists") : Verdict<OmapiGroup>.NotApplied("there is no group '" + name + "'"),
                cancellationToken).ConfigureAwait(false);
        }

        /// <summary>A class by name.</summary>
        public async Task<OmapiClass> GetClassAsync(string name, CancellationToken cancellationToken = default)
        {
            OmapiObject o = await OpenAsync("class", new OmapiValueList().Add("name", RequireText(name, nameof(name))), OmapiOpenFlags.None, "open class " + name, cancellationToken).ConfigureAwait(false);
            return OmapiClass.FromObject(o, name, ServerName);
        }

        /// <summary>Creates a class; <paramref name="matchHardware"/> sets <c>match hardware</c> (the only match dhcpd accepts over OMAPI).</summary>
        public async Task<OmapiWriteResult<OmapiClass>> CreateClassAsync(string name, bool matchHardware = false, string? group = null, CancellationToken cancellationToken = default)
        {
            var values = new OmapiValueList().Add("name", RequireText(name, nameof(name)));
            if (matchHardware)
            {
                values.Add("match", "hardware");
            }

            if (!string.IsNullOrEmpty(group))
            {
                values.Add("group", group!);
            }

            string what = "create class " + name;
            return await WriteAsync(
                OpenRequest("class", values, OmapiOpenFlags.Create | OmapiOpenFlags.Exclusive, what),
                reply => OmapiClass.FromObject(ReplyChecks.Object(reply, "class", what, _options.ResultNumbering), name, ServerName),
                async ct => await TryAsync(() => GetClassAsync(name, ct)).ConfigureAwait(false) is OmapiClass c ? Verdict<OmapiClass>.Applied(c, "class '" + name + "' exists") : Verdict<OmapiClass>.NotApplied("there is no class '" + name + "'"),
                cancellationToken).ConfigureAwait(false);
        }

        /// <summary>A subclass by superclass name and hash string.</summary>
        public async Task<OmapiSubclass> GetSubclassAsync(string className, byte[] hashString, CancellationToken cancellationToken = default)
        {
            var keys = new OmapiValueList().Add("name", RequireText(className, nameof(className))).Add("hashstring", RequireBytes(hashString, nameof(hashString)));
            OmapiObject o = await OpenAsync("subclass", keys, OmapiOpenFlags.None, "open subclass " + className + " " + OmapiEncoding.ToHex(hashString), cancellationToken).ConfigureAwait(false);
            return OmapiSubclass.FromObject(o, className, hashString, ServerName);
        }

        /// <summary>Creates a subclass of an existing class.</summary>
        public async Task<OmapiWriteResult<OmapiSubclass>> CreateSubclassAsync(string className, byte[] hashString, CancellationToken cancellationToken = default)
        {
            var values = new OmapiValueList().Add("name", RequireText(className, nameof(className))).Add("hashstring", RequireBytes(hashString, nameof(hashString)));
            string what = "create subclass " + className + " " + OmapiEncoding.ToHex(hashString);
            return await WriteAsync(
                OpenRequest("subclass", values, OmapiOpenFlags.Create | OmapiOpenFlags.Exclusive, what),
                reply => OmapiSubclass.FromObject(ReplyChecks.Object(reply, "subclass", what, _options.ResultNumbering), className, hashString, ServerName),
                async ct => await TryAsync(() => GetSubclassAsync(className, hashString, ct)).ConfigureAwait(false) is OmapiSubclass c ? Verdict<OmapiSubclass>.Applied(c, "the subclass exists") : Verdict<OmapiSubclass>.NotApplied("there is no such subclass"),
                cancellationToken).ConfigureAwait(false);
        }

        // ---- pool, failover, control ----

        /// <summary>A pool by handle (from <see cref="OmapiLease.GetPoolHandle"/>); pools cannot be looked up otherwise.</summary>
        public async Task<OmapiPool> GetPoolAsync(uint handle, CancellationToken cancellationToken = default) =>
            OmapiPool.FromObject(await RefreshAsync(handle, "pool", cancellationToken).ConfigureAwait(false), ServerName);

        /// <summary>A failover peer's state by peer name.</summary>
        public async Task<OmapiFailoverState> GetFailoverStateAsync(string name, CancellationToken cancellationToken = default) =>
            OmapiFailoverState.FromObject(await LookUpByNameAsync("failover-state", name, cancellationToken).ConfigureAwait(false), ServerName);

        /// <summary>
        /// Sets this server's failover state, e.g. <see cref="FailoverState.PartnerDown"/> when the peer is known to be down.
        /// A lost reply is resolved by reading the state back.
        /// </summary>
        public async Task<OmapiWriteResult> SetFailoverLocalStateAsync(OmapiFailoverState peer, FailoverState state, CancellationToken cancellationToken = default)
        {
            if (peer == null)
            {
                throw new ArgumentNullException(nameof(peer));
            }

            string what = "set failover peer '" + peer.Name + "' local-state to " + state;
            return await WriteAsync(
                UpdateRequest(peer.GetHandle(), new OmapiValueList().Add("local-state", (uint)state), what),
                reply =>
                {
                    OmapiReplies.ExpectSuccess(reply, what, _options.ResultNumbering);
                    return true;
                },
                async ct =>
                {
                    OmapiFailoverState now = OmapiFailoverState.FromObject(await RefreshAsync(peer.GetHandle(), "failover-state", ct).ConfigureAwait(false), ServerName);
                    return now.GetLocalState() == state ? Verdict<bool>.Applied(true, "its local state is " + now.LocalState) : Verdict<bool>.NotApplied("its local state is " + now.LocalState);
                },
                cancellationToken).ConfigureAwait(false);
        }

        /// <summary>The server's control object.</summary>
        public async Task<OmapiControl> GetControlAsync(CancellationToken cancellationToken = default) =>
            OmapiControl.FromObject(await OpenAsync("control", new OmapiValueList(), OmapiOpenFlags.None, "open control", cancellationToken).ConfigureAwait(false), ServerName);

        /// <summary>
        /// Asks dhcpd to shut down (control <c>state = 2</c>). dhcpd usually sends no reply and closes the connection a few
        /// seconds later; both a success STATUS and that disconnect count as success.
        /// </summary>
        public async Task ShutdownServerAsync(CancellationToken cancellationToken = default)
        {
            OmapiControl control = await GetControlAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                // dhcpd closes OMAPI connections some 5-11 s after accepting the request and usually sends no reply: allow
                // at least 30 s so that a short request timeout does not report a timeout for a shutdown that is happening.
                var request = new OmapiRequest(OmapiOpcode.Update, control.GetHandle(), null, new OmapiValueList().Add("state", (uint)ServerControlState.Shutdown), "shut the server down", "status")
                {
                    Timeout = _options.RequestTimeout > TimeSpan.FromSeconds(30) ? _options.RequestTimeout : TimeSpan.FromSeconds(30),
                };
                OmapiMessage reply = await SendAsync(request, cancellationToken).ConfigureAwait(false);
                OmapiReplies.ExpectSuccess(reply, "shut the server down", _options.ResultNumbering);
            }
            catch (OmapiConnectionException ex) when (ex.ReplyLost)
            {
                // The server closed the connection as it went down: that is the expected outcome.
            }
        }

        /// <summary>Runs a lookup; null for "not found".</summary>
        private static async Task<T?> TryAsync<T>(Func<Task<T>> lookup)
            where T : class
        {
            try
            {
                return await lookup().ConfigureAwait(false);
            }
            catch (OmapiNotFoundException)
            {
                return null;
            }
        }
    }
}
