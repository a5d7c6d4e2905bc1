using System;
using System.Collections.Generic;
using System.Linq;
using Omapi.Core.Objects;
using Omapi.Core.Protocol;

namespace Omapi.Core.Watch
{
    /// <summary>
    /// Compares two reads of a lease or host property by property, on the values the objects exchange (addresses, states
    /// and flags as text, times as instants), so a change reports what <c>ConvertTo-Json</c> of the object would show.
    /// Handles (the object's own and those of its subnet, pool, host and billing class) are left out: they are numbers of
    /// one dhcpd process and all change when it restarts, while the object itself did not.
    /// </summary>
    public static class OmapiObjectComparer
    {
        /// <summary>
        /// The lease variable dhcpd sets on every UPDATE of a lease (the header handle of the update, omapi-protocol.md 7.1):
        /// an artefact of OMAPI itself, not a change anyone made to the lease, so it is not reported.
        /// </summary>
        public const string RemoteHandleVariable = "remote-handle";

        private static readonly (string Name, Func<OmapiLease, object?> Get)[] LeaseProperties =
        {
            ("State", l => l.State),
            ("IPAddress", l => l.IPAddress),
            ("MacAddress", l => l.MacAddress),
            ("HardwareType", l => l.HardwareType),
            ("ClientId", l => l.ClientId),
            ("ClientHostname", l => l.ClientHostname),
            ("Starts", l => l.Starts),
            ("Ends", l => l.Ends),
            ("Cltt", l => l.Cltt),
            ("Tstp", l => l.Tstp),
            ("Tsfp", l => l.Tsfp),
            ("Atsfp", l => l.Atsfp),
            ("Flags", l => l.Flags),
        };

        private static readonly (string Name, Func<OmapiHost, object?> Get)[] HostProperties =
        {
            ("Name", h => h.Name),
            ("MacAddress", h => h.MacAddress),
            ("HardwareType", h => h.HardwareType),
            ("ClientId", h => h.ClientId),
            ("IPAddress", h => h.IPAddress),
        };

        /// <summary>
        /// The properties that differ between <paramref name="previous"/> and <paramref name="current"/> (leases or hosts;
        /// either may be null for "did not exist", which makes every set property of the other a change).
        /// </summary>
        public static IReadOnlyList<OmapiPropertyChange> Compare(IOmapiObject? previous, IOmapiObject? current)
        {
            var changes = new List<OmapiPropertyChange>();
            if (previous is OmapiLease || current is OmapiLease)
            {
                var a = previous as OmapiLease;
                var b = current as OmapiLease;
                foreach ((string name, Func<OmapiLease, object?> get) in LeaseProperties)
                {
                    Add(changes, name, a == null ? null : get(a), b == null ? null : get(b));
                }

                IReadOnlyDictionary<string, byte[]> va = a?.GetVariables() ?? new Dictionary<string, byte[]>();
                IReadOnlyDictionary<string, byte[]> vb = b?.GetVariables() ?? new Dictionary<string, byte[]>();
                foreach (string name in va.Keys.Union(vb.Keys).Where(n => n != RemoteHandleVariable).OrderBy(n => n, StringComparer.Ordinal))
                {
                    Add(changes, name, va.TryGetValue(name, out byte[]? x) ? OmapiEncoding.ToHex(x) : null, vb.TryGetValue(name, out byte[]? y) ? OmapiEncoding.ToHex(y) : null);
                }
            }
            else if (previous is OmapiHost || current is OmapiHost)
            {
                var a = previous as OmapiHost;
                var b = current as OmapiHost;
                foreach ((string name, Func<OmapiHost, object?> get) in HostProperties)
                {
                    Add(changes, name, a == null ? null : get(a), b == null ? null : get(b));
                }
            }

            return changes;
        }

        /// <summary>
        /// True when the object "is there": a host that exists, or a lease that exists and is not Free (every address of a
        /// range has a lease object, so a lease is "there" once the address is taken).
        /// </summary>
        public static bool IsPresent(IOmapiObject? value) => value switch
        {
            null => false,
            OmapiLease lease => lease.GetState() != LeaseState.Free,
            _ => true,
        };

        /// <summary>
        /// What became of a watched object between two reads: <see cref="OmapiChangeKind.Appeared"/> or
        /// <see cref="OmapiChangeKind.Disappeared"/> when it came or went (<see cref="IsPresent"/>), else
        /// <see cref="OmapiChangeKind.Changed"/> when a property differs; null when nothing did.
        /// </summary>
        internal static OmapiChangeKind? Classify(IOmapiObject? previous, IOmapiObject? current, out IReadOnlyList<OmapiPropertyChange> changes)
        {
            changes = Compare(previous, current);
            bool was = IsPresent(previous);
            bool now = IsPresent(current);
            if (was != now)
            {
                return now ? OmapiChangeKind.Appeared : OmapiChangeKind.Disappeared;
            }

            return changes.Count > 0 ? OmapiChangeKind.Changed : (OmapiChangeKind?)null;
        }

        private static void Add(List<OmapiPropertyChange> changes, string name, object? oldValue, object? newValue)
        {
            if (!Same(oldValue, newValue))
            {
                changes.Add(new OmapiPropertyChange(name, oldValue, newValue));
            }
        }

        private static bool Same(object? a, object? b)
        {
            if (a is IReadOnlyList<string> || b is IReadOnlyList<string>)
            {
                IReadOnlyList<string> left = a as IReadOnlyList<string> ?? Array.Empty<string>();
                IReadOnlyList<string> right = b as IReadOnlyList<string> ?? Array.Empty<string>();
                return left.SequenceEqual(right, StringComparer.Ordinal);
            }

            return Equals(a, b);
        }
    }
}
