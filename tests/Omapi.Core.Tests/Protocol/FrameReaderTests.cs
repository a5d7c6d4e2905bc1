using System;
using System.Linq;
using Omapi.Core.Protocol;
using Xunit;

namespace Omapi.Core.Tests.Protocol
{
    /// <summary>
    /// The connection's framing (<see cref="OmapiFrameReader"/>) fed bytes directly. A reply that arrives a byte at a time
    /// was re-parsed from its start on every read: quadratic up to the 4 MB cap (+60-110 MB, CPU burning after the command
    /// returned). The scan now resumes where it stopped.
    /// </summary>
    public class FrameReaderTests
    {
        private static byte[] BigReply(int values, out int length)
        {
            var list = new OmapiValueList();
            for (int i = 0; i < values; i++)
            {
                list.Add("v" + (i % 100), new[] { (byte)i, (byte)(i >> 8) });
            }

            byte[] bytes = OmapiCodec.Encode(new OmapiMessage(OmapiOpcode.Update, 7, 1, 42, null, list));
            length = bytes.Length;
            return bytes;
        }

        [Fact]
        public void A_reply_fed_one_byte_at_a_time_costs_work_in_proportion_to_its_bytes()
        {
            byte[] reply = BigReply(20_000, out int length); // ~200 KB of small values
            var reader = new OmapiFrameReader(0, OmapiCodec.DefaultMaxMessageSize);
            OmapiFrame frame = default;
            bool done = false;
            for (int i = 0; i < reply.Length; i++)
            {
                reader.Append(reply, i, 1);
                done = reader.TryRead(out frame);
                Assert.Equal(i == reply.Length - 1, done);
            }

            Assert.True(done);
            Assert.Equal(length, frame.Length);
            Assert.Equal(20_000, frame.Message.ObjectValues.Count);
            Assert.Equal(42u, frame.Message.Rid);
            // Re-parsing from the start on each byte would examine ~2,000,000,000 length fields here.
            Assert.InRange(reader.Steps, 20_000, 2L * (length + 20_000));
        }

        [Fact]
        public void Several_replies_in_one_read_and_one_reply_over_many_reads_come_out_whole_and_in_order()
        {
            byte[] a = OmapiCodec.Encode(new OmapiMessage(OmapiOpcode.Status, 0, 1, 10, new OmapiValueList().Add("result", 0u)));
            byte[] b = BigReply(3, out _);
            byte[] c = OmapiCodec.Encode(new OmapiMessage(OmapiOpcode.Status, 0, 2, 11, new OmapiValueList().Add("result", 23u).Add("message", "no object matches specification")));
            byte[] stream = a.Concat(b).Concat(c).ToArray();
            var reader = new OmapiFrameReader(0, OmapiCodec.DefaultMaxMessageSize);
            var rids = new System.Collections.Generic.List<uint>();
            var random = new Random(3);
            for (int i = 0; i < stream.Length;)
            {
                int n = Math.Min(stream.Length - i, random.Next(1, 40));
                reader.Append(stream, i, n);
                i += n;
                while (reader.TryRead(out OmapiFrame f))
                {
                    rids.Add(f.Message.Rid);
                }
            }

            Assert.Equal(new uint[] { 10, 42, 11 }, rids);
            Assert.Equal(0, reader.Buffered);
        }

        [Fact]
        public void An_announced_length_past_the_limit_fails_at_once_without_waiting_for_the_bytes()
        {
            var reader = new OmapiFrameReader(0, 4096);
            byte[] header = OmapiCodec.Encode(new OmapiMessage(OmapiOpcode.Update, 7, 1, 42, null, new OmapiValueList().Add("x", new byte[10])));
            // Name "x", then a value length of 1 GB: the scan must refuse it as soon as the length field is in.
            int valueLengthAt = 24 + 2 + 2 + 1;
            header[valueLengthAt] = 0x40;
            reader.Append(header, 0, valueLengthAt + 4);
            var ex = Assert.Throws<OmapiProtocolException>(() => reader.TryRead(out _));
            Assert.Contains("limit", ex.Message, StringComparison.Ordinal);
        }
    }
}
