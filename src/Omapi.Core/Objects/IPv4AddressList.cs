using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Linq;

namespace Omapi.Core.Objects
{
    /// <summary>
    /// A host's fixed addresses as values: a read-only list of <see cref="IPv4Address"/> that prints as dhcpd writes a
    /// <c>fixed-address</c> list (<c>198.51.100.5, 198.51.100.6</c>; empty text for none), so that <c>Export-Csv</c> writes
    /// that text, and that sorts by its addresses in order. PowerShell enumerates it: <c>-eq '198.51.100.5'</c> finds the
    /// address in the list, and it binds to an <c>-IPAddress</c> parameter as its addresses.
    /// </summary>
    public sealed class IPv4AddressList : ReadOnlyCollection<IPv4Address>, IComparable, IComparable<IPv4AddressList>
    {
        /// <summary>A list of these addresses, in this order.</summary>
        public IPv4AddressList(IEnumerable<IPv4Address> addresses)
            : base((addresses ?? throw new ArgumentNullException(nameof(addresses))).ToList())
        {
        }

        /// <summary>The empty list.</summary>
        public static IPv4AddressList Empty { get; } = new IPv4AddressList(Array.Empty<IPv4Address>());

        /// <summary>Compares address by address; a list that is a prefix of the other sorts first (the empty list first of all).</summary>
        public int CompareTo(IPv4AddressList? other)
        {
            if (other is null)
            {
                return 1;
            }

            for (int i = 0; i < Math.Min(Count, other.Count); i++)
            {
                int c = this[i].CompareTo(other[i]);
                if (c != 0)
                {
                    return c;
                }
            }

            return Count.CompareTo(other.Count);
        }

        /// <summary>Compares with another list (null sorts first); anything else is an <see cref="ArgumentException"/>.</summary>
        public int CompareTo(object? obj) => obj switch
        {
            null => 1,
            IPv4AddressList other => CompareTo(other),
            _ => throw new ArgumentException("An IPv4AddressList compares only with another IPv4AddressList.", nameof(obj)),
        };

        /// <summary>The addresses as dhcpd writes them: <c>198.51.100.5, 198.51.100.6</c>; empty text for none.</summary>
        public override string ToString() => string.Join(", ", this.Select(a => a.ToString()));
    }
}
