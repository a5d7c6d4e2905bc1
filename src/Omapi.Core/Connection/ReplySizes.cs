using System;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace Omapi.Core.Connection
{
    /// <summary>
    /// How large a reply may be, per kind of request, for the send window (docs/design/request-lifecycle.md, "The window").
    /// An estimate must be an upper bound: dhcpd 4.4.3 aborts when the replies produced ahead of one reply add up to about
    /// 4,040 bytes, so an estimate that is too low is what once let a range scan abort it (the not-found STATUS replies of an
    /// empty region taught the window that lease replies were 120 bytes). Estimates therefore start from a prior computed
    /// from what dhcpd's reply can contain at most, and only ever grow: by the largest reply seen of that kind on the session
    /// (a lease with scope variables the prior does not know). A small reply never lowers one. Shared by a session's
    /// connections; thread-safe.
    /// </summary>
    public sealed class ReplySizes
    {
        /// <summary>The longest client-hostname and client identifier the lease prior allows for: what one DHCP option carries.</summary>
        public const int LongestOptionValue = 255;

        /// <summary>The prior of a kind this class has no model for: any reply of up to this many bytes is covered.</summary>
        public const int UnknownKindPrior = 1024;

        private readonly ConcurrentDictionary<string, int> _largest = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);

        /// <summary>
        /// The largest reply a request of <paramref name="kind"/> can get, for a connection whose replies carry a
        /// <paramref name="signatureLength"/>-byte signature: the prior or the largest seen, whichever is larger.
        /// </summary>
        [MethodImpl(HotPath.Optimize)]
        public int Estimate(string kind, int signatureLength)
        {
            int prior = Prior(kind, signatureLength);
            return _largest.TryGetValue(kind, out int seen) && seen > prior ? seen : prior;
        }

        /// <summary>Records a reply's size; true when it was larger than the estimate it was sent under (a surprise).</summary>
        [MethodImpl(HotPath.Optimize)]
        public bool Observe(string kind, int length, int estimate)
        {
            while (true)
            {
                if (!_largest.TryGetValue(kind, out int largest))
                {
                    if (_largest.TryAdd(kind, length))
                    {
                        break;
                    }
                }
                else if (length <= largest || _largest.TryUpdate(kind, length, largest))
                {
                    break;
                }
            }

            return length > estimate;
        }

        /// <summary>The largest reply seen of a kind (0 when none).</summary>
        public int Largest(string kind) => _largest.TryGetValue(kind, out int seen) ? seen : 0;

        /// <summary>
        /// What dhcpd's reply to a kind of request can hold at most, from the attributes its "stuff values" functions write
        /// (protocol notes s.7). Kinds are the request's <see cref="OmapiRequest.ReplyKind"/>: "open lease", "refresh lease",
        /// "status" (UPDATE and DELETE, answered by a STATUS), and anything else.
        /// </summary>
        [MethodImpl(HotPath.Optimize)]
        public static int Prior(string kind, int signatureLength)
        {
            switch (kind)
            {
                case "open lease":
                case "refresh lease":
                    return LeaseReply(signatureLength);
                case "status":
                    return StatusReply(signatureLength);
                default:
                    return UnknownKindPrior + signatureLength;
            }
        }

        /// <summary>
        /// The longest lease reply dhcpd 4.4.3 sends without scope variables: every attribute of dhcp_lease_stuff_values
        /// present, a client-hostname and client identifier of <see cref="LongestOptionValue"/> bytes and a 16-byte
        /// hardware address, and the remote-handle variable an UPDATE leaves (or the longest STATUS, if that were longer):
        /// 888 bytes with HMAC-MD5, 936 with HMAC-SHA512.
        /// </summary>
        [MethodImpl(HotPath.Optimize)]
        public static int LeaseReply(int signatureLength)
        {
            int values =
                Value("state", 4) + Value("ip-address", 4) + Value("dhcp-client-identifier", LongestOptionValue) +
                Value("client-hostname", LongestOptionValue) + Value("host", 4) + Value("subnet", 4) + Value("pool", 4) +
                Value("billing-class", 4) + Value("hardware-address", 16) + Value("hardware-type", 4) + Value("ends", 4) +
                Value("starts", 4) + Value("tstp", 4) + Value("tsfp", 4) + Value("atsfp", 4) + Value("cltt", 4) + Value("flags", 1) +
                Value("remote-handle", 4); // the scope variable every OMAPI UPDATE of a lease leaves behind (s.7.1)
            return Math.Max(24 + 2 + values + 2 + signatureLength, StatusReply(signatureLength));
        }

        /// <summary>The longest STATUS reply: result, and a message of up to 128 characters (dhcpd's are at most 32).</summary>
        [MethodImpl(HotPath.Optimize)]
        public static int StatusReply(int signatureLength) => 24 + Value("result", 4) + Value("message", 128) + 2 + 2 + signatureLength;

        [MethodImpl(HotPath.Optimize)]
        private static int Value(string name, int valueLength) => 2 + name.Length + 4 + valueLength;
    }
}
