using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
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
    /// A session with one dhcpd: the operations of OMAPI as typed methods, over a connection that is shared by all callers
    /// and re-opened (and re-authenticated) on the next call after it is lost. Thread-safe.
    /// </summary>
    public sealed class OmapiSession : IDisposable
    {
        private readonly IReadOnlyList<OmapiConnectionOptions> _endpoints;
        private readonly SemaphoreSlim _connectLock = new SemaphoreSlim(1, 1);
        private readonly OmapiConnection?[] _pool;
        private volatile OmapiConnectionOptions _options;
        private volatile bool _disposed;
        private long _reconnects;

        private OmapiSession(IReadOnlyList<OmapiConnectionOptions> endpoints, OmapiConnectionOptions current, OmapiConnection connection)
        {
            _endpoints = endpoints;
            _options = current;
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

        /// <summary>True when the current connection is open.</summary>
        public bool IsConnected => Volatile.Read(ref _pool[0])?.IsOpen == true;

        /// <summary>The current first connection (single requests use it); it may be replaced after a failure.</summary>
        public OmapiConnection? Connection => Volatile.Read(ref _pool[0]);

        /// <summary>Requests sent on the session's open connections.</summary>
        public long RequestsSent => Connections.Sum(c => c.RequestsSent);

        /// <summary>The session's open connections (statistics).</summary>
        public System.Collections.Generic.IReadOnlyList<OmapiConnection> Connections
        {
            get
            {
                var list = new System.Collections.Generic.List<OmapiConnection>();
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

        /// <summary>Opens the first connection (and authenticates); throws what <see cref="OmapiConnection.ConnectAsync"/> throws.</summary>
        public static async Task<OmapiSession> ConnectAsync(OmapiConnectionOptions options, CancellationToken cancellationToken = default)
        {
            if (options == null)
            {
                throw new ArgumentNullException(nameof(options));
            }

            OmapiConnectionOptions copy = options.Clone();
            copy.Validate();
            IReadOnlyList<OmapiConnectionOptions> endpoints = copy.Endpoints();
            (OmapiConnection connection, OmapiConnectionOptions current) = await ConnectFirstAnsweringAsync(endpoints, cancellationToken).ConfigureAwait(false);
            return new OmapiSession(endpoints, current, connection);
        }

        /// <summary>
        /// Connects to the first server that answers. Only "does not answer" (connection refused, unreachable, timed out)
        /// moves on to the next; a server that answers and refuses (authentication, protocol) is reported as it is.
        /// </summary>
        private static async Task<(OmapiConnection, OmapiConnectionOptions)> ConnectFirstAnsweringAsync(IReadOnlyList<OmapiConnectionOptions> endpoints, CancellationToken cancellationToken)
        {
            var failures = new List<Exception>();
            foreach (OmapiConnectionOptions endpoint in endpoints)
            {
                try
                {
                    return (await OmapiConnection.ConnectAsync(endpoint, cancellationToken).ConfigureAwait(false), endpoint);
                }
                catch (Exception ex) when ((ex is OmapiConnectionException || ex is OmapiTimeoutException) && endpoints.Count > 1)
                {
                    failures.Add(ex);
                }
            }

            throw new OmapiConnectionException(
                "None of the servers answered: " + string.Join("; ", failures.Select(f => f.Message)),
                failures.Count == 1 ? failures[0] : new AggregateException(failures));
        }

        /// <summary>Sends any request and returns the raw reply (the escape hatch). Reconnects first if the connection was lost.</summary>
        public async Task<OmapiMessage> SendAsync(OmapiRequest request, CancellationToken cancellationToken = default)
        {
            OmapiConnection connection = await GetConnectionAsync(cancellationToken).ConfigureAwait(false);
            return await connection.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>OPEN: looks up (and with flags creates or updates) an object of <paramref name="type"/> by the given values.</summary>
        public async Task<OmapiObject> OpenAsync(string type, OmapiValueList values, OmapiOpenFlags flags = OmapiOpenFlags.None, string? description = null, CancellationToken cancellationToken = default)
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
            var request = new OmapiRequest(OmapiOpcode.Open, 0, message, values, what, "open " + type);
            OmapiMessage reply = await SendAsync(request, cancellationToken).ConfigureAwait(false);
            return OmapiReplies.ExpectObject(reply, type, what, _options.ResultNumbering);
        }

        /// <summary>Creates an object (OPEN with create + exclusive); EXISTS when it is already there.</summary>
        public Task<OmapiObject> CreateAsync(string type, OmapiValueList values, string? description = null, CancellationToken cancellationToken = default) =>
            OpenAsync(type, values, OmapiOpenFlags.Create | OmapiOpenFlags.Exclusive, description, cancellationToken);

        /// <summary>REFRESH: re-reads an object by handle.</summary>
        public async Task<OmapiObject> RefreshAsync(uint handle, string? type = null, CancellationToken cancellationToken = default)
        {
            string what = "refresh " + (type ?? "object") + " handle " + handle.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var request = new OmapiRequest(OmapiOpcode.Refresh, handle, null, null, what, "refresh " + (type ?? "object"));
            OmapiMessage reply = await SendAsync(request, cancellationToken).ConfigureAwait(false);
            return OmapiReplies.ExpectObject(reply, type, what, _options.ResultNumbering);
        }

        /// <summary>UPDATE: applies <paramref name="values"/> to the object with this handle.</summary>
        public async Task UpdateAsync(uint handle, OmapiValueList values, string? description = null, CancellationToken cancellationToken = default)
        {
            if (values == null || values.Count == 0)
            {
                throw new ArgumentException("An update needs at least one value (dhcpd answers INVALIDARG to an empty update).", nameof(values));
            }


            string what = description ?? "update handle " + handle.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var request = new OmapiRequest(OmapiOpcode.Update, handle, null, values, what, "status");
            OmapiMessage reply = await SendAsync(request, cancellationToken).ConfigureAwait(false);
            OmapiReplies.ExpectSuccess(reply, what, _options.ResultNumbering);
        }

        /// <summary>DELETE: removes the object with this handle.</summary>
        public async Task DeleteAsync(uint handle, string? description = null, CancellationToken cancellationToken = default)
        {
            string what = description ?? "delete handle " + handle.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var request = new OmapiRequest(OmapiOpcode.Delete, handle, null, null, what, "status");
            OmapiMessage reply = await SendAsync(request, cancellationToken).ConfigureAwait(false);
            OmapiReplies.ExpectSuccess(reply, what, _options.ResultNumbering);
        }

        /// <summary>NOTIFY: asks for change notifications. dhcpd 4.4 always refuses (<see cref="OmapiNotSupportedException"/>).</summary>
        public async Task NotifyAsync(uint handle, CancellationToken cancellationToken = default)
        {
            string what = "ask for notifications on handle " + handle.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var request = new OmapiRequest(OmapiOpcode.Notify, handle, null, null, what, "status");
            OmapiMessage reply = await SendAsync(request, cancellationToken).ConfigureAwait(false);
            OmapiReplies.ExpectSuccess(reply, what, _options.ResultNumbering);
        }

        // ---- bulk ----

        /// <summary>
        /// Starts a bulk operation: every key becomes one request, spread over up to <see cref="OmapiBulkOptions.Connections"/>
        /// connections of this session, each within its byte budget; results come back in input order as they arrive.
        /// Pass <paramref name="keys"/> to read them lazily from a sequence, or null to push them with
        /// <see cref="OmapiBulkOperation{TKey, TValue}.Add"/>.
        /// </summary>
        public async Task<OmapiBulkOperation<TKey, TValue>> StartBulkAsync<TKey, TValue>(
            IEnumerable<TKey>? keys,
            Func<TKey, OmapiRequest> makeRequest,
            Func<TKey, OmapiMessage, TValue> interpret,
            OmapiBulkOptions? options = null,
            CancellationToken cancellationToken = default)
        {
            options ??= new OmapiBulkOptions();
            OmapiConnection[] connections = await GetConnectionsAsync(options.Connections, cancellationToken).ConfigureAwait(false);
            return new OmapiBulkOperation<TKey, TValue>(connections, keys, makeRequest, interpret, options, _options.RequestTimeout, cancellationToken);
        }

        /// <summary>Looks up the leases of many addresses (see <see cref="StartBulkAsync"/>); a missing lease is an item with <see cref="OmapiNotFoundException"/>.</summary>
        public Task<OmapiBulkOperation<IPAddress, OmapiLease>> StartLeaseLookupAsync(IEnumerable<IPAddress>? addresses, OmapiBulkOptions? options = null, CancellationToken cancellationToken = default) =>
            StartBulkAsync(addresses, BulkLeaseRequest, (address, reply) => LeaseFromReply(address, reply), options, cancellationToken);

        /// <summary>Looks up many hosts by name.</summary>
        public Task<OmapiBulkOperation<string, OmapiHost>> StartHostLookupAsync(IEnumerable<string>? names, OmapiBulkOptions? options = null, CancellationToken cancellationToken = default) =>
            StartBulkAsync(
                names,
                name => new OmapiRequest(OmapiOpcode.Open, 0, new OmapiValueList().Add("type", "host"), new OmapiValueList().Add("name", RequireText(name, nameof(names))), "open host " + name, "open host"),
                (name, reply) => OmapiHost.FromObject(OmapiReplies.ExpectObject(reply, "host", "open host " + name, _options.ResultNumbering), ServerName),
                options,
                cancellationToken);

        /// <summary>Re-reads many objects by handle (e.g. watched objects).</summary>
        public Task<OmapiBulkOperation<uint, OmapiObject>> StartRefreshAsync(IEnumerable<uint>? handles, string? type = null, OmapiBulkOptions? options = null, CancellationToken cancellationToken = default) =>
            StartBulkAsync(
                handles,
                handle => new OmapiRequest(OmapiOpcode.Refresh, handle, null, null, "refresh " + (type ?? "object") + " handle " + handle.ToString(System.Globalization.CultureInfo.InvariantCulture), "refresh " + (type ?? "object")),
                (handle, reply) => OmapiReplies.ExpectObject(reply, type, "refresh handle " + handle.ToString(System.Globalization.CultureInfo.InvariantCulture), _options.ResultNumbering),
                options,
                cancellationToken);

        // ---- leases ----

        /// <summary>The lease for an address (a lease object exists for every address in a range, free ones too).</summary>
        public async Task<OmapiLease> GetLeaseAsync(IPAddress address, CancellationToken cancellationToken = default)
        {
            OmapiMessage reply = await SendAsync(LeaseRequest(address), cancellationToken).ConfigureAwait(false);
            return LeaseFromReply(address, reply);
        }

        /// <summary>
        /// <see cref="GetLeaseAsync"/> for a caller that blocks anyway (PowerShell's pipeline thread): the round trip runs on
        /// the calling thread, which reads its own reply when the connection is otherwise idle, so no thread hand-off adds to
        /// the latency. Same results and errors.
        /// </summary>
        public OmapiLease GetLease(IPAddress address, CancellationToken cancellationToken = default)
        {
            OmapiConnection connection = GetConnectionAsync(cancellationToken).GetAwaiter().GetResult();
            OmapiMessage reply = connection.Send(LeaseRequest(address), cancellationToken);
            return LeaseFromReply(address, reply);
        }

        // Never changed after creation; shared by every lease open so a bulk scan allocates no message-value list per request.
        private static readonly OmapiValueList LeaseOpenMessage = new OmapiValueList().Add("type", "lease");

        private static OmapiRequest LeaseRequest(IPAddress address) =>
            new OmapiRequest(OmapiOpcode.Open, 0, LeaseOpenMessage, new OmapiValueList().Add("ip-address", OmapiEncoding.FromIPv4(address)), "open lease " + address, "open lease");

        // Bulk requests: the address goes into a message only when one is needed (the result carries the key).
        private static OmapiRequest BulkLeaseRequest(IPAddress address) =>
            new OmapiRequest(OmapiOpcode.Open, 0, LeaseOpenMessage, new OmapiValueList().Add("ip-address", OmapiEncoding.FromIPv4(address)), "open lease", "open lease");

        private OmapiLease LeaseFromReply(IPAddress address, OmapiMessage reply) =>
            OmapiLease.FromObject(
                reply.Op == OmapiOpcode.Update ? new OmapiObject("lease", reply.Handle, reply.ObjectValues) : OmapiReplies.ExpectObject(reply, "lease", "open lease " + address, _options.ResultNumbering),
                ServerName);

        /// <summary>The lease for a hardware address; <see cref="OmapiMultipleMatchesException"/> when several match.</summary>
        public async Task<OmapiLease> GetLeaseByHardwareAddressAsync(byte[] hardwareAddress, int hardwareType = HardwareAddress.Ethernet, CancellationToken cancellationToken = default)
        {
            var keys = new OmapiValueList().Add("hardware-address", hardwareAddress).Add("hardware-type", (uint)hardwareType);
            OmapiObject o = await OpenAsync("lease", keys, OmapiOpenFlags.None, "open lease for " + HardwareAddress.Format(hardwareAddress), cancellationToken).ConfigureAwait(false);
            return OmapiLease.FromObject(o, ServerName);
        }

        /// <summary>The lease for a DHCP client identifier; <see cref="OmapiMultipleMatchesException"/> when several match.</summary>
        public async Task<OmapiLease> GetLeaseByClientIdAsync(byte[] clientId, CancellationToken cancellationToken = default)
        {
            OmapiObject o = await OpenAsync("lease", new OmapiValueList().Add("dhcp-client-identifier", clientId), OmapiOpenFlags.None, "open lease for client id " + OmapiEncoding.ToHex(clientId), cancellationToken).ConfigureAwait(false);
            return OmapiLease.FromObject(o, ServerName);
        }

        /// <summary>Re-reads a lease by handle.</summary>
        public async Task<OmapiLease> RefreshLeaseAsync(uint handle, CancellationToken cancellationToken = default) =>
            OmapiLease.FromObject(await RefreshAsync(handle, "lease", cancellationToken).ConfigureAwait(false), ServerName);

        /// <summary>
        /// Changes a lease's end time, flags and state. dhcpd applies a lease's pending next state whenever its end time or
        /// flags change (an Active lease becomes Free), so the end time and flags go in one UPDATE and the state in a second
        /// one queued right behind it on the same connection: dhcpd processes both in one pass, and a <see cref="OmapiLeaseChanges.State"/>
        /// equal to the lease's current state keeps it (e.g. Active) with nothing able to take the address in between.
        /// </summary>
        public async Task UpdateLeaseAsync(uint handle, OmapiLeaseChanges changes, CancellationToken cancellationToken = default)
        {
            if (changes == null)
            {
                throw new ArgumentNullException(nameof(changes));
            }

            OmapiValueList all = changes.ToValues();
            var first = new OmapiValueList(all.Where(v => v.Name != "state"));
            var state = new OmapiValueList(all.Where(v => v.Name == "state"));
            Task? before = first.Count > 0 ? UpdateAsync(handle, first, "update lease end time/flags", cancellationToken) : null;
            Task? after = state.Count > 0 ? UpdateAsync(handle, state, "update lease state", cancellationToken) : null;
            if (before != null)
            {
                await before.ConfigureAwait(false);
            }

            if (after != null)
            {
                await after.ConfigureAwait(false);
            }
        }

        // ---- hosts ----

        /// <summary>A host by name.</summary>
        public Task<OmapiHost> GetHostByNameAsync(string name, CancellationToken cancellationToken = default) =>
            OpenHostAsync(new OmapiValueList().Add("name", RequireText(name, nameof(name))), "open host " + name, cancellationToken);

        /// <summary>A host by hardware address.</summary>
        public Task<OmapiHost> GetHostByHardwareAddressAsync(byte[] hardwareAddress, int hardwareType = HardwareAddress.Ethernet, CancellationToken cancellationToken = default) =>
            OpenHostAsync(new OmapiValueList().Add("hardware-address", hardwareAddress).Add("hardware-type", (uint)hardwareType), "open host " + HardwareAddress.Format(hardwareAddress), cancellationToken);

        /// <summary>A host by DHCP client identifier.</summary>
        public Task<OmapiHost> GetHostByClientIdAsync(byte[] clientId, CancellationToken cancellationToken = default) =>
            OpenHostAsync(new OmapiValueList().Add("dhcp-client-identifier", clientId), "open host with client id " + OmapiEncoding.ToHex(clientId), cancellationToken);

        /// <summary>
        /// A host by IP address. dhcpd resolves this through the lease: IP → lease → its hardware address → host, so a host's
        /// fixed-address alone does not find it.
        /// </summary>
        public Task<OmapiHost> GetHostByIPAddressAsync(IPAddress address, CancellationToken cancellationToken = default) =>
            OpenHostAsync(new OmapiValueList().Add("ip-address", OmapiEncoding.FromIPv4(address)), "open host for " + address, cancellationToken);

        /// <summary>Re-reads a host by handle.</summary>
        public async Task<OmapiHost> RefreshHostAsync(uint handle, CancellationToken cancellationToken = default) =>
            OmapiHost.FromObject(await RefreshAsync(handle, "host", cancellationToken).ConfigureAwait(false), ServerName);

        /// <summary>Creates a host (create + exclusive); <see cref="OmapiAlreadyExistsException"/> when it exists.</summary>
        public async Task<OmapiHost> CreateHostAsync(OmapiHostDefinition definition, CancellationToken cancellationToken = default)
        {
            if (definition == null)
            {
                throw new ArgumentNullException(nameof(definition));
            }

            OmapiObject o = await CreateAsync("host", definition.ToValues(), "create host " + (definition.Name ?? string.Empty), cancellationToken).ConfigureAwait(false);
            return OmapiHost.FromObject(o, ServerName);
        }

        /// <summary>
        /// Changes a host's group, statements and fixed addresses, one UPDATE per change in that order. dhcpd applies the
        /// values of one UPDATE in order and stops at the first it refuses, leaving the earlier ones live but unsaved (a
        /// restart loses them); one change per request makes every applied change a saved one. On failure the exception's
        /// operation names the changes already applied.
        /// </summary>
        public async Task UpdateHostAsync(uint handle, OmapiHostChanges changes, CancellationToken cancellationToken = default)
        {
            if (changes == null)
            {
                throw new ArgumentNullException(nameof(changes));
            }

            var applied = new System.Collections.Generic.List<string>();
            foreach (OmapiValue change in changes.ToValues())
            {
                string what = "set host " + change.Name + (applied.Count == 0 ? string.Empty : " (already applied: " + string.Join(", ", applied) + ")");
                await UpdateAsync(handle, new OmapiValueList(new[] { change }), what, cancellationToken).ConfigureAwait(false);
                applied.Add(change.Name);
            }
        }

        // ---- groups, classes, subclasses ----

        /// <summary>A named group.</summary>
        public async Task<OmapiGroup> GetGroupAsync(string name, CancellationToken cancellationToken = default)
        {
            OmapiObject o = await OpenAsync("group", new OmapiValueList().Add("name", RequireText(name, nameof(name))), OmapiOpenFlags.None, "open group " + name, cancellationToken).ConfigureAwait(false);
            return OmapiGroup.FromObject(o, ServerName);
        }

        /// <summary>Creates a named group; dhcpd requires statements (e.g. <c>option domain-name "x";</c>).</summary>
        public async Task<OmapiGroup> CreateGroupAsync(string name, string statements, CancellationToken cancellationToken = default)
        {
            var values = new OmapiValueList().Add("name", RequireText(name, nameof(name))).Add("statements", RequireText(statements, nameof(statements)));
            OmapiObject o = await CreateAsync("group", values, "create group " + name, cancellationToken).ConfigureAwait(false);
            return OmapiGroup.FromObject(o, ServerName);
        }

        /// <summary>A class by name.</summary>
        public async Task<OmapiClass> GetClassAsync(string name, CancellationToken cancellationToken = default)
        {
            OmapiObject o = await OpenAsync("class", new OmapiValueList().Add("name", RequireText(name, nameof(name))), OmapiOpenFlags.None, "open class " + name, cancellationToken).ConfigureAwait(false);
            return OmapiClass.FromObject(o, name, ServerName);
        }

        /// <summary>Creates a class; <paramref name="matchHardware"/> sets <c>match hardware</c> (the only match dhcpd accepts over OMAPI).</summary>
        public async Task<OmapiClass> CreateClassAsync(string name, bool matchHardware = false, string? group = null, CancellationToken cancellationToken = default)
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

            OmapiObject o = await CreateAsync("class", values, "create class " + name, cancellationToken).ConfigureAwait(false);
            return OmapiClass.FromObject(o, name, ServerName);
        }

        /// <summary>A subclass by superclass name and hash string.</summary>
        public async Task<OmapiSubclass> GetSubclassAsync(string className, byte[] hashString, CancellationToken cancellationToken = default)
        {
            var keys = new OmapiValueList().Add("name", RequireText(className, nameof(className))).Add("hashstring", RequireBytes(hashString, nameof(hashString)));
            OmapiObject o = await OpenAsync("subclass", keys, OmapiOpenFlags.None, "open subclass " + className + " " + OmapiEncoding.ToHex(hashString), cancellationToken).ConfigureAwait(false);
            return OmapiSubclass.FromObject(o, className, hashString, ServerName);
        }

        /// <summary>Creates a subclass of an existing class.</summary>
        public async Task<OmapiSubclass> CreateSubclassAsync(string className, byte[] hashString, CancellationToken cancellationToken = default)
        {
            var values = new OmapiValueList().Add("name", RequireText(className, nameof(className))).Add("hashstring", RequireBytes(hashString, nameof(hashString)));
            OmapiObject o = await CreateAsync("subclass", values, "create subclass " + className + " " + OmapiEncoding.ToHex(hashString), cancellationToken).ConfigureAwait(false);
            return OmapiSubclass.FromObject(o, className, hashString, ServerName);
        }

        // ---- pool, failover, control ----

        /// <summary>A pool by handle (from <see cref="OmapiLease.PoolHandle"/>); pools cannot be looked up otherwise.</summary>
        public async Task<OmapiPool> GetPoolAsync(uint handle, CancellationToken cancellationToken = default) =>
            OmapiPool.FromObject(await RefreshAsync(handle, "pool", cancellationToken).ConfigureAwait(false), ServerName);

        /// <summary>A failover peer's state by peer name.</summary>
        public async Task<OmapiFailoverState> GetFailoverStateAsync(string name, CancellationToken cancellationToken = default)
        {
            OmapiObject o = await OpenAsync("failover-state", new OmapiValueList().Add("name", RequireText(name, nameof(name))), OmapiOpenFlags.None, "open failover-state " + name, cancellationToken).ConfigureAwait(false);
            return OmapiFailoverState.FromObject(o, ServerName);
        }

        /// <summary>Sets this server's failover state, e.g. <see cref="FailoverState.PartnerDown"/> when the peer is known to be down.</summary>
        public Task SetFailoverLocalStateAsync(uint handle, FailoverState state, CancellationToken cancellationToken = default) =>
            UpdateAsync(handle, new OmapiValueList().Add("local-state", (uint)state), "set failover local-state to " + state, cancellationToken);

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
                var request = new OmapiRequest(OmapiOpcode.Update, control.Handle, null, new OmapiValueList().Add("state", (uint)ServerControlState.Shutdown), "shut the server down", "status")
                {
                    Timeout = _options.RequestTimeout > TimeSpan.FromSeconds(30) ? _options.RequestTimeout : TimeSpan.FromSeconds(30),
                };
                OmapiMessage reply = await SendAsync(request, cancellationToken).ConfigureAwait(false);
                OmapiReplies.ExpectSuccess(reply, "shut the server down", _options.ResultNumbering);
            }
            catch (OmapiConnectionException)
            {
                // The server closed the connection as it went down: that is the expected outcome.
            }
        }

        /// <summary>Closes the session's connection.</summary>
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

        private async Task<OmapiHost> OpenHostAsync(OmapiValueList keys, string description, CancellationToken cancellationToken)
        {
            OmapiObject o = await OpenAsync("host", keys, OmapiOpenFlags.None, description, cancellationToken).ConfigureAwait(false);
            return OmapiHost.FromObject(o, ServerName);
        }

        private Task<OmapiConnection> GetConnectionAsync(CancellationToken cancellationToken) => GetConnectionAsync(0, cancellationToken);

        /// <summary>The pool's connection <paramref name="index"/>, opened (and authenticated) if it is closed or was never opened.</summary>
        private async Task<OmapiConnection> GetConnectionAsync(int index, CancellationToken cancellationToken)
        {
            if (_disposed)
            {
                throw new ObjectDisposedException(nameof(OmapiSession), "The OMAPI session to " + _options.Endpoint + " was closed.");
            }

            OmapiConnection? current = Volatile.Read(ref _pool[index]);
            if (current != null && current.ProbeOpen())
            {
                return current;
            }

            await _connectLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                current = Volatile.Read(ref _pool[index]);
                if (current != null && current.IsOpen)
                {
                    return current;
                }

                bool lost = current != null;
                current?.Dispose();
                OmapiConnection fresh = lost ? await ReconnectAsync(current!, cancellationToken).ConfigureAwait(false) : await OmapiConnection.ConnectAsync(_options, cancellationToken).ConfigureAwait(false);
                Volatile.Write(ref _pool[index], fresh);
                if (_disposed)
                {
                    fresh.Dispose();
                    throw new ObjectDisposedException(nameof(OmapiSession), "The OMAPI session to " + _options.Endpoint + " was closed.");
                }

                return fresh;
            }
            finally
            {
                _connectLock.Release();
            }
        }

        /// <summary>
        /// Re-opens a lost connection: up to <see cref="OmapiConnectionOptions.ReconnectAttempts"/> attempts, each trying every
        /// server in order (the current one first), waiting <see cref="OmapiConnectionOptions.ReconnectDelay"/> (doubling, at
        /// most 8 s) between attempts. Moving to another server closes the pool's connections to the old one.
        /// </summary>
        private async Task<OmapiConnection> ReconnectAsync(OmapiConnection lost, CancellationToken cancellationToken)
        {
            OmapiConnectionOptions settings = _options;
            if (settings.ReconnectAttempts == 0)
            {
                throw new OmapiConnectionException("The connection to dhcpd at " + settings.Endpoint + " was lost and reconnecting is turned off for this session (" + (lost.Fault?.Message ?? "closed") + ")", lost.Fault);
            }

            var order = new List<OmapiConnectionOptions> { settings };
            order.AddRange(_endpoints.Where(e => !ReferenceEquals(e, settings)));
            TimeSpan delay = settings.ReconnectDelay;
            Exception? last = lost.Fault;
            for (int attempt = 0; attempt < settings.ReconnectAttempts; attempt++)
            {
                if (attempt > 0)
                {
                    await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                    delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(8).Ticks));
                }

                foreach (OmapiConnectionOptions endpoint in order)
                {
                    try
                    {
                        OmapiConnection fresh = await OmapiConnection.ConnectAsync(endpoint, cancellationToken).ConfigureAwait(false);
                        Interlocked.Increment(ref _reconnects);
                        if (!ReferenceEquals(endpoint, _options))
                        {
                            // Failed over: handles of the old server mean nothing here; close its other connections.
                            _options = endpoint;
                            for (int i = 0; i < _pool.Length; i++)
                            {
                                Volatile.Read(ref _pool[i])?.Dispose();
                            }
                        }

                        return fresh;
                    }
                    catch (Exception ex) when (ex is OmapiConnectionException || ex is OmapiTimeoutException)
                    {
                        last = ex;
                    }
                }
            }

            throw new OmapiConnectionException(
                "The connection to dhcpd at " + settings.Endpoint + " was lost and " + settings.ReconnectAttempts.ToString(System.Globalization.CultureInfo.InvariantCulture) + " reconnect attempt(s) failed: " + (last?.Message ?? "no server answered"),
                last);
        }

        /// <summary>The first <paramref name="count"/> connections of the pool, each open and authenticated.</summary>
        internal async Task<OmapiConnection[]> GetConnectionsAsync(int count, CancellationToken cancellationToken)
        {
            count = Math.Max(1, Math.Min(count, _pool.Length));
            var connections = new OmapiConnection[count];
            for (int i = 0; i < count; i++)
            {
                connections[i] = await GetConnectionAsync(i, cancellationToken).ConfigureAwait(false);
            }

            return connections;
        }
    }
}
