using System;
using System.Diagnostics;
using System.Management.Automation;

namespace PSOmapi
{
    /// <summary>
    /// Paces a cmdlet's progress records (every WriteProgress of the module goes through one of these): the first
    /// after <see cref="IntervalMilliseconds"/> of work, so a short run writes none; each next one at least that long
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

        /// <summary>How many times as long as the last write took the next record waits, at least.</summary>
        internal const int SlowWriteFactor = 4;

        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private long _next = IntervalMilliseconds;

        /// <summary>True when a record may be written now.</summary>
        internal bool IsDue => _clock.ElapsedMilliseconds >= _next;

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
