using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using Omapi.Core.Bulk;
using Omapi.Core.Connection;
using Omapi.Core.Objects;
using Omapi.Core.Protocol;

namespace Omapi.Core
{
    public sealed partial class OmapiSession
    {
        // Never changed after creation; shared by every lease open so a bulk scan allocates no message-value list per request.
        private static readonly OmapiValueList LeaseOpenMessage = new OmapiValueList().Add("type", "lease");

        /// <summary>The lease for an address (a lease object exists for every address in a range, free ones too).</summary>
        public async Task<OmapiLease> GetLeaseAsync(IPAddress address, CancellationToken cancellationToken = default)
        {
            OmapiRequest request = LeaseRequest(address);
            OmapiMessage reply = await ReadAsync(request, cancellationToken).ConfigureAwait(false);
            return LeaseFromReply(address, reply, request.Description);
        }

        /// <summary>
        /// <see cref="GetLeaseAsync"/> for a caller that blocks anyway (PowerShell's pipeline thread): it waits on its own
        /// thread, woken by the connection's reader, with no task machinery in between; a connection that must be re-opened
        /// first is re-opened on this thread too (<see cref="GetConnection"/>). Same results and errors.
        /// </summary>
        public OmapiLease GetLease(IPAddress address, CancellationToken cancellationToken = default)
        {
            OmapiRequest request = LeaseRequest(address);
            for (int attempt = 0; ; attempt++)
            {
                OmapiConnection connection = GetConnection(cancellationToken);
                try
                {
                    return LeaseFromReply(address, connection.Send(request, cancellationToken), request.Description);
                }
                catch (OmapiException ex) when (attempt == 0 && AskAgain(ex))
                {
                    // Lost before the reply came (dhcpd restarting): a lookup changes nothing, so it is asked once more.
                }
            }
        }

        /// <summary>Looks up the leases of many addresses (see <see cref="StartBulkAsync"/>); a missing lease is an item with <see cref="OmapiNotFoundException"/>.</summary>
        public Task<OmapiBulkOperation<IPAddress, OmapiLease>> StartLeaseLookupAsync(IEnumerable<IPAddress>? addresses, OmapiBulkOptions? options = null, CancellationToken cancellationToken = default) =>
            StartBulkAsync(addresses, BulkLeaseRequest, [MethodImpl(HotPath.Optimize)] (address, reply) => LeaseFromReply(address, reply, "open lease"), options, cancellationToken);

        private static OmapiRequest LeaseRequest(IPAddress address) =>
            new OmapiRequest(OmapiOpcode.Open, 0, LeaseOpenMessage, new OmapiValueList(1).Add("ip-address", OmapiEncoding.FromIPv4(address)), "open lease " + address, "open lease");

        // Bulk requests: the address goes into a message only when one is needed (the result carries the key).
        [MethodImpl(HotPath.Optimize)]
        private static OmapiRequest BulkLeaseRequest(IPAddress address) =>
            new OmapiRequest(OmapiOpcode.Open, 0, LeaseOpenMessage, new OmapiValueList(1).Add("ip-address", OmapiEncoding.FromIPv4(address)), "open lease", "open lease");

        [MethodImpl(HotPath.Optimize)]
        private OmapiLease LeaseFromReply(IPAddress address, OmapiMessage reply, string operation)
        {
            OmapiObject o = ReplyChecks.Object(reply, "lease", operation, _options.ResultNumbering);
            ReplyChecks.Lease(o, operation, address);
            return OmapiLease.FromObject(o, ServerName);
        }

        /// <summary>The lease for a hardware address; <see cref="OmapiMultipleMatchesException"/> when several match.</summary>
        public async Task<OmapiLease> GetLeaseByHardwareAddressAsync(byte[] hardwareAddress, int hardwareType = HardwareAddress.Ethernet, CancellationToken cancellationToken = default) =>
            await LookUpLeaseAsync("for " + HardwareAddress.Format(RequireBytes(hardwareAddress, nameof(hardwareAddress))), HardwareKeys(hardwareAddress, hardwareType), cancellationToken, hardwareAddress: hardwareAddress).ConfigureAwait(false);

        /// <summary>The lease for a DHCP client identifier; <see cref="OmapiMultipleMatchesException"/> when several match.</summary>
        public async Task<OmapiLease> GetLeaseByClientIdAsync(byte[] clientId, CancellationToken cancellationToken = default) =>
            await LookUpLeaseAsync("for client id " + OmapiEncoding.ToHex(RequireBytes(clientId, nameof(clientId))), ClientIdKeys(clientId), cancellationToken, clientId: clientId).ConfigureAwait(false);

        /// <summary>Re-reads a lease by handle.</summary>
        public async Task<OmapiLease> RefreshLeaseAsync(uint handle, CancellationToken cancellationToken = default)
        {
            OmapiObject o = await RefreshAsync(handle, "lease", cancellationToken).ConfigureAwait(false);
            ReplyChecks.Lease(o, "refresh lease handle " + handle.ToString(CultureInfo.InvariantCulture));
            return OmapiLease.FromObject(o, ServerName);
        }

        /// <summary>
        /// Sets what dhcpd lets be set on a lease — its state, end time and Reserved flag — and keeps the rest: the other
        /// flags are the lease's own, and since dhcpd moves a lease on to its next state whenever its end time or flags change
        /// (an Active lease becomes Free), the lease's own state is sent again, last, in the same UPDATE unless
        /// <paramref name="state"/> is given (docs/design/request-lifecycle.md, "Setting a lease"). <paramref name="lease"/>
        /// must be current (its flags and state are the starting point). Returns the lease as dhcpd has it afterwards; see
        /// <see cref="UpdateLeaseAsync"/> for refusals and lost replies.
        /// </summary>
        public Task<OmapiWriteResult<OmapiLease>> SetLeaseAsync(OmapiLease lease, LeaseState? state = null, DateTimeOffset? ends = null, bool? reserved = null, CancellationToken cancellationToken = default)
        {
            if (lease == null)
            {
                throw new ArgumentNullException(nameof(lease));
            }

            var changes = new OmapiLeaseChanges { Ends = ends };
            if (reserved is bool on)
            {
                changes.Flags = on ? lease.GetFlags() | LeaseFlags.Reserved : lease.GetFlags() & ~LeaseFlags.Reserved;
            }

            changes.State = state ?? (changes.Ends != null || changes.Flags != null ? lease.GetState() : (LeaseState?)null);
            if (changes.State == LeaseState.Unknown)
            {
                changes.State = null;
            }

            return UpdateLeaseAsync(lease, changes, cancellationToken);
        }

        /// <summary>
        /// Changes a lease's end time, flags and state in ONE UPDATE, in that order, and returns the lease as dhcpd has it
        /// afterwards. dhcpd applies a lease's pending next state whenever its end time or flags change (an Active lease
        /// becomes Free): the state that follows in the same message is applied in the same pass, so nothing can take the
        /// address in between, the two can never be reordered or split over a reconnect, and a refusal stops both. dhcpd
        /// applies an UPDATE's values in order and stops at the first it refuses without undoing the earlier ones: after a
        /// refusal the lease is read back and the error says what is in effect. A lost reply is resolved by reading back.
        /// </summary>
        public async Task<OmapiWriteResult<OmapiLease>> UpdateLeaseAsync(OmapiLease lease, OmapiLeaseChanges changes, CancellationToken cancellationToken = default)
        {
            if (lease == null)
            {
                throw new ArgumentNullException(nameof(lease));
            }

            if (changes == null)
            {
                throw new ArgumentNullException(nameof(changes));
            }

            OmapiValueList values = changes.ToValues();
            string what = "set " + changes.Describe() + " of lease " + lease.IPAddress;
            OmapiRequest request = UpdateRequest(lease.GetHandle(), values, what);
            OmapiWriteResult<OmapiLease> result;
            try
            {
                result = await WriteAsync(
                    request,
                    reply =>
                    {
                        OmapiReplies.ExpectSuccess(reply, what, _options.ResultNumbering);
                        return lease;
                    },
                    ct => LeaseVerdictAsync(lease, changes, ct),
                    cancellationToken).ConfigureAwait(false);
            }
            catch (OmapiServerException refused) when (values.Count > 1)
            {
                string now;
                try
                {
                    OmapiLease after = await RefreshLeaseAsync(lease.GetHandle(), cancellationToken).ConfigureAwait(false);
                    now = "read back after the refusal: " + CompareLease(lease, changes, after).Detail;
                }
                catch (OmapiException ex)
                {
                    now = "the lease could not be read back after the refusal (" + ex.Message.TrimEnd('.') + "), so which of the values were applied is unknown";
                }

                throw OmapiServerException.Create(refused.ResultCode, refused.ServerMessage, what + " (" + now + ")");
            }

            if (result.ReplyLost)
            {
                return result;
            }

            return new OmapiWriteResult<OmapiLease>(await RefreshLeaseAsync(lease.GetHandle(), cancellationToken).ConfigureAwait(false));
        }

        private async Task<Verdict<OmapiLease>> LeaseVerdictAsync(OmapiLease before, OmapiLeaseChanges changes, CancellationToken cancellationToken)
        {
            OmapiLease after = await RefreshLeaseAsync(before.GetHandle(), cancellationToken).ConfigureAwait(false);
            (int applied, int asked, string detail) = CompareLease(before, changes, after);
            return applied == asked ? Verdict<OmapiLease>.Applied(after, detail)
                : applied == 0 ? Verdict<OmapiLease>.NotApplied(detail)
                : Verdict<OmapiLease>.Partly(detail);
        }

        /// <summary>
        /// How many of the changes (in the order they are sent: end time, flags, state) the lease shows applied, and a
        /// description. dhcpd moves a lease set to Released, Expired, Reset or Backup on to Free at once when there is no
        /// failover, so Free counts as that state applied.
        /// </summary>
        private static (int Applied, int Asked, string Detail) CompareLease(OmapiLease before, OmapiLeaseChanges changes, OmapiLease after)
        {
            var parts = new List<(string Name, bool Done)>();
            if (changes.Ends is DateTimeOffset ends)
            {
                DateTimeOffset? wanted = OmapiEncoding.ToTime(OmapiEncoding.FromTime(ends), "ends");
                parts.Add(("end time", after.Ends == wanted));
            }

            if (changes.Flags is LeaseFlags flags)
            {
                parts.Add(("flags", (after.GetFlags() & OmapiLeaseChanges.ChangeableFlags) == (flags & OmapiLeaseChanges.ChangeableFlags)));
            }

            if (changes.State is LeaseState state)
            {
                bool movedOn = after.GetState() == LeaseState.Free && (state == LeaseState.Released || state == LeaseState.Expired || state == LeaseState.Reset || state == LeaseState.Backup);
                parts.Add(("state", after.GetState() == state || movedOn));
            }

            // Values are applied in order up to the first refusal: count the leading ones that show applied.
            int applied = 0;
            while (applied < parts.Count && parts[applied].Done)
            {
                applied++;
            }

            string now = "the lease is now " + after.State + ", ends " + (after.Ends?.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) ?? "never") + " UTC, flags " + after.Flags;
            string detail = applied == parts.Count ? now
                : applied == 0 ? now + "; was " + before.State
                : "the " + string.Join(" and ", parts.GetRange(0, applied).ConvertAll(p => p.Name)) + " applied, the " + string.Join(" and ", parts.GetRange(applied, parts.Count - applied).ConvertAll(p => p.Name)) + " not; " + now;
            return (applied, parts.Count, detail);
        }
    }
}
