using System.Collections.Generic;
using System.Runtime.CompilerServices;

namespace Omapi.Core.Protocol
{
    /// <summary>
    /// The attribute and message-value names dhcpd sends, as shared strings: decoding a reply then allocates no string
    /// per name (a lease reply has ~15). Unknown names are decoded normally.
    /// </summary>
    internal static class NameTable
    {
        private static readonly string[] Known =
        {
            "type", "result", "message", "name", "algorithm", "state", "ip-address", "dhcp-client-identifier",
            "client-hostname", "host", "subnet", "pool", "billing-class", "hardware-address", "hardware-type", "ends",
            "starts", "tstp", "tsfp", "atsfp", "cltt", "flags", "remote-handle", "lease-count", "free-leases",
            "backup-leases", "lease-limit", "leases-used", "partner-address", "partner-port", "local-address", "local-port",
            "max-outstanding-updates", "mclt", "load-balance-max-secs", "load-balance-hba", "partner-state", "local-state",
            "partner-stos", "local-stos", "hierarchy", "last-packet-sent", "last-timestamp-received", "skew",
            "max-response-delay", "cur-unacked-updates", "create", "update", "exclusive", "handle", "hashstring",
        };

        private static readonly Dictionary<int, string[]> ByShape = Build();

        /// <summary>The shared string for these bytes, or a new one.</summary>
        [MethodImpl(HotPath.Optimize)]
        internal static string Get(byte[] buffer, int offset, int length)
        {
            if (length > 0 && ByShape.TryGetValue(Shape(length, buffer[offset], buffer[offset + length - 1]), out string[]? candidates))
            {
                foreach (string candidate in candidates)
                {
                    if (Matches(candidate, buffer, offset))
                    {
                        return candidate;
                    }
                }
            }

            return OmapiEncoding.Latin1ToString(buffer, offset, length);
        }

        [MethodImpl(HotPath.Optimize)]
        private static bool Matches(string candidate, byte[] buffer, int offset)
        {
            for (int i = 0; i < candidate.Length; i++)
            {
                if (buffer[offset + i] != candidate[i])
                {
                    return false;
                }
            }

            return true;
        }

        [MethodImpl(HotPath.Optimize)]
        private static int Shape(int length, byte first, byte last) => (length << 16) | (first << 8) | last;

        private static Dictionary<int, string[]> Build()
        {
            var lists = new Dictionary<int, List<string>>();
            foreach (string name in Known)
            {
                int shape = Shape(name.Length, (byte)name[0], (byte)name[name.Length - 1]);
                if (!lists.TryGetValue(shape, out List<string>? list))
                {
                    lists[shape] = list = new List<string>();
                }

                list.Add(name);
            }

            var table = new Dictionary<int, string[]>();
            foreach (KeyValuePair<int, List<string>> entry in lists)
            {
                table[entry.Key] = entry.Value.ToArray();
            }

            return table;
        }
    }
}
