using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace Omapi.Core.Objects
{
    /// <summary>An inclusive range of IPv4 addresses, from CIDR (<c>198.18.0.0/16</c>) or <c>first-last</c> notation.</summary>
    public sealed class AddressRange
    {
        private readonly uint _first;
        private readonly uint _last;

        private AddressRange(uint first, uint last, string text)
        {
            _first = first;
            _last = last;
            Text = text;
        }

        /// <summary>The range as written.</summary>
        public string Text { get; }

        /// <summary>The first address.</summary>
        public IPAddress First => ToAddress(_first);

        /// <summary>The last address.</summary>
        public IPAddress Last => ToAddress(_last);

        /// <summary>How many addresses the range holds.</summary>
        public long Count => (long)_last - _first + 1;

        /// <summary>
        /// Parses <c>a.b.c.d/n</c> (every address of the block, network and broadcast included: dhcpd simply has no lease
        /// object for those) or <c>a.b.c.d-e.f.g.h</c> (inclusive). Throws <see cref="FormatException"/> naming the forms.
        /// </summary>
        public static AddressRange Parse(string text)
        {
            if (string.IsNullOrWhiteSpace(text))
            {
                throw new FormatException("An address range is required: 198.51.100.0/24 or 198.51.100.10-198.51.100.250.");
            }

            string s = text.Trim();
            int slash = s.IndexOf('/');
            if (slash > 0)
            {
                uint network = ParseAddress(s.Substring(0, slash), text);
                if (!int.TryParse(s.Substring(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int prefix) || prefix < 0 || prefix > 32)
                {
                    throw new FormatException("'" + text + "' has no valid prefix length (0..32) after '/'.");
                }

                uint mask = prefix == 0 ? 0u : uint.MaxValue << (32 - prefix);
                uint first = network & mask;
                return new AddressRange(first, first | ~mask, s);
            }

            int dash = s.IndexOf('-');
            if (dash > 0)
            {
                uint first = ParseAddress(s.Substring(0, dash), text);
                uint last = ParseAddress(s.Substring(dash + 1), text);
                if (last < first)
                {
                    throw new FormatException("'" + text + "' ends before it starts.");
                }

                return new AddressRange(first, last, s);
            }

            uint single = ParseAddress(s, text);
            return new AddressRange(single, single, s);
        }

        /// <summary>The addresses in ascending order, produced one at a time (a /8 costs no memory).</summary>
        public IEnumerable<IPAddress> Addresses() => new AddressSequence(_first, _last);

        /// <inheritdoc />
        public override string ToString() => Text;

        private static uint ParseAddress(string part, string whole)
        {
            if (!IPAddress.TryParse(part.Trim(), out IPAddress? address) || part.Trim().Split('.').Length != 4)
            {
                throw new FormatException("'" + whole + "' is not an IPv4 range: write 198.51.100.0/24 or 198.51.100.10-198.51.100.250.");
            }

            if (address.AddressFamily != AddressFamily.InterNetwork)
            {
                throw new FormatException("'" + whole + "' is not IPv4: OMAPI handles IPv4 only.");
            }

            return IPv4Address.FromIPAddress(address).ToUInt32();
        }

        [MethodImpl(HotPath.Optimize)]
        private static IPAddress ToAddress(uint value) => new IPv4Address(value).ToIPAddress();

        /// <summary>
        /// The addresses of a range, one at a time: a class rather than an iterator method so that its MoveNext, which every
        /// address of a scan passes through, can be compiled optimised from the first call (<see cref="HotPath"/>).
        /// </summary>
        private sealed class AddressSequence : IEnumerable<IPAddress>, IEnumerator<IPAddress>
        {
            private readonly uint _first;
            private readonly uint _last;
            private ulong _next;
            private IPAddress? _current;

            internal AddressSequence(uint first, uint last)
            {
                _first = first;
                _last = last;
                _next = first;
            }

            public IPAddress Current => _current!;

            object IEnumerator.Current => Current;

            public IEnumerator<IPAddress> GetEnumerator() => new AddressSequence(_first, _last);

            IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

            [MethodImpl(HotPath.Optimize)]
            public bool MoveNext()
            {
                if (_next > _last)
                {
                    _current = null;
                    return false;
                }

                _current = ToAddress((uint)_next);
                _next++;
                return true;
            }

            public void Reset()
            {
                _next = _first;
                _current = null;
            }

            public void Dispose()
            {
            }
        }
    }
}
