using System;
using System.Collections.Generic;

namespace Omapi.Core
{
    /// <summary>
    /// The outcome of a change the session made: confirmed by dhcpd's reply, or — when the reply was lost (the connection
    /// closed, or the wait timed out) — found out by reading the object back on a new connection. A change that was not
    /// applied, or whose outcome could not be found out, is an exception instead (<see cref="OmapiOutcomeUnknownException"/>
    /// for the latter).
    /// </summary>
    public class OmapiWriteResult
    {
        /// <summary>A change dhcpd confirmed.</summary>
        public static readonly OmapiWriteResult Confirmed = new OmapiWriteResult(false, null);

        /// <summary>Creates a result.</summary>
        public OmapiWriteResult(bool replyLost, string? note)
        {
            ReplyLost = replyLost;
            Note = note;
            Notes = note == null ? Array.Empty<string>() : new[] { note };
        }

        /// <summary>Creates the result of a change made of several requests, from the notes of those whose reply was lost.</summary>
        protected OmapiWriteResult(IReadOnlyList<string> notes)
        {
            Notes = notes ?? throw new ArgumentNullException(nameof(notes));
            ReplyLost = notes.Count > 0;
            Note = notes.Count == 0 ? null : string.Join(" ", notes);
        }

        /// <summary>True when dhcpd's reply was lost and the change was found applied by reading the object back.</summary>
        public bool ReplyLost { get; }

        /// <summary>What happened, when the reply was lost (for a warning); null when dhcpd confirmed the change.</summary>
        public string? Note { get; }

        /// <summary>
        /// <see cref="Note"/> as one note per request whose reply was lost, in the order they were sent (one warning each);
        /// empty when dhcpd confirmed everything.
        /// </summary>
        public IReadOnlyList<string> Notes { get; }
    }

    /// <summary>An <see cref="OmapiWriteResult"/> with the object as it is after the change.</summary>
    public sealed class OmapiWriteResult<T> : OmapiWriteResult
    {
        /// <summary>Creates a result.</summary>
        public OmapiWriteResult(T value, bool replyLost = false, string? note = null)
            : base(replyLost, note)
        {
            Value = value;
        }

        /// <summary>The object after the change.</summary>
        public T Value { get; }
    }

    /// <summary>What reading an object back after a lost reply showed about a change.</summary>
    internal readonly struct Verdict<T>
    {
        private Verdict(int kind, T value, string? detail)
        {
            Kind = kind;
            Value = value;
            Detail = detail;
        }

        /// <summary>0 applied, 1 not applied, 2 cannot be told, 3 partly applied.</summary>
        internal int Kind { get; }

        internal T Value { get; }

        /// <summary>What was seen, for the message.</summary>
        internal string? Detail { get; }

        internal bool IsApplied => Kind == 0;

        internal bool IsNotApplied => Kind == 1;

        internal static Verdict<T> Applied(T value, string? detail = null) => new Verdict<T>(0, value, detail);

        internal static Verdict<T> NotApplied(string? detail = null) => new Verdict<T>(1, default!, detail);

        internal bool IsPartly => Kind == 3;

        internal static Verdict<T> Unknown(string detail) => new Verdict<T>(2, default!, detail ?? throw new ArgumentNullException(nameof(detail)));

        internal static Verdict<T> Partly(string detail) => new Verdict<T>(3, default!, detail ?? throw new ArgumentNullException(nameof(detail)));
    }
}
