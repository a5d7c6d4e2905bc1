using System;
using System.Collections.Generic;
using System.Threading;
using Omapi.Core.Bulk;

namespace PSOmapi
{
    /// <summary>
    /// The bulk lookup a Get- cmdlet feeds with its input (Get-OmapiLease's addresses, Get-OmapiHost's names): started on
    /// the first keys that need it, fed by each ProcessRecord, drained on the pipeline thread (the only one that may call
    /// Write*), finished in EndProcessing and disposed with the cmdlet also when the pipeline is stopped before that.
    /// </summary>
    /// <typeparam name="TKey">What is looked up.</typeparam>
    /// <typeparam name="TValue">What is found.</typeparam>
    internal sealed class PipelineBulk<TKey, TValue> : IDisposable
    {
        private readonly CancellationToken _stop;
        private readonly Action<OmapiBulkResult<TKey, TValue>> _emit;
        private readonly Action<Exception> _fail;
        private OmapiBulkOperation<TKey, TValue>? _operation;

        /// <param name="stop">The cmdlet's stop token (Ctrl+C ends a wait at once).</param>
        /// <param name="emit">Writes one result, in input order.</param>
        /// <param name="fail">
        /// Called once when the operation ended early (no connection could be re-opened), after the results it emitted:
        /// one terminating error, never one per remaining key.
        /// </param>
        internal PipelineBulk(CancellationToken stop, Action<OmapiBulkResult<TKey, TValue>> emit, Action<Exception> fail)
        {
            _stop = stop;
            _emit = emit;
            _fail = fail;
        }

        /// <summary>
        /// Whether <paramref name="count"/> keys go to the bulk operation: when it already runs, when more input may follow
        /// (pipeline input), or for two keys or more. One key typed at the prompt is one plain request on the session's
        /// connection, without opening the bulk operation's extra connections.
        /// </summary>
        internal bool Wants(int count, bool expectingInput) => _operation != null || expectingInput || count >= 2;

        /// <summary>
        /// Adds <paramref name="keys"/>, starting the operation with <paramref name="start"/> the first time, and writes the
        /// results that are ready now without waiting: the rest follow with later input or in <see cref="Finish"/>.
        /// </summary>
        internal void Add(IEnumerable<TKey> keys, Func<OmapiBulkOperation<TKey, TValue>> start)
        {
            OmapiBulkOperation<TKey, TValue> operation = _operation ??= start();
            foreach (TKey key in keys)
            {
                operation.Add(key);
            }

            BulkDrain.Drain(operation, wait: false, _stop, _emit, _fail);
        }

        /// <summary>
        /// Ends the operation (EndProcessing): no more keys, every remaining result written, the operation disposed (also when
        /// the wait is stopped). Nothing to do when it never started.
        /// </summary>
        internal void Finish()
        {
            OmapiBulkOperation<TKey, TValue>? operation = _operation;
            _operation = null;
            if (operation == null)
            {
                return;
            }

            using (operation)
            {
                operation.CompleteAdding();
                BulkDrain.Drain(operation, wait: true, _stop, _emit, _fail);
            }
        }

        /// <summary>
        /// Releases an operation <see cref="Finish"/> never got to (a stopped pipeline never reaches EndProcessing): stops its
        /// requests and lets the connections absorb the replies.
        /// </summary>
        public void Dispose()
        {
            _operation?.Dispose();
            _operation = null;
        }
    }
}
