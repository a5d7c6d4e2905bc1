using System;
using System.Diagnostics;
using System.Management.Automation;

namespace PSOmapi
{
    /// <summary>
    /// Paces a cmdlet's progress records (every WriteProgress of the module goes through one of these): the first
    /// after <see cref="IntervalMilliseconds"/> of work, and only when the rest of the run looks like it will take at
    /// least <see cref="MinRemainingMilliseconds"/> more, so a short run, or one about to finish, writes none (the first
    /// record a pwsh process shows costs it about 140 ms, as much as a whole 5,000-address scan); each next one at least that long
    /// after the previous one RETURNED, and at least <see cref="SlowWriteFactor"/> times as long as writing it took.
    /// Writing a record can be slow: in a terminal that does not answer cursor queries each one took seconds, and a
    /// clock started before the write counted that time as work, so every result wrote one. Measured from the end of
    /// the write, and stretched by its cost, records take at most about a fifth of the run however slow the host is,
    /// and their number depends on the time the run takes, never on how many results it has.
    /// </summary>
    internal sealed class ProgressThrottle
    {
        /// <summary>The shortest time between two records (and before the first).</summary>
        internal const int IntervalMilliseconds = 200;

        /// <summary>The first record is written only when the run's rest is expected to take at least this long.</summary>
        internal const int MinRemainingMilliseconds = 1000;

        /// <summary>How many times as long as the last write took the next record waits, at least.</summary>
        internal const int SlowWriteFactor = 4;

        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private long _next = IntervalMilliseconds;

        /// <summary>
        /// True when a record may be written now, <paramref name="done"/> of <paramref name="total"/> items into the run: the
        /// interval has passed and, for the first record, the rest at the rate so far will take at least
        /// <see cref="MinRemainingMilliseconds"/>.
        /// </summary>
        internal bool IsDue(long done, long total)
        {
            long elapsed = _clock.ElapsedMilliseconds;
            if (elapsed < _next)
            {
                return false;
            }

            return HasWritten || done <= 0 || (double)elapsed * (total - done) / done >= MinRemainingMilliseconds;
        }

        /// <summary>True once a Processing record was written (so a Completed record has something to close).</summary>
        internal bool HasWritten { get; private set; }

        /// <summary>Writes <paramref name="record"/> and sets when the next one may be written.</summary>
        internal void Write(Cmdlet cmdlet, ProgressRecord record)
        {
            long start = _clock.ElapsedMilliseconds;
            cmdlet.WriteProgress(record);
            long end = _clock.ElapsedMilliseconds;
            _next = end + Math.Max(IntervalMilliseconds, SlowWriteFactor * (end - start));
            HasWritten = true;
        }

        /// <summary>Closes the activity with a Completed record, only when a record was written for it.</summary>
        internal void Complete(Cmdlet cmdlet, ProgressRecord record)
        {
            if (HasWritten)
            {
                record.RecordType = ProgressRecordType.Completed;
                cmdlet.WriteProgress(record);
            }
        }
    }
}
