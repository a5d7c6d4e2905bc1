using System;
using Omapi.Core.Protocol;
using Xunit;

namespace Omapi.Core.Tests.Protocol
{
    /// <summary>Hostile lengths and fields: an immediate protocol error, decided before any announced length is allocated.</summary>
    public class CodecMalformedTests
    {
        private const string Header = "00000000 00000000 00000003 00000001 00000002 00000003";

        [Fact]
        public void Value_length_all_ones_is_a_protocol_error_without_waiting_for_the_bytes()
        {
            // Only the header, a name and the absurd length have arrived; the decoder must not wait for 4 GiB.
            byte[] bytes = TestHex.Bytes(Header + " 0004 \"name\" ffffffff");
            var ex = Assert.Throws<OmapiProtocolException>(() => OmapiCodec.TryDecode(bytes, 0, bytes.Length, 0, OmapiCodec.DefaultMaxMessageSize, out _));
            Assert.Contains("MaxMessageSize", ex.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void A_value_just_over_the_limit_is_refused_and_one_at_the_limit_waits()
        {
            const int max = 2048;
            int overhead = 24 + 2 + 4 + 4; // header, name length, "name", value length
            string justFits = (max - overhead - 4).ToString("x8", System.Globalization.CultureInfo.InvariantCulture); // leaves room for both terminators
            byte[] fits = TestHex.Bytes(Header + " 0004 \"name\" " + justFits);
            Assert.False(OmapiCodec.TryDecode(fits, 0, fits.Length, 0, max, out _));

            string tooBig = (max - overhead + 1).ToString("x8", System.Globalization.CultureInfo.InvariantCulture);
            byte[] over = TestHex.Bytes(Header + " 0004 \"name\" " + tooBig);
            Assert.Throws<OmapiProtocolException>(() => OmapiCodec.TryDecode(over, 0, over.Length, 0, max, out _));
        }

        [Theory]
        [InlineData("00000000 00000041 00000003 00000000 00000000 00000001", "authlen")] // 65-byte signature
        [InlineData("00000001 ffffffff 00000005 00000000 00000000 00000001", "authlen")]
        [InlineData("00000000 00000000 00000000 00000000 00000000 00000001", "opcode")] // op 0
        [InlineData("00000000 00000000 00000007 00000000 00000000 00000001", "opcode")] // notify-cancel never existed
        [InlineData("00000000 00000000 00000063 00000000 00000000 00000001", "opcode")] // 99
        public void Bad_header_fields_are_protocol_errors(string header, string what)
        {
            byte[] bytes = TestHex.Bytes(header + " 0000 0000");
            var ex = Assert.Throws<OmapiProtocolException>(() => OmapiCodec.TryDecode(bytes, 0, bytes.Length, 0, 4096, out _));
            Assert.Contains(what, ex.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void Truncated_frames_need_more_and_are_never_partially_consumed()
        {
            byte[] full = TestHex.Bytes(Header + " 0006 \"result\" 00000004 00000017 0000 0000");
            for (int cut = 0; cut < full.Length; cut++)
            {
                Assert.False(OmapiCodec.TryDecode(full, 0, cut, 0, 4096, out OmapiFrame partial));
                Assert.Equal(0, partial.Length);
            }

            Assert.True(OmapiCodec.TryDecode(full, 0, full.Length, 0, 4096, out OmapiFrame frame));
            Assert.Equal(full.Length, frame.Length);
        }

        [Fact]
        public void Signature_bytes_count_toward_the_limit()
        {
            byte[] bytes = TestHex.Bytes("00000001 00000040 00000003 00000000 00000000 00000001 0000 0000");
            Assert.Throws<OmapiProtocolException>(() => OmapiCodec.TryDecode(bytes, 0, bytes.Length, 0, 64, out _));
            Assert.False(OmapiCodec.TryDecode(bytes, 0, bytes.Length, 0, 4096, out _));
        }

        [Theory]
        [InlineData("op")]
        [InlineData("handle")]
        [InlineData("rid")]
        [InlineData("authid")]
        [InlineData("object")]
        [InlineData("notify-object")]
        public void Reserved_message_value_names_are_never_sent(string name)
        {
            var ex = Assert.Throws<ArgumentException>(() => new Omapi.Core.Connection.OmapiRequest(
                OmapiOpcode.Open, 0, new OmapiValueList().Add(name, 1u), null, "test"));
            Assert.Contains("drops the connection", ex.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void A_client_cannot_send_status()
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => new Omapi.Core.Connection.OmapiRequest(OmapiOpcode.Status, 0, null, null, "test"));
        }
    }
}
