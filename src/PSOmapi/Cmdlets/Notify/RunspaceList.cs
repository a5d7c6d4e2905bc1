using System.Collections.Generic;

namespace PSOmapi
{
    /// <summary>
    /// What one runspace keeps of a kind (its watches; the same shape as <see cref="SessionStore"/>'s sessions, which could
    /// keep theirs in one too): a list any thread may change (the event manager unsubscribes on a thread-pool thread after
    /// -MaxTriggerCount) and the pipeline thread reads as a snapshot.
    /// </summary>
    internal sealed class RunspaceList<T>
        where T : class
    {
        private readonly object _lock = new object();
        private readonly List<T> _items = new List<T>();

        /// <summary>A snapshot of the items, in the order they were added.</summary>
        internal IReadOnlyList<T> All
        {
            get { lock (_lock) { return _items.ToArray(); } }
        }

        internal void Add(T item)
        {
            lock (_lock)
            {
                _items.Add(item);
            }
        }

        internal void Remove(T item)
        {
            lock (_lock)
            {
                _items.Remove(item);
            }
        }

        /// <summary>Empties the list and returns what it held (module removal, runspace end).</summary>
        internal IReadOnlyList<T> RemoveAll()
        {
            lock (_lock)
            {
                T[] all = _items.ToArray();
                _items.Clear();
                return all;
            }
        }
    }
}
