using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using Omapi.Core.Bulk;
using Omapi.Core.Connection;
using Omapi.Core.Objects;
using Omapi.Core.Protocol;
using Omapi.Core.Security;
using Xunit;

namespace Omapi.Core.Tests.Connection
{
    /// <summary>
    /// The window's promise measured from the server's side, with the replies the server actually produces. dhcpd 4.4.3
    /// aborts when a reply starts about 4,040 bytes into the replies it has produced and not yet written, or a request starts
    /// about 4,040 bytes into its input ring (protocol notes s.14; docs/design/request-lifecycle.md). This peer records,
    /// as each request arrives, (a) the bytes of the replies it owes ahead of it — each reply's exact encoded size, decided
    /// and encoded when its request arrives — and (b) the request bytes it has received since it last owed nothing. Both
    /// must stay within the budget whatever the replies are: not-found STATUS replies in empty regions, leases with client
    /// hostnames and client identifiers of 0 to 255 bytes in dense ones, short ones first and the longest later (the
    /// sequence that once let a range scan abort dhcpd: the window learned small sizes, then met large replies).
    /// </summary>
    public class WindowBudgetPeerTests
    {
        private const int Addresses = 2400;

        [Theory]
        [InlineData(OmapiAlgorithm.HmacMd5)]
        [InlineData(OmapiAlgorithm.HmacSha1)]
        [InlineData(OmapiAlgorithm.HmacSha224)]
        [InlineData(OmapiAlgorithm.HmacSha256)]
        [InlineData(OmapiAlgorithm.HmacSha384)]
        [InlineData(OmapiAlgorithm.HmacSha512)]
        public async Task No_reply_and_no_request_ever_starts_past_the_budget_in_dhcpds_buffers(OmapiAlgorithm algorithm)
        {
            var key = new OmapiKey("budget_key", algorithm, Enumerable.Range(0, 32).Select(i => (byte)(i * 11)).ToArray());
            var measured = new Measurements();
            await using var server = new FakeOmapiServer((peer, index) => ServeAsync(peer, key, index, measured));
            using OmapiSession session = await OmapiSession.ConnectAsync(server.ClientOptions(key, 30), TestContext.Current.CancellationToken);
            IPAddress[] input = Enumerable.Range(0, Addresses).Select(Address).ToArray();

            using OmapiBulkOperation<IPAddress, OmapiLease> bulk = await session.StartLeaseLookupAsync(input, new OmapiBulkOptions { Connections = 2 }, TestContext.Current.CancellationToken);
            var results = bulk.Results(TestContext.Current.CancellationToken).ToList();

            Assert.Equal(input, results.Select(r => r.Key));
            for (int i = 0; i < Addresses; i++)
            {
                if (Region(i).Dense)
                {
                    Assert.True(results[i].Succeeded, results[i].Error?.ToString());
                    Assert.Equal(Hostname(i), results[i].Value!.ClientHostname);
                }
                else
                {
                    Assert.IsType<OmapiNotFoundException>(results[i].Error);
                }
            }

            lock (measured)
            {
                TestContext.Current.TestOutputHelper?.WriteLine($"{algorithm}: replies ahead of a request at most {measured.MostRepliesAhead} bytes, received since idle at most {measured.MostReceivedSinceIdle}, in flight at most {measured.MostInFlight}, longest reply {measured.LongestReply}");
                Assert.True(measured.LongestReply > 600, "the test produced long replies: " + measured.LongestReply); // 255-byte hostname and client id
                Assert.True(measured.MostInFlight >= 3, "the client pipelined: " + measured.MostInFlight);
                Assert.InRange(measured.MostRepliesAhead, 1, OmapiConnectionOptions.MaxWindowBytes);
                Assert.InRange(measured.MostReceivedSinceIdle, 1, OmapiConnectionOptions.MaxWindowBytes);
            }

            Assert.All(session.Connections, c => Assert.Equal(0, c.Surprises)); // every reply was within its estimate
        }

        private static IPAddress Address(int i) => new IPAddress(new byte[] { 198, 18, (byte)(i / 256), (byte)(i % 256) });

        /// <summary>
        /// Regions of 150 addresses, alternating empty (no lease: not found) and dense (a lease each). In the first dense
        /// regions hostnames and client ids are short; later ones run up to 255 bytes each.
        /// </summary>
        private static (bool Dense, int Longest) Region(int i)
        {
            int region = i / 150;
            return (region % 2 == 1, region < 6 ? 12 : 255);
        }

        private static string? Hostname(int i)
        {
            (bool dense, int longest) = Region(i);
            if (!dense)
            {
                return null;
            }

            int length = (i * 7919) % (longest + 1);
            return length == 0 ? null : new string((char)('a' + (i % 26)), length);
        }

        private static byte[]? ClientId(int i)
        {
            int length = (i * 104729) % (Region(i).Longest + 1);
            return length == 0 ? null : Enumerable.Range(0, length).Select(b => (byte)(b + i)).ToArray();
        }

        /// <summary>The reply dhcpd would send: a lease with every attribute it writes, or "no object matches specification".</summary>
        private static OmapiMessage Reply(OmapiMessage request, uint authId)
        {
            byte[] ip = request.ObjectValues.Get("ip-address")!;
            int i = (ip[2] * 256) + ip[3];
            if (!Region(i).Dense)
            {
                return new OmapiMessage(OmapiOpcode.Status, 0, 7000, request.Id, new OmapiValueList().Add("result", 23u).Add("message", "no object matches specification")) { AuthId = authId };
            }

            var values = new OmapiValueList().Add("state", 2u).Add("ip-address", ip);
            if (ClientId(i) is byte[] uid)
            {
                values.Add("dhcp-client-identifier", uid);
            }

            if (Hostname(i) is string hostname)
            {
                values.Add("client-hostname", hostname);
            }

            values.Add("subnet", 5u).Add("pool", 6u).Add("hardware-address", new byte[] { 2, 0, 0, 0, ip[2], ip[3] }).Add("hardware-type", 1u)
                .Add("ends", 2000000000u).Add("starts", 1700000000u).Add("tstp", 2000000000u).Add("tsfp", 0u).Add("atsfp", 0u).Add("cltt", 1700000000u)
                .Add("flags", new byte[] { 0 });
            return new OmapiMessage(OmapiOpcode.Update, 1000u + (uint)i, 7000, request.Id, null, values) { AuthId = authId };
        }

        private static async Task ServeAsync(FakePeer peer, OmapiKey key, int index, Measurements measured)
        {
            await peer.HandshakeAsync(key, 4);
            using OmapiMac mac = key.CreateMac();
            var random = new Random(index + 1);
            var owed = new Queue<byte[]>();
            int owedBytes = 0;
            int sinceIdle = 0;
            while (true)
            {
                // Read while the client has sent something (or nothing is owed): each request's reply is decided and encoded
                // as the request arrives. Then answer some of what is owed, in order, as one burst.
                if (owed.Count == 0 || peer.HasBufferedData || random.Next(3) == 0 && await MoreWithinAsync(peer))
                {
                    if (await peer.ReadMessageAsync() is not (OmapiMessage request, int length))
                    {
                        return;
                    }

                    byte[] reply = OmapiCodec.EncodeCore(Reply(request, 4), mac);
                    lock (measured)
                    {
                        measured.MostRepliesAhead = Math.Max(measured.MostRepliesAhead, owedBytes);
                        measured.MostReceivedSinceIdle = Math.Max(measured.MostReceivedSinceIdle, sinceIdle);
                        measured.MostInFlight = Math.Max(measured.MostInFlight, owed.Count + 1);
                        measured.LongestReply = Math.Max(measured.LongestReply, reply.Length);
                    }

                    owed.Enqueue(reply);
                    owedBytes += reply.Length;
                    sinceIdle += length;
                    continue;
                }

                int answer = random.Next(1, owed.Count + 1);
                var burst = new List<byte>();
                for (int k = 0; k < answer; k++)
                {
                    byte[] reply = owed.Dequeue();
                    owedBytes -= reply.Length;
                    burst.AddRange(reply);
                }

                if (owed.Count == 0)
                {
                    sinceIdle = 0;
                }

                await peer.SendRawAsync(burst.ToArray());
            }
        }

        /// <summary>Waits a moment for the client to send more (as a busy server that reads late); true when it did.</summary>
        private static async Task<bool> MoreWithinAsync(FakePeer peer)
        {
            for (int i = 0; i < 3 && !peer.HasBufferedData; i++)
            {
                await Task.Delay(1);
            }

            return peer.HasBufferedData;
        }

        private sealed class Measurements
        {
            internal int MostRepliesAhead { get; set; }

            internal int MostReceivedSinceIdle { get; set; }

            internal int MostInFlight { get; set; }

            internal int LongestReply { get; set; }
        }
    }
}
