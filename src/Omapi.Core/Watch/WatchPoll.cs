using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;
using Omapi.Core.Bulk;
using Omapi.Core.Objects;

namespace Omapi.Core.Watch
{
    /// <summary>One read of a watched object: the object, or why it could not be read.</summary>
    internal readonly struct WatchRead
    {
        internal WatchRead(IOmapiObject? value, Exception? error)
        {
            Value = value;
            Error = error;
        }

        /// <summary>The object as it is now; null when it is not there or could not be read.</summary>
        internal IOmapiObject? Value { get; }

        /// <summary>Why there is no value: <see cref="OmapiNotFoundException"/> (not there), or a refusal (several matches ...).</summary>
        internal Exception? Error { get; }

        /// <summary>The key names no object (now).</summary>
        internal bool IsNotFound => Error is OmapiNotFoundException;

        /// <summary>Nothing can be concluded (several leases share the key now, another refusal): the last state stands.</summary>
        internal bool IsInconclusive => Error != null && !IsNotFound;
    }

    /// <summary>
    /// A poll: reads a batch of watched objects through the session's public API, with the core's one concurrency engine,
    /// the bulk operation (its requests go out within the send window of one connection; no thread and no task per request,
    /// and no thread per poll: the poll awaits the operation's completion). Objects with a handle are re-read by it
    /// (REFRESH); the others, and those whose handle failed or now names another object (dhcpd restarted), are looked up by
    /// key: lease addresses and host names in bulk, MAC addresses and client identifiers one after the other (few, and typed
    /// by hand). A lost connection is re-opened by the session as its reconnect policy says; when that fails the poll throws.
    /// </summary>
    internal static class WatchPoll
    {
        /// <summary>
        /// Reads every target: by its handle in <paramref name="handles"/> where that is not 0, else (or when that fails) by
        /// its key. Refusals of one object are its <see cref="WatchRead.Error"/>; anything else (a lost connection, a reply
        /// that breaks the protocol, cancellation) is thrown.
        /// </summary>
        internal static async Task<WatchRead[]> ReadAsync(OmapiSession session, IReadOnlyList<OmapiWatchTarget> targets, IReadOnlyList<uint> handles, CancellationToken cancellationToken)
        {
            var reads = new WatchRead[targets.Count];
            var done = new bool[targets.Count];
            int[] byHandle = Enumerable.Range(0, targets.Count).Where(i => handles[i] != 0).ToArray();
            if (byHandle.Length > 0)
            {
                var refreshed = await BulkAsync(session.StartRefreshAsync(byHandle.Select(i => handles[i]), null, Options(byHandle.Length), cancellationToken)).ConfigureAwait(false);
                foreach (OmapiBulkResult<uint, OmapiObject> result in refreshed)
                {
                    int i = byHandle[result.Index];
                    ThrowUnlessItemError(result.Error);
                    if (result.Succeeded && Interpret(session, targets[i], result.Value!) is IOmapiObject value)
                    {
                        reads[i] = new WatchRead(value, null);
                        done[i] = true;
                    }
                }
            }

            int[] leases = Enumerable.Range(0, targets.Count).Where(i => !done[i] && targets[i].LeaseAddress != null).ToArray();
            if (leases.Length > 0)
            {
                var found = await BulkAsync(session.StartLeaseLookupAsync(leases.Select(i => targets[i].LeaseAddress!), Options(leases.Length), cancellationToken)).ConfigureAwait(false);
                Settle(found, leases, reads, done);
            }

            int[] hosts = Enumerable.Range(0, targets.Count).Where(i => !done[i] && targets[i].KeyKind == OmapiWatchKey.HostName).ToArray();
            if (hosts.Length > 0)
            {
                var found = await BulkAsync(session.StartHostLookupAsync(hosts.Select(i => targets[i].HostName!), Options(hosts.Length), cancellationToken)).ConfigureAwait(false);
                Settle(found, hosts, reads, done);
            }

            for (int i = 0; i < targets.Count; i++)
            {
                if (!done[i])
                {
                    try
                    {
                        reads[i] = new WatchRead(await targets[i].OpenAsync(session, cancellationToken).ConfigureAwait(false), null);
                    }
                    catch (Exception ex) when (IsItemError(ex))
                    {
                        reads[i] = new WatchRead(null, ex);
                    }
                }
            }

            return reads;
        }

        /// <summary>
        /// Asks for real change notifications on <paramref name="handle"/> (OMAPI NOTIFY) and says what the server answered:
        /// dhcpd 4.4 declines with 27 "notify not implemented yet". Connection failures are thrown.
        /// </summary>
        internal static async Task<(bool Accepted, string Status)> RequestNotificationsAsync(OmapiSession session, uint handle, CancellationToken cancellationToken)
        {
            try
            {
                await session.NotifyAsync(handle, cancellationToken).ConfigureAwait(false);
                return (true, "accepted by the server, but unsolicited messages cannot be received on an OMAPI client connection here; polling");
            }
            catch (OmapiNotSupportedException ex)
            {
                return (false, string.Format(CultureInfo.InvariantCulture, "declined by the server: \"{0}\" ({1}, result {2}); polling", ex.ServerMessage ?? ex.ResultName, ex.ResultName, ex.ResultCode));
            }
            catch (OmapiServerException ex) when (!(ex is OmapiAuthenticationException))
            {
                return (false, string.Format(CultureInfo.InvariantCulture, "refused by the server: \"{0}\" ({1}, result {2}); polling", ex.ServerMessage ?? ex.ResultName, ex.ResultName, ex.ResultCode));
            }
        }

        /// <summary>Failures that mean the connection (not one object) is in trouble: the watcher reports them as a lost connection.</summary>
        internal static bool IsConnectionFailure(Exception ex) =>
            ex is OmapiConnectionException || ex is OmapiTimeoutException || ex is OmapiProtocolException || ex is OmapiAuthenticationException;

        /// <summary>A refusal of one object (not found, several matches, a value that does not parse): the others are unaffected.</summary>
        private static bool IsItemError(Exception ex) =>
            (ex is OmapiServerException && !(ex is OmapiAuthenticationException)) || ex is OmapiMalformedValueException;

        private static void ThrowUnlessItemError(Exception? error)
        {
            if (error != null && !IsItemError(error))
            {
                ExceptionDispatchInfo.Capture(error).Throw();
            }
        }

        private static void Settle<TKey, TValue>(List<OmapiBulkResult<TKey, TValue>> results, int[] positions, WatchRead[] reads, bool[] done)
            where TValue : class, IOmapiObject
        {
            foreach (OmapiBulkResult<TKey, TValue> result in results)
            {
                ThrowUnlessItemError(result.Error);
                int i = positions[result.Index];
                reads[i] = new WatchRead(result.Value, result.Error);
                done[i] = true;
            }
        }

        /// <summary>A refreshed object as the target's type, or null when it is not the object the target names (any more).</summary>
        private static IOmapiObject? Interpret(OmapiSession session, OmapiWatchTarget target, OmapiObject refreshed)
        {
            try
            {
                IOmapiObject value = target.IsLease ? OmapiLease.FromObject(refreshed, session.ServerName) : OmapiHost.FromObject(refreshed, session.ServerName);
                return target.Matches(value) ? value : null;
            }
            catch (OmapiMalformedValueException)
            {
                return null;
            }
        }

        /// <summary>
        /// Runs one bulk operation to its end and takes its results in input order. The poll awaits its completion (no thread
        /// blocks meanwhile); every result fits its buffer, so taking them then never waits. Throws what ended it early.
        /// </summary>
        private static async Task<List<OmapiBulkResult<TKey, TValue>>> BulkAsync<TKey, TValue>(Task<OmapiBulkOperation<TKey, TValue>> starting)
        {
            using OmapiBulkOperation<TKey, TValue> bulk = await starting.ConfigureAwait(false);
            await bulk.Completion.ConfigureAwait(false);
            var results = new List<OmapiBulkResult<TKey, TValue>>();
            while (bulk.Take(out OmapiBulkResult<TKey, TValue> result))
            {
                results.Add(result);
            }

            return results;
        }

        // One connection: a watch holds one of the ~190 OMAPI connections dhcpd serves, whatever it watches; the window, not
        // more connections, bounds what is in flight. Room for every result and one more: the operation learns that its
        // input has ended (and completes) only when it has room to ask for the next key.
        private static OmapiBulkOptions Options(int count) => new OmapiBulkOptions { Connections = 1, MaxBuffered = count + 1 };
    }
}
