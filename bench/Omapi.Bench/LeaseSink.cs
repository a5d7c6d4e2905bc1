using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using Omapi.Core.Objects;

namespace Omapi.Bench;

/// <summary>
/// The output list a host hands to <c>PowerShell.Invoke(input, output)</c>: it checks and counts each object as the
/// pipeline writes it and keeps none of them (a host that displays and forgets), so a scan's memory is the module's
/// and the engine's only. The check gets the object's position and the lease and returns why it is wrong, or null.
/// </summary>
internal sealed class LeaseSink : IList<PSObject>
{
    private readonly Func<int, OmapiLease, string?>? _check;
    private readonly List<object> _others = new();

    internal LeaseSink(Func<int, OmapiLease, string?>? check) => _check = check;

    /// <summary>Leases received.</summary>
    internal int Leases { get; private set; }

    /// <summary>Leases the check rejected.</summary>
    internal int Mismatches { get; private set; }

    /// <summary>The first rejection, for the report.</summary>
    internal string? FirstMismatch { get; private set; }

    /// <summary>Objects that were not leases (e.g. a count a script returned); at most 16 kept.</summary>
    internal IReadOnlyList<object> Others => _others;

    /// <summary>Always 0: the engine reads its output list back after the run (PSDataCollectionReader); there is nothing to read.</summary>
    public int Count => 0;

    public bool IsReadOnly => false;

    public PSObject this[int index]
    {
        get => throw new NotSupportedException("The sink keeps no objects.");
        set => throw new NotSupportedException("The sink keeps no objects.");
    }

    public void Add(PSObject item)
    {
        if (item?.BaseObject is OmapiLease lease)
        {
            string? why = _check?.Invoke(Leases, lease);
            Leases++;
            if (why is not null)
            {
                Mismatches++;
                FirstMismatch ??= why;
            }
        }
        else if (_others.Count < 16)
        {
            _others.Add(item?.BaseObject ?? "(null)");
        }
    }

    public void Insert(int index, PSObject item) => Add(item);

    public void Clear()
    {
    }

    public bool Contains(PSObject item) => false;

    public void CopyTo(PSObject[] array, int arrayIndex)
    {
    }

    public IEnumerator<PSObject> GetEnumerator()
    {
        yield break;
    }

    public int IndexOf(PSObject item) => -1;

    public bool Remove(PSObject item) => false;

    public void RemoveAt(int index) => throw new NotSupportedException("The sink keeps no objects.");

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
