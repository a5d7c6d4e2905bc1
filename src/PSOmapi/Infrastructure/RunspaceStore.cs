using System.Collections.Generic;
using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;

namespace PSOmapi
{
    /// <summary>
    /// One <typeparamref name="TItems"/> per runspace (not per process), so ForEach-Object -Parallel and thread jobs each
    /// have their own and never pick up another runspace's sessions or subscriptions. An entry goes with its runspace.
    /// </summary>
    /// <typeparam name="TItems">What a runspace keeps, e.g. a <see cref="RunspaceList{T}"/>.</typeparam>
    internal sealed class RunspaceStore<TItems>
        where TItems : class
    {
        private readonly ConditionalWeakTable<Runspace, TItems> _table = new ConditionalWeakTable<Runspace, TItems>();
        private readonly ConditionalWeakTable<Runspace, TItems>.CreateValueCallback _create;

        /// <param name="create">Makes a runspace's entry the first time it is asked for (and may hook the runspace's close).</param>
        internal RunspaceStore(ConditionalWeakTable<Runspace, TItems>.CreateValueCallback create) => _create = create;

        /// <summary>The entry of the runspace this thread runs in.</summary>
        internal TItems Current => _table.GetValue(Runspace.DefaultRunspace, _create);
    }

    /// <summary>
    /// A runspace's list of what the module keeps open, safe to change from any thread (the event manager unsubscribes a
    /// notification on a thread-pool thread; a runspace closes on its own thread). Items keep the order they were added in.
    /// </summary>
    /// <typeparam name="T">The items (sessions, notification subscriptions).</typeparam>
    internal class RunspaceList<T>
        where T : class
    {
        private readonly object _lock = new object();
        private readonly List<T> _items = new List<T>();

        /// <summary>The items, as a copy.</summary>
        internal IReadOnlyList<T> All
        {
            get { lock (_lock) { return _items.ToArray(); } }
        }

        /// <summary>The item added last of those still here; null when there are none.</summary>
        internal T? Last
        {
            get { lock (_lock) { return _items.Count == 0 ? null : _items[_items.Count - 1]; } }
        }

        /// <summary>Adds an item at the end.</summary>
        internal void Add(T item)
        {
            lock (_lock)
            {
                _items.Add(item);
            }
        }

        /// <summary>Removes an item (nothing when it is not here).</summary>
        internal void Remove(T item)
        {
            lock (_lock)
            {
                _items.Remove(item);
            }
        }

        /// <summary>Removes every item and returns them, so the caller closes each exactly once.</summary>
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
