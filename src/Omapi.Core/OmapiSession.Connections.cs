using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Omapi.Core.Connection;

namespace Omapi.Core
{
    /// <summary>
    /// The session's connections: opening the first one, the pool that single requests and bulk operations share, and
    /// re-opening a lost one (the reconnect policy, failing over to the next server of a pair). Asynchronous callers await
    /// it; the synchronous lookup (<see cref="GetLease"/>) runs the same code on its own thread (<c>sync: true</c>): it
    /// takes the lock and waits out the back-off there, and never waits for a task the session itself started.
    /// </summary>
    public sealed partial class OmapiSession
    {
        /// <summary>
        /// Opens the first connection (and authenticates); throws what <see cref="OmapiConnection.ConnectAsync(OmapiConnectionOptions, CancellationToken)"/>
        /// throws. A server that accepts and closes before its intro (dhcpd restarting) is tried again as the reconnect
        /// policy says.
        /// </summary>
        public static async Task<OmapiSession> ConnectAsync(OmapiConnectionOptions options, CancellationToken cancellationToken = default)
        {
            if (options == null)
            {
                throw new ArgumentNullException(nameof(options));
            }

            OmapiConnectionOptions copy = options.Clone();
            copy.Validate();
            IReadOnlyList<OmapiConnectionOptions> endpoints = copy.Endpoints();
            var sizes = new ReplySizes();
            TimeSpan delay = copy.ReconnectDelay;
            for (int attempt = 0; ; attempt++)
            {
                try
                {
                    (OmapiConnection connection, OmapiConnectionOptions current) = await ConnectFirstAnsweringAsync(endpoints, sizes, cancellationToken).ConfigureAwait(false);
                    return new OmapiSession(endpoints, current, connection, sizes);
                }
                catch (OmapiConnectionException ex) when (IsTransient(ex) && attempt < copy.ReconnectAttempts)
                {
                    await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                    delay = NextDelay(delay);
                }
            }
        }

        private static bool IsTransient(OmapiConnectionException ex) =>
            ex.Transient || (ex.InnerException is OmapiConnectionException inner && inner.Transient) ||
            (ex.InnerException is AggregateException all && all.InnerExceptions.All(e => e is OmapiConnectionException c && c.Transient));

        private static TimeSpan NextDelay(TimeSpan delay) => Backoff.Double(delay, Backoff.MaxReconnectDelay);

        /// <summary>
        /// Connects to the first server that answers. Only "does not answer" (connection refused, unreachable, timed out,
        /// closed before the intro) moves on to the next; a server that answers and refuses (authentication, protocol) is
        /// reported as it is.
        /// </summary>
        private static async Task<(OmapiConnection, OmapiConnectionOptions)> ConnectFirstAnsweringAsync(IReadOnlyList<OmapiConnectionOptions> endpoints, ReplySizes sizes, CancellationToken cancellationToken)
        {
            var failures = new List<Exception>();
            foreach (OmapiConnectionOptions endpoint in endpoints)
            {
                try
                {
                    return (await OmapiConnection.ConnectAsync(endpoint, sizes, cancellationToken).ConfigureAwait(false), endpoint);
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

        /// <summary>The first connection if it is open (no waiting, no allocation); null when it must be (re)opened.</summary>
        private OmapiConnection? OpenConnection()
        {
            ThrowIfDisposed();
            OmapiConnection? current = Volatile.Read(ref _pool[0]);
            return current != null && current.IsOpen ? current : null;
        }

        private Task<OmapiConnection> GetConnectionAsync(CancellationToken cancellationToken) => GetConnectionAsync(0, sync: false, cancellationToken);

        /// <summary>
        /// The first connection, opened (or re-opened) on the calling thread when it must be: for a caller that blocks
        /// anyway. The code is <see cref="GetConnectionAsync(int, bool, CancellationToken)"/>'s, run with <c>sync</c>, so the
        /// task it returns has always completed.
        /// </summary>
        private OmapiConnection GetConnection(CancellationToken cancellationToken) =>
            OpenConnection() ?? GetConnectionAsync(0, sync: true, cancellationToken).GetAwaiter().GetResult();

        /// <summary>
        /// The pool's connection <paramref name="index"/>, opened (and authenticated) if it is closed or was never opened.
        /// With <paramref name="sync"/> every wait happens on the calling thread (the lock, the back-off, the connect), and
        /// the returned task has completed.
        /// </summary>
        private async Task<OmapiConnection> GetConnectionAsync(int index, bool sync, CancellationToken cancellationToken)
        {
            ThrowIfDisposed();
            OmapiConnection? current = Volatile.Read(ref _pool[index]);
            if (current != null && current.IsOpen)
            {
                return current;
            }

            if (sync)
            {
                _connectLock.Wait(cancellationToken);
            }
            else
            {
                await _connectLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            }

            try
            {
                current = Volatile.Read(ref _pool[index]);
                if (current != null && current.IsOpen)
                {
                    return current;
                }

                bool lost = current != null;
                current?.Dispose();
                OmapiConnection fresh = lost
                    ? await ReconnectAsync(current!, sync, cancellationToken).ConfigureAwait(false)
                    : await ConnectOneAsync(_options, sync, cancellationToken).ConfigureAwait(false);
                lock (_trafficLock)
                {
                    // What the replaced connection exchanged stays in Traffic.
                    Volatile.Write(ref _pool[index], fresh);
                    if (current != null)
                    {
                        _retired = _retired.Add(current);
                    }
                }

                if (_disposed)
                {
                    fresh.Dispose();
                    ThrowIfDisposed();
                }

                return fresh;
            }
            finally
            {
                _connectLock.Release();
            }
        }

        private void ThrowIfDisposed()
        {
            if (_disposed)
            {
                throw new ObjectDisposedException(nameof(OmapiSession), "The OMAPI session to " + _options.Endpoint + " was closed.");
            }
        }

        /// <summary>One connection to one server; for a <paramref name="sync"/> caller, connected on its own thread.</summary>
        private Task<OmapiConnection> ConnectOneAsync(OmapiConnectionOptions endpoint, bool sync, CancellationToken cancellationToken) =>
            sync
                ? Task.FromResult(OmapiConnection.Connect(endpoint, _replySizes, cancellationToken))
                : OmapiConnection.ConnectAsync(endpoint, _replySizes, cancellationToken);

        /// <summary>The reconnect back-off: a timer for an asynchronous caller, a wait on its own thread for a synchronous one.</summary>
        private static Task DelayAsync(TimeSpan delay, bool sync, CancellationToken cancellationToken)
        {
            if (!sync)
            {
                return Task.Delay(delay, cancellationToken);
            }

            cancellationToken.WaitHandle.WaitOne(delay);
            cancellationToken.ThrowIfCancellationRequested();
            return Task.CompletedTask;
        }

        /// <summary>
        /// Re-opens a lost connection: up to <see cref="OmapiConnectionOptions.ReconnectAttempts"/> attempts, each trying every
        /// server in order (the current one first), waiting <see cref="OmapiConnectionOptions.ReconnectDelay"/> (doubling, at
        /// most 8 s) between attempts. Moving to another server closes the pool's connections to the old one.
        /// </summary>
        private async Task<OmapiConnection> ReconnectAsync(OmapiConnection lost, bool sync, CancellationToken cancellationToken)
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
                    await DelayAsync(delay, sync, cancellationToken).ConfigureAwait(false);
                    delay = NextDelay(delay);
                }

                foreach (OmapiConnectionOptions endpoint in order)
                {
                    try
                    {
                        OmapiConnection fresh = await ConnectOneAsync(endpoint, sync, cancellationToken).ConfigureAwait(false);
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
                "The connection to dhcpd at " + settings.Endpoint + " was lost and " + settings.ReconnectAttempts.ToString(CultureInfo.InvariantCulture) + " reconnect attempt(s) failed: " + (last?.Message ?? "no server answered"),
                last);
        }

        /// <summary>
        /// The first <paramref name="count"/> connections of the pool for a bulk operation: the first one open and
        /// authenticated (opened here if it must be), the others as they are, null where not open yet. The operation starts
        /// on what is open and opens the rest while it runs (a first scan does not wait for them, and a server that takes
        /// no more connections leaves it on fewer).
        /// </summary>
        internal async Task<OmapiConnection?[]> GetConnectionsAsync(int count, CancellationToken cancellationToken)
        {
            count = Math.Max(1, Math.Min(count, _pool.Length));
            var connections = new OmapiConnection?[count];
            connections[0] = await GetConnectionAsync(0, sync: false, cancellationToken).ConfigureAwait(false);
            for (int i = 1; i < count; i++)
            {
                OmapiConnection? current = Volatile.Read(ref _pool[i]);
                connections[i] = current != null && current.IsOpen ? current : null;
            }

            return connections;
        }
    }
}
