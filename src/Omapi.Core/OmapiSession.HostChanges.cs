using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;
using Omapi.Core.Connection;
using Omapi.Core.Objects;
using Omapi.Core.Protocol;

namespace Omapi.Core
{
    /// <summary>The changes to a host that take several requests: its values one UPDATE each, and a rename.</summary>
    public sealed partial class OmapiSession
    {
        /// <summary>
        /// Changes a host's group, statements and fixed addresses, one UPDATE per change in that order (the values dhcpd can
        /// refuse go first). dhcpd applies the values of one UPDATE in order and stops at the first it refuses, leaving the
        /// earlier ones live but unsaved (a restart loses them); one change per request makes every applied change a saved
        /// one. The result says which values are in effect and what stopped the rest; a lost reply is resolved by reading the
        /// host back: its fixed addresses can be compared; its group and statements cannot (dhcpd never returns them), which
        /// is an <see cref="OmapiOutcomeUnknownException"/> as the failure.
        /// </summary>
        public Task<OmapiHostUpdateResult> SetHostAsync(OmapiHost host, OmapiHostChanges changes, CancellationToken cancellationToken = default) =>
            ApplyHostChangesAsync(host, changes, nameApplied: false, cancellationToken);

        /// <summary>
        /// <see cref="SetHostAsync"/> that throws what stopped it; the exception's operation names the changes already
        /// applied. A lost reply found applied is a result with <see cref="OmapiWriteResult.ReplyLost"/>.
        /// </summary>
        public async Task<OmapiWriteResult> UpdateHostAsync(OmapiHost host, OmapiHostChanges changes, CancellationToken cancellationToken = default)
        {
            OmapiHostUpdateResult result = await ApplyHostChangesAsync(host, changes, nameApplied: true, cancellationToken).ConfigureAwait(false);
            if (result.Failure != null)
            {
                ExceptionDispatchInfo.Capture(result.Failure).Throw();
            }

            return result;
        }

        private async Task<OmapiHostUpdateResult> ApplyHostChangesAsync(OmapiHost host, OmapiHostChanges changes, bool nameApplied, CancellationToken cancellationToken)
        {
            if (host == null)
            {
                throw new ArgumentNullException(nameof(host));
            }

            if (changes == null)
            {
                throw new ArgumentNullException(nameof(changes));
            }

            OmapiValueList values = changes.ToValues();
            var applied = new List<string>();
            var notes = new List<string>();
            foreach (OmapiValue change in values.Where(v => v.Name != "ip-address").Concat(values.Where(v => v.Name == "ip-address")))
            {
                string what = "set host " + change.Name + " of '" + host + "'" + (nameApplied && applied.Count > 0 ? " (already applied: " + string.Join(", ", applied) + ")" : string.Empty);
                try
                {
                    OmapiWriteResult<bool> result = await WriteAsync(
                        UpdateRequest(host.GetHandle(), new OmapiValueList(new[] { change }), what),
                        reply =>
                        {
                            OmapiReplies.ExpectSuccess(reply, what, _options.ResultNumbering);
                            return true;
                        },
                        ct => HostChangeVerdictAsync(host, change, ct),
                        cancellationToken).ConfigureAwait(false);
                    notes.AddRange(result.Notes);
                }
                catch (Exception ex) when (StopsSequence(ex))
                {
                    return new OmapiHostUpdateResult(applied, notes, ex);
                }

                applied.Add(change.Name);
            }

            return new OmapiHostUpdateResult(applied, notes, null);
        }

        private async Task<Verdict<bool>> HostChangeVerdictAsync(OmapiHost host, OmapiValue change, CancellationToken cancellationToken)
        {
            if (change.Name != "ip-address")
            {
                return Verdict<bool>.Unknown("dhcpd never returns a host's " + change.Name);
            }

            OmapiHost now = await RefreshHostAsync(host.GetHandle(), cancellationToken).ConfigureAwait(false);
            IPAddress[] wanted = Unpack(change.Value);
            return SameAddresses(now.GetIPAddresses(), wanted)
                ? Verdict<bool>.Applied(true, "its fixed addresses are now " + Describe(now.GetIPAddresses()))
                : Verdict<bool>.NotApplied("its fixed addresses are still " + Describe(now.GetIPAddresses()));
        }

        /// <summary>
        /// Renames a host. dhcpd cannot rename one (a host's name, MAC address and client id are write-once), so the host is
        /// deleted and created again under <paramref name="newName"/> with its MAC address, hardware type, client id and
        /// fixed addresses, and <paramref name="changes"/> (new fixed addresses, an empty array for none; statements; group).
        /// Its own statements and group are not carried over: dhcpd never returns them.
        /// <list type="bullet">
        /// <item>Nothing is deleted unless both the new host and the old one could be created from what is known (both are
        /// checked first: an <see cref="ArgumentException"/>), and the new name is free (else <see cref="OmapiHostRenameOutcome.NameTaken"/>).</item>
        /// <item>A delete that fails throws what the delete tells (refused, not applied, or outcome unknown).</item>
        /// <item>A create that fails is followed by creating the old host again: <see cref="OmapiHostRenameOutcome.Restored"/>,
        /// or <see cref="OmapiHostRenameOutcome.Lost"/> when that fails too.</item>
        /// </list>
        /// Each step is a change of its own with the session's truth about lost replies (<see cref="CreateHostAsync"/>,
        /// <see cref="DeleteHostAsync"/>); their notes are the result's.
        /// </summary>
        public async Task<OmapiHostRenameResult> RenameHostAsync(OmapiHost host, string newName, OmapiHostChanges? changes = null, CancellationToken cancellationToken = default)
        {
            if (host == null)
            {
                throw new ArgumentNullException(nameof(host));
            }

            if (string.Equals(host.Name, RequireText(newName, nameof(newName)), StringComparison.Ordinal))
            {
                throw new ArgumentException("The host is already named '" + newName + "': there is nothing to rename (SetHostAsync makes its other changes).", nameof(newName));
            }

            IPAddress[] addresses = host.GetIPAddresses().Select(a => a.ToIPAddress()).ToArray();
            OmapiHostDefinition replacement = Recreation(host, newName, changes?.IPAddresses ?? addresses);
            replacement.Statements = changes?.Statements;
            replacement.Group = changes?.Group;
            OmapiHostDefinition original = Recreation(host, host.Name ?? throw new ArgumentException("The host has no name.", nameof(host)), addresses);

            // Both are checked before anything is deleted, so a host that cannot be re-created is never deleted.
            replacement.ToValues();
            original.ToValues();

            // The name must be free before the old host is deleted (the MAC and client id are the old host's own).
            if (await TryAsync(() => GetHostByNameAsync(newName, cancellationToken)).ConfigureAwait(false) is OmapiHost taken)
            {
                return new OmapiHostRenameResult(OmapiHostRenameOutcome.NameTaken, host, taken, null, null, Array.Empty<string>());
            }

            var notes = new List<string>();
            notes.AddRange((await DeleteHostAsync(host, cancellationToken).ConfigureAwait(false)).Notes);
            Exception createFailure;
            try
            {
                OmapiWriteResult<OmapiHost> created = await CreateHostAsync(replacement, cancellationToken).ConfigureAwait(false);
                notes.AddRange(created.Notes);
                return new OmapiHostRenameResult(OmapiHostRenameOutcome.Renamed, host, created.Value, null, null, notes);
            }
            catch (Exception ex) when (StopsSequence(ex))
            {
                createFailure = ex;
            }

            try
            {
                OmapiWriteResult<OmapiHost> restored = await CreateHostAsync(original, cancellationToken).ConfigureAwait(false);
                notes.AddRange(restored.Notes);
                return new OmapiHostRenameResult(OmapiHostRenameOutcome.Restored, host, restored.Value, createFailure, null, notes);
            }
            catch (Exception ex) when (StopsSequence(ex))
            {
                return new OmapiHostRenameResult(OmapiHostRenameOutcome.Lost, host, null, createFailure, ex, notes);
            }
        }

        /// <summary>A failure that ends one step of a sequence and is reported with what the earlier steps did (cancellation is not: it ends the call).</summary>
        private static bool StopsSequence(Exception ex) => ex is OmapiException || ex is ArgumentException || ex is FormatException || ex is ObjectDisposedException;

        /// <summary>The definition that creates <paramref name="host"/> again under <paramref name="name"/> with these fixed addresses.</summary>
        private static OmapiHostDefinition Recreation(OmapiHost host, string name, IPAddress[] addresses)
        {
            var definition = new OmapiHostDefinition { Name = name, IPAddresses = addresses.Length == 0 ? null : addresses };
            if (host.MacAddress != null)
            {
                definition.HardwareAddress = OmapiEncoding.TryParseHex(host.MacAddress);
                definition.HardwareType = host.HardwareType ?? HardwareAddress.Ethernet;
            }

            if (host.ClientId != null)
            {
                definition.ClientId = OmapiEncoding.TryParseHex(host.ClientId);
            }

            return definition;
        }
    }
}
