using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using Omapi.Core.Watch;
using Xunit;

namespace Omapi.Core.Tests.Watch;

/// <summary>Records what a watcher reports, with the time each report arrived, and waits for reports with a bound.</summary>
internal sealed class ChangeRecorder
{
    private readonly ConcurrentQueue<(OmapiChange Change, TimeSpan At)> _changes = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public ChangeRecorder(OmapiWatcher watcher)
    {
        watcher.Change += (_, change) => _changes.Enqueue((change, _clock.Elapsed));
    }

    public IReadOnlyList<OmapiChange> All => _changes.Select(c => c.Change).ToArray();

    /// <summary>The clock the arrival times are measured on.</summary>
    public TimeSpan Now => _clock.Elapsed;

    /// <summary>Waits until a report matches (reports that arrived before <paramref name="since"/> are ignored); fails after <paramref name="timeout"/>.</summary>
    public (OmapiChange Change, TimeSpan At) WaitFor(Func<OmapiChange, bool> match, TimeSpan timeout, TimeSpan since = default, string? what = null)
    {
        var deadline = _clock.Elapsed + timeout;
        while (true)
        {
            foreach ((OmapiChange change, TimeSpan at) in _changes)
            {
                if (at >= since && match(change))
                {
                    return (change, at);
                }
            }

            if (_clock.Elapsed > deadline)
            {
                Assert.Fail("No matching change (" + (what ?? "?") + ") within " + timeout.TotalSeconds + " s. Reports so far:\n" + string.Join("\n", All.Select(c => "  " + c)));
            }

            Thread.Sleep(50);
        }
    }

    /// <summary>Reports that arrived at or after <paramref name="since"/>.</summary>
    public IReadOnlyList<OmapiChange> Since(TimeSpan since) => _changes.Where(c => c.At >= since).Select(c => c.Change).ToArray();
}
