using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace Omapi.Core.Connection
{
    /// <summary>
    /// The core's one back-off: a wait that doubles after each failed attempt, up to a ceiling. A session waits so between
    /// its attempts to re-open a lost connection (from <see cref="OmapiConnectionOptions.ReconnectDelay"/> up to
    /// <see cref="MaxReconnectDelay"/>); a watcher waits so between reconnect rounds of its session. It also
    /// says its schedule in words, from the real settings, for the messages that announce a reconnect.
    /// </summary>
    internal readonly struct Backoff
    {
        // Longer schedules are shortened to their first three waits, "...", and the last.
        private const int MaxListed = 6;

        internal Backoff(TimeSpan first, TimeSpan max)
        {
            First = first;
            Max = max;
        }

        /// <summary>The longest wait between a session's attempts to re-open a lost connection.</summary>
        internal static readonly TimeSpan MaxReconnectDelay = TimeSpan.FromSeconds(8);

        /// <summary>The first wait.</summary>
        internal TimeSpan First { get; }

        /// <summary>The longest wait.</summary>
        internal TimeSpan Max { get; }

        /// <summary>The waits between a session's attempts to re-open a lost connection, as its options say.</summary>
        internal static Backoff ForReconnect(OmapiConnectionOptions options) => new Backoff(options.ReconnectDelay, MaxReconnectDelay);

        /// <summary>The wait after <paramref name="delay"/>: twice as long, at most <paramref name="max"/>.</summary>
        internal static TimeSpan Double(TimeSpan delay, TimeSpan max) => TimeSpan.FromTicks(Math.Min(Math.Max(delay.Ticks, 1) * 2, max.Ticks));

        /// <summary>The wait after <paramref name="delay"/>.</summary>
        internal TimeSpan Next(TimeSpan delay) => Double(delay, Max);

        /// <summary>The first <paramref name="count"/> waits.</summary>
        internal IReadOnlyList<TimeSpan> Delays(int count)
        {
            var delays = new List<TimeSpan>(Math.Max(0, count));
            TimeSpan delay = First;
            for (int i = 0; i < count; i++)
            {
                delays.Add(delay);
                delay = Next(delay);
            }

            return delays;
        }

        /// <summary>
        /// The waits in words: <c>"0.5, 1 s"</c> for a bounded number of attempts, <c>"1, 2, 4, 8, 16, 30 s, then every 30 s"</c>
        /// when <paramref name="count"/> is null (attempts go on until one succeeds).
        /// </summary>
        internal string Describe(int? count)
        {
            IReadOnlyList<TimeSpan> delays;
            if (count is int bounded)
            {
                delays = Delays(bounded);
            }
            else
            {
                // Until the wait stops growing (64 doublings cover any TimeSpan).
                var ramp = new List<TimeSpan> { First };
                while (ramp.Count < 64 && Next(ramp[ramp.Count - 1]) != ramp[ramp.Count - 1])
                {
                    ramp.Add(Next(ramp[ramp.Count - 1]));
                }

                delays = ramp;
            }

            if (delays.Count == 0)
            {
                return "none";
            }

            IEnumerable<string> shown = delays.Count <= MaxListed
                ? delays.Select(Seconds)
                : delays.Take(3).Select(Seconds).Concat(new[] { "...", Seconds(delays[delays.Count - 1]) });
            string text = string.Join(", ", shown).Replace(", ...,", " ...") + " s";
            return count == null ? text + ", then every " + Seconds(delays[delays.Count - 1]) + " s" : text;
        }

        private static string Seconds(TimeSpan delay) => delay.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
    }
}
