using System;
using System.Runtime.CompilerServices;

namespace Omapi.Core.Bulk
{
    /// <summary>The outcome of one item of a bulk operation: its key, and its value or its error.</summary>
    public readonly struct OmapiBulkResult<TKey, TValue>
    {
        [MethodImpl(HotPath.Optimize)]
        internal OmapiBulkResult(long index, TKey key, TValue? value, Exception? error)
        {
            Index = index;
            Key = key;
            Value = value;
            Error = error;
        }

        /// <summary>The item's position in the input (results come out in this order).</summary>
        public long Index { get; }

        /// <summary>The input key (address, handle, name ...).</summary>
        public TKey Key { get; }

        /// <summary>The value, when <see cref="Error"/> is null.</summary>
        public TValue? Value { get; }

        /// <summary>Why this item failed (e.g. <see cref="OmapiNotFoundException"/>); other items are unaffected.</summary>
        public Exception? Error { get; }

        /// <summary>True when the item succeeded.</summary>
        public bool Succeeded => Error == null;
    }

    /// <summary>Settings of a bulk operation.</summary>
    public sealed class OmapiBulkOptions
    {
        /// <summary>How many of the session's connections to spread the work over (1..16; default 4). Each keeps its own byte budget.</summary>
        public int Connections { get; set; } = 4;

        /// <summary>
        /// The most items issued but not yet taken by the consumer (in flight, being reordered, or waiting to be taken).
        /// Bounds memory however long the input; a slow consumer slows the requests down.
        /// </summary>
        public int MaxBuffered { get; set; } = 4096;
    }
}
