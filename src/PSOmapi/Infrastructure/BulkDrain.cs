using System;
using System.Management.Automation;
using System.Runtime.CompilerServices;
using System.Threading;
using Omapi.Core.Bulk;

namespace PSOmapi
{
    /// <summary>
    /// Drains a bulk operation's results, in input order, on the pipeline thread (the only thread that may call Write*).
    /// Background work never writes.
    /// </summary>
    internal static class BulkDrain
    {
        /// <summary>
        /// Writes what is ready (non-blocking) or, with <paramref name="wait"/>, everything until the operation ends. An
        /// operation that ended early (no connection could be re-opened) is passed to <paramref name="fail"/> once, after the
        /// results it emitted: one terminating error, never one per remaining item.
        /// </summary>
        [MethodImpl(HotPath.Optimize)]
        internal static long Drain<TKey, TValue>(OmapiBulkOperation<TKey, TValue> bulk, bool wait, CancellationToken stop, Action<OmapiBulkResult<TKey, TValue>> emit, Action<Exception> fail)
        {
            long count = 0;
            try
            {
                while (wait ? bulk.Take(out OmapiBulkResult<TKey, TValue> result, stop) : bulk.TryTake(out result))
                {
                    emit(result);
                    count++;
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                throw new PipelineStoppedException();
            }
            catch (Omapi.Core.OmapiException ex)
            {
                fail(ex);
            }

            return count;
        }
    }
}
