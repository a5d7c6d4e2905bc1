using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Omapi.Core.Bulk;
using Omapi.Core.Connection;
using Omapi.Core.Objects;
using Omapi.Core.Protocol;

namespace Omapi.Core
{
    /// <summary>Flags of an OPEN request.</summary>
    [Flags]
    public enum OmapiOpenFlags
    {
        /// <summary>Look up only.</summary>
        None = 0,
        /// <summary>Create the object when no object matches.</summary>
        Create = 1,
        /// <summary>Apply the object values to the object found.</summary>
        Update = 2,
        /// <summary>With <see cref="Create"/>: fail with EXISTS when the object already exists.</summary>
        Exclusive = 4,
    }

    /// <summary>
    /// A session with one dhcpd (or a failover pair): the operations of OMAPI as typed methods, over connections that are
    /// shared by all callers and re-opened (and re-authenticated) when they are lost. Reads that lose their connection are
    /// asked once more on a new one; changes are never sent twice: when a change's reply is lost, the session reads the object
    /// back and reports what dhcpd did (<see cref="OmapiWriteResult"/>). Thread-safe.
    /// </summary>
    public sealed partial class OmapiSession : IDisposable
    {
        private readonly IReadOnlyList<OmapiConnectionOptions> _endpoints;
        private readonly SemaphoreSlim _connectLock = new SemaphoreSlim(1, 1);
        private readonly OmapiConnection?[] _pool;
        private readonly ReplySizes _replySizes = new ReplySizes();
        private volatile OmapiConnectionOptions _options;
        private readonly object _trafficLock = new object();
        private volatile bool _disposed;
        private long _reconnects;
        private OmapiTraffic _retired;

        private OmapiSession(IReadOnlyList<OmapiConnectionOptions> endpoints, OmapiConnectionOptions current, OmapiConnection connection, ReplySizes sizes)
        {
            _endpoints = endpoints;
            _options = current;
            _replySizes = sizes;
            _pool = new OmapiConnection?[current.MaxConnections];
            _pool[0] = connection;
        }

        /// <summary>How many times a lost connection was re-opened.</summary>
        public long Reconnects => Interlocked.Read(ref _reconnects);

        /// <summary>The server name as given.</summary>
        public string Server => _options.Server;

        /// <summary>
        /// The server as objects name it (their <c>Server</c> property): the name, plus ":port" when the port is not 7911,
        /// so that two dhcpd on one host are told apart. Handles are meaningful only on the server they came from.
        /// </summary>
        public string ServerName => _options.Port == OmapiConnectionOptions.DefaultPort ? _options.Server : _options.Endpoint;

        /// <summary>The OMAPI port.</summary>
        public int Port => _options.Port;

        /// <summary>The key name (null for an unauthenticated session).</summary>
        public string? KeyName => _options.Key?.Name;

        /// <summary>A copy of the options the session uses.</summary>
        public OmapiConnectionOptions Options => _options.Clone();

        /// <summary>The reply sizes the session's connections have learned (shared by them; see <see cref="Connection.ReplySizes"/>).</summary>
        public ReplySizes ReplySizes => _replySizes;

        /// <summary>True when the current connection is open.</summary>
        public bool IsConnected => Volatile.Read(ref _pool[0])?.IsOpen == true;

        /// <summary>The current first connection (single requests use it); it may be replaced after a failure.</summary>
        public OmapiConnection? Connection => Volatile.Read(ref _pool[0]);

        /// <summary>Requests sent on the session's open connections.</summary>
        public long RequestsSent => Connections.Sum(c => c.RequestsSent);

        /// <summary>
        /// Requests and bytes exchanged since the session was opened, on all its connections, those lost or closed since
        /// included: a caller that meters its own use (a watcher) subtracts two readings.
        /// </summary>
        public OmapiTraffic Traffic
        {
            get
            {
                lock (_trafficLock)
                {
                    OmapiTraffic total = _retired;
                    foreach (OmapiConnection? c in _pool)
                    {
                        total = c == null ? total : total.Add(c);
                    }

                    return total;
                }
            }
        }

        /// <summary>The session's open connections (statistics).</summary>
        public IReadOnlyList<OmapiConnection> Connections
        {
            get
            {
                var list = new List<OmapiConnection>();
                for (int i = 0; i < _pool.Length; i++)
                {
                    OmapiConnection? c = Volatile.Read(ref _pool[i]);
                    if (c != null && c.IsOpen)
                    {
                        list.Add(c);
                    }
                }

                return list;
            }
        }

        /// <summary>
        /// Sends any request and returns the raw reply (the escape hatch). Reconnects first if the connection was lost; never
        /// sends twice (a failure after the request was written has <see cref="OmapiException.ReplyLost"/> set).
        /// </summary>
        public async Task<OmapiMessage> SendAsync(OmapiRequest request, CancellationToken cancellationToken = default)
        {
            for (int attempt = 0; ; attempt++)
            {
                OmapiConnection connection = await GetConnectionAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    return await connection.SendAsync(request, cancellationToken).ConfigureAwait(false);
                }
                catch (OmapiConnectionException ex) when (!ex.ReplyLost && attempt == 0)
                {
                    // The connection closed before the request was written: nothing reached dhcpd; send it on a new one.
                }
            }
        }

        /// <summary>
        /// Sends a request that changes nothing (a lookup): reconnects first if needed, and asks once more on a new connection
        /// when the first one is lost before the reply comes (dhcpd restarting under a script, or another reply on it that
        /// broke the protocol). A timeout is not retried: the server had its chance.
        /// </summary>
        private async Task<OmapiMessage> ReadAsync(OmapiRequest request, CancellationToken cancellationToken)
        {
            for (int attempt = 0; ; attempt++)
            {
                OmapiConnection connection = await GetConnectionAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    return await connection.SendAsync(request, cancellationToken).ConfigureAwait(false);
                }
                catch (OmapiException ex) when (attempt == 0 && AskAgain(ex))
                {
                }
            }
        }

        /// <summary>A lookup is asked again when its connection went away under it, or before it was written; not after a timeout.</summary>
        private static bool AskAgain(OmapiException ex) => ex is OmapiConnectionException || (ex is OmapiProtocolException && ex.ReplyLost);

        /// <summary>OPEN: looks up (and with flags creates or updates) an object of <paramref name="type"/> by the given values.</summary>
        public async Task<OmapiObject> OpenAsync(string type, OmapiValueList values, OmapiOpenFlags flags = OmapiOpenFlags.None, string? description = null, CancellationToken cancellationToken = default)
        {
            OmapiRequest request = OpenRequest(type, values, flags, description);
            OmapiMessage reply = flags == OmapiOpenFlags.None
                ? await ReadAsync(request, cancellationToken).ConfigureAwait(false)
                : await SendAsync(request, cancellationToken).ConfigureAwait(false);
            return ReplyChecks.Object(reply, type, request.Description, _options.ResultNumbering, ServerName);
        }

        /// <summary>An OPEN lookup, its reply checked (<paramref name="check"/>) against what was asked before anyone sees it.</summary>
        private async Task<OmapiObject> LookUpAsync(string type, OmapiValueList keys, string what, Action<OmapiObject> check, CancellationToken cancellationToken)
        {
            OmapiObject o = await OpenAsync(type, keys, OmapiOpenFlags.None, what, cancellationToken).ConfigureAwait(false);
            check(o);
            return o;
        }

        /// <summary>A lookup of a named object (a group, a failover peer): the name it returns must be the one asked for.</summary>
        private Task<OmapiObject> LookUpByNameAsync(string type, string name, CancellationToken cancellationToken)
        {
            string what = "open " + type + " " + RequireText(name, nameof(name));
            return LookUpAsync(type, NameKeys(name), what, o => ReplyChecks.Named(o, what, name), cancellationToken);
        }

        /// <summary>A host lookup ("open host " + <paramref name="what"/>): the reply must be a host with the keys asked for.</summary>
        private async Task<OmapiHost> LookUpHostAsync(string what, OmapiValueList keys, CancellationToken cancellationToken, string? name = null, byte[]? hardwareAddress = null, byte[]? clientId = null)
        {
            what = "open host " + what;
            return OmapiHost.FromObject(await LookUpAsync("host", keys, what, o => ReplyChecks.Host(o, what, name, hardwareAddress, clientId), cancellationToken).ConfigureAwait(false), ServerName);
        }

        /// <summary>A lease lookup ("open lease " + <paramref name="what"/>): the reply must be a lease with the keys asked for.</summary>
        private async Task<OmapiLease> LookUpLeaseAsync(string what, OmapiValueList keys, CancellationToken cancellationToken, byte[]? hardwareAddress = null, byte[]? clientId = null)
        {
            what = "open lease " + what;
            return OmapiLease.FromObject(await LookUpAsync("lease", keys, what, o => ReplyChecks.Lease(o, what, hardwareAddress: hardwareAddress, clientId: clientId), cancellationToken).ConfigureAwait(false), ServerName);
        }

        private static OmapiValueList NameKeys(string name) => new OmapiValueList().Add("name", name);

        private static OmapiValueList ClientIdKeys(byte[] clientId) => new OmapiValueList().Add("dhcp-client-identifier", clientId);

        /// <summary>The lookup keys of a hardware address (dhcpd assumes type 1 without one; sent anyway).</summary>
        private static OmapiValueList HardwareKeys(byte[] hardwareAddress, int hardwareType) =>
            new OmapiValueList().Add("hardware-address", hardwareAddress).Add("hardware-type", (uint)hardwareType);

        /// <summary>The OPEN request for a type, lookup keys (or values to set) and flags.</summary>
        public static OmapiRequest OpenRequest(string type, OmapiValueList values, OmapiOpenFlags flags = OmapiOpenFlags.None, string? description = null)
        {
            if (string.IsNullOrEmpty(type))
            {
                throw new ArgumentException("An object type is required (e.g. lease, host, group).", nameof(type));
            }

            var message = new OmapiValueList().Add("type", type);
            if ((flags & OmapiOpenFlags.Create) != 0)
            {
                message.Add("create", 1u);
            }

            if ((flags & OmapiOpenFlags.Update) != 0)
            {
                message.Add("update", 1u);
            }

            if ((flags & OmapiOpenFlags.Exclusive) != 0)
            {
                message.Add("exclusive", 1u);
            }

            string what = description ?? ((flags & OmapiOpenFlags.Create) != 0 ? "create " : "open ") + type;
            return new OmapiRequest(OmapiOpcode.Open, 0, message, values, what, "open " + type);
        }

        /// <summary>Creates an object (OPEN with create + exclusive); EXISTS when it is already there. Sent once; a lost reply is an error with <see cref="OmapiException.ReplyLost"/>.</summary>
        public Task<OmapiObject> CreateAsync(string type, OmapiValueList values, string? description = null, CancellationToken cancellationToken = default) =>
            OpenAsync(type, values, OmapiOpenFlags.Create | OmapiOpenFlags.Exclusive, description, cancellationToken);

        /// <summary>REFRESH: re-reads an object by handle.</summary>
        public async Task<OmapiObject> RefreshAsync(uint handle, string? type = null, CancellationToken cancellationToken = default)
        {
            OmapiRequest request = RefreshRequest(handle, type);
            OmapiMessage reply = await ReadAsync(request, cancellationToken).ConfigureAwait(false);
            OmapiObject o = ReplyChecks.Object(reply, type, request.Description, _options.ResultNumbering, ServerName);
            ReplyChecks.SameHandle(o, handle, request.Description);
            return o;
        }

        private static OmapiRequest RefreshRequest(uint handle, string? type) =>
            new OmapiRequest(OmapiOpcode.Refresh, handle, null, null, "refresh " + (type ?? "object") + " handle " + handle.ToString(CultureInfo.InvariantCulture), "refresh " + (type ?? "object"));

        /// <summary>UPDATE: applies <paramref name="values"/> to the object with this handle (raw: a lost reply is an error with <see cref="OmapiException.ReplyLost"/>).</summary>
        public async Task UpdateAsync(uint handle, OmapiValueList values, string? description = null, CancellationToken cancellationToken = default)
        {
            OmapiRequest request = UpdateRequest(handle, values, description);
            OmapiMessage reply = await SendAsync(request, cancellationToken).ConfigureAwait(false);
            OmapiReplies.ExpectSuccess(reply, request.Description, _options.ResultNumbering);
        }

        private static OmapiRequest UpdateRequest(uint handle, OmapiValueList values, string? description)
        {
            if (values == null || values.Count == 0)
            {
                throw new ArgumentException("An update needs at least one value (dhcpd answers INVALIDARG to an empty update).", nameof(values));
            }

            return new OmapiRequest(OmapiOpcode.Update, handle, null, values, description ?? "update handle " + handle.ToString(CultureInfo.InvariantCulture), "status");
        }

        /// <summary>DELETE: removes the object with this handle (raw: a lost reply is an error with <see cref="OmapiException.ReplyLost"/>).</summary>
        public async Task DeleteAsync(uint handle, string? description = null, CancellationToken cancellationToken = default)
        {
            OmapiRequest request = DeleteRequest(handle, description);
            OmapiMessage reply = await SendAsync(request, cancellationToken).ConfigureAwait(false);
            OmapiReplies.ExpectSuccess(reply, request.Description, _options.ResultNumbering);
        }

        /// <summary>
        /// DELETE of an object that can be looked up again: when the reply is lost, <paramref name="stillExists"/> (a lookup
        /// that returns false for "not found") tells whether it was deleted.
        /// </summary>
        public async Task<OmapiWriteResult> DeleteObjectAsync(uint handle, string description, Func<CancellationToken, Task<bool>> stillExists, CancellationToken cancellationToken = default)
        {
            if (stillExists == null)
            {
                throw new ArgumentNullException(nameof(stillExists));
            }

            return await WriteAsync<bool>(
                DeleteRequest(handle, description),
                reply =>
                {
                    OmapiReplies.ExpectSuccess(reply, description, _options.ResultNumbering);
                    return true;
                },
                async ct => await stillExists(ct).ConfigureAwait(false) ? Verdict<bool>.NotApplied("it is still there") : Verdict<bool>.Applied(true, "it is gone"),
                cancellationToken).ConfigureAwait(false);
        }

        private static OmapiRequest DeleteRequest(uint handle, string? description) =>
            new OmapiRequest(OmapiOpcode.Delete, handle, null, null, description ?? "delete handle " + handle.ToString(CultureInfo.InvariantCulture), "status");

        /// <summary>NOTIFY: asks for change notifications. dhcpd 4.4 always refuses (<see cref="OmapiNotSupportedException"/>).</summary>
        public async Task NotifyAsync(uint handle, CancellationToken cancellationToken = default)
        {
            string what = "ask for notifications on handle " + handle.ToString(CultureInfo.InvariantCulture);
            var request = new OmapiRequest(OmapiOpcode.Notify, handle, null, null, what, "status");
            OmapiMessage reply = await SendAsync(request, cancellationToken).ConfigureAwait(false);
            OmapiReplies.ExpectSuccess(reply, what, _options.ResultNumbering);
        }

        // ---- bulk ----

        /// <summary>
        /// Starts a bulk operation of lookups: every key becomes one request, spread over up to
        /// <see cref="OmapiBulkOptions.Connections"/> connections of this session, each within its send window; results come
        /// back in input order as they arrive. Lost connections are re-opened and their requests asked again (so only
        /// requests that change nothing belong here). Pass <paramref name="keys"/> to read them lazily from a sequence, or null
        /// to push them with <see cref="OmapiBulkOperation{TKey, TValue}.Add"/>.
        /// </summary>
        public async Task<OmapiBulkOperation<TKey, TValue>> StartBulkAsync<TKey, TValue>(
            IEnumerable<TKey>? keys,
            Func<TKey, OmapiRequest> makeRequest,
            Func<TKey, OmapiMessage, TValue> interpret,
            OmapiBulkOptions? options = null,
            CancellationToken cancellationToken = default)
        {
            options ??= new OmapiBulkOptions();
            OmapiConnection?[] connections = await GetConnectionsAsync(options.Connections, cancellationToken).ConfigureAwait(false);
            return new OmapiBulkOperation<TKey, TValue>(connections, (index, ct) => GetConnectionAsync(index, sync: false, ct), keys, makeRequest, interpret, options, cancellationToken);
        }

        /// <summary>Re-reads many objects by handle (e.g. watched objects).</summary>
        public Task<OmapiBulkOperation<uint, OmapiObject>> StartRefreshAsync(IEnumerable<uint>? handles, string? type = null, OmapiBulkOptions? options = null, CancellationToken cancellationToken = default) =>
            StartBulkAsync(
                handles,
                handle => RefreshRequest(handle, type),
                (handle, reply) =>
                {
                    string what = "refresh " + (type ?? "object") + " handle " + handle.ToString(CultureInfo.InvariantCulture);
                    OmapiObject o = ReplyChecks.Object(reply, type, what, _options.ResultNumbering, ServerName);
                    ReplyChecks.SameHandle(o, handle, what);
                    return o;
                },
                options,
                cancellationToken);

        /// <summary>Closes the session's connections.</summary>
        public void Dispose()
        {
            _disposed = true;
            for (int i = 0; i < _pool.Length; i++)
            {
                Volatile.Read(ref _pool[i])?.Dispose();
            }
        }

        private static string RequireText(string value, string name)
        {
            if (string.IsNullOrEmpty(value))
            {
                throw new ArgumentException("A value is required: OMAPI cannot send an empty string (it means 'unset').", name);
            }

            return value;
        }

        private static byte[] RequireBytes(byte[] value, string name)
        {
            if (value == null || value.Length == 0)
            {
                throw new ArgumentException("A value is required: OMAPI cannot send empty bytes (they mean 'unset').", name);
            }

            return value;
        }
    }
}

