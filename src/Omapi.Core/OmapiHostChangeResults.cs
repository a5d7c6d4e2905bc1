using System;
using System.Collections.Generic;
using Omapi.Core.Objects;

namespace Omapi.Core
{
    /// <summary>
    /// What <see cref="OmapiSession.SetHostAsync"/> did: it sends one UPDATE per value, and dhcpd keeps what it applied
    /// before a refusal, so a change that failed may be partly in effect. <see cref="Applied"/> names the values in effect
    /// (in the order sent), <see cref="Failure"/> is what stopped the rest (dhcpd's refusal, or the truth about a lost reply:
    /// not applied, or <see cref="OmapiOutcomeUnknownException"/>), and <see cref="OmapiWriteResult.Notes"/> holds a note
    /// per value whose reply was lost and that reading back found applied.
    /// </summary>
    public sealed class OmapiHostUpdateResult : OmapiWriteResult
    {
        internal OmapiHostUpdateResult(IReadOnlyList<string> applied, IReadOnlyList<string> notes, Exception? failure)
            : base(notes)
        {
            Applied = applied;
            Failure = failure;
        }

        /// <summary>The attributes dhcpd applied, in the order they were sent: "group", "statements", "ip-address".</summary>
        public IReadOnlyList<string> Applied { get; }

        /// <summary>Why the change stopped before its end; null when every value was applied.</summary>
        public Exception? Failure { get; }
    }

    /// <summary>How a rename (<see cref="OmapiSession.RenameHostAsync"/>) ended.</summary>
    public enum OmapiHostRenameOutcome
    {
        /// <summary>The host was deleted and created again under the new name; <see cref="OmapiHostRenameResult.Host"/> is it.</summary>
        Renamed,

        /// <summary>A host of the new name exists already (<see cref="OmapiHostRenameResult.Host"/>): nothing was changed.</summary>
        NameTaken,

        /// <summary>
        /// The host was deleted, the new one could not be created (<see cref="OmapiHostRenameResult.CreateFailure"/>), and the
        /// old one was created again with its MAC address, client id and fixed addresses (<see cref="OmapiHostRenameResult.Host"/>);
        /// its statements and group are lost (dhcpd never returns them).
        /// </summary>
        Restored,

        /// <summary>
        /// The host was deleted, and neither the new one (<see cref="OmapiHostRenameResult.CreateFailure"/>) nor the old one
        /// (<see cref="OmapiHostRenameResult.RestoreFailure"/>) could be created: the host is gone.
        /// </summary>
        Lost,
    }

    /// <summary>
    /// What <see cref="OmapiSession.RenameHostAsync"/> did once it got as far as deleting the host (or found the new name
    /// taken); <see cref="OmapiWriteResult.Notes"/> has a note per step whose reply was lost and that was found applied.
    /// </summary>
    public sealed class OmapiHostRenameResult : OmapiWriteResult
    {
        internal OmapiHostRenameResult(OmapiHostRenameOutcome outcome, OmapiHost original, OmapiHost? host, Exception? createFailure, Exception? restoreFailure, IReadOnlyList<string> notes)
            : base(notes)
        {
            Outcome = outcome;
            Original = original;
            Host = host;
            CreateFailure = createFailure;
            RestoreFailure = restoreFailure;
        }

        /// <summary>How the rename ended.</summary>
        public OmapiHostRenameOutcome Outcome { get; }

        /// <summary>The host as it was before the rename.</summary>
        public OmapiHost Original { get; }

        /// <summary>The renamed host (Renamed), the host that has the name (NameTaken), the old host created again (Restored); null when Lost.</summary>
        public OmapiHost? Host { get; }

        /// <summary>Why the host could not be created under its new name (Restored, Lost).</summary>
        public Exception? CreateFailure { get; }

        /// <summary>Why the old host could not be created again (Lost).</summary>
        public Exception? RestoreFailure { get; }
    }
}
