using System;
using System.Linq;
using System.Net;
using Omapi.Core.Objects;
using Omapi.Core.Protocol;
using Omapi.Core.Security;
using Xunit;

namespace Omapi.Core.Tests.Protocol
{
    /// <summary>Byte-exact checks against frames captured from real ISC software (omapi-protocol.md sections 2.3 and 13).</summary>
    public class CodecGoldenTests
    {
        // Wireshark's sample OMAPI capture, frame 755: a client OPEN of lease 192.168.9.63 (section 13).
        private const string WiresharkFrame =
            "00000000 00000000 00000001 00000000 6b8b45a5 00000000 0004 74797065 00000005 6c65617365 0000 000a 69702d61646472657373 00000004 c0a8093f 0000";

        // Capture t1 frame 10 (section 2.3): the same OPEN, signed with HMAC-MD5 by authenticator 1.
        private const string SignedOpen =
            "00000001 00000010 00000001 00000000 6b8b4568 00000000 0004 74797065 00000005 6c65617365 0000 000a 69702d61646472657373 00000004 c6336414 0000";

        private const string SignedOpenSignature = "f85bbb993f35069662a54a379da8388d";

        // Capture t1 frame 19: the server's signed STATUS "can't update object".
        private const string SignedStatus =
            "00000001 00000010 00000005 00000000 4e5b4b07 6b8b456c 0006 726573756c74 00000004 00060003 0007 6d657373616765 00000013 \"can't update object\" 0000 0000";

        private const string SignedStatusSignature = "85e92fd1bb490151416441103c46d1e9";

        // The protocol notes' published test-only key ("0123456789abcdef0123456789abcdef"); it protects nothing.
        private static readonly OmapiKey VectorKey = OmapiKey.FromBase64("omapi_key", OmapiAlgorithm.HmacMd5, "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=");

        [Fact]
        public void Wireshark_sample_frame_encodes_to_exactly_its_63_bytes()
        {
            var message = new OmapiMessage(
                OmapiOpcode.Open,
                handle: 0,
                id: 1804289445,
                rid: 0,
                new OmapiValueList().Add("type", "lease"),
                new OmapiValueList().Add("ip-address", OmapiEncoding.FromIPv4(IPAddress.Parse("192.168.9.63"))));

            byte[] encoded = OmapiCodec.Encode(message);

            Assert.Equal(63, encoded.Length);
            Assert.Equal(TestHex.Bytes(WiresharkFrame), encoded);
        }

        [Fact]
        public void Wireshark_sample_frame_decodes_back()
        {
            byte[] bytes = TestHex.Bytes(WiresharkFrame);

            Assert.True(OmapiCodec.TryDecode(bytes, 0, bytes.Length, 0, 4096, out OmapiFrame frame));

            OmapiMessage m = frame.Message;
            Assert.Equal(63, frame.Length);
            Assert.Equal(0u, m.AuthId);
            Assert.Empty(m.Signature);
            Assert.Equal(OmapiOpcode.Open, m.Op);
            Assert.Equal(0u, m.Handle);
            Assert.Equal(0x6B8B45A5u, m.Id);
            Assert.Equal(0u, m.Rid);
            Assert.Equal("lease", OmapiEncoding.ToText(m.MessageValues.Get("type")!));
            Assert.Single(m.MessageValues);
            Assert.Equal(IPAddress.Parse("192.168.9.63"), OmapiEncoding.ToIPv4(m.ObjectValues.Get("ip-address")!, "ip-address"));
            Assert.Single(m.ObjectValues);
        }

        [Fact]
        public void Signed_test_vector_is_reproduced_byte_for_byte()
        {
            var message = new OmapiMessage(
                OmapiOpcode.Open,
                0,
                0x6b8b4568,
                0,
                new OmapiValueList().Add("type", "lease"),
                new OmapiValueList().Add("ip-address", OmapiEncoding.FromIPv4(IPAddress.Parse("198.51.100.20"))))
            { AuthId = 1 };

            using OmapiMac mac = VectorKey.CreateMac();
            byte[] encoded = OmapiCodec.EncodeCore(message, mac);

            byte[] expected = TestHex.Bytes(SignedOpen + SignedOpenSignature);
            Assert.Equal(expected, encoded);
        }

        [Theory]
        [InlineData(SignedOpen, SignedOpenSignature)]
        [InlineData(SignedStatus, SignedStatusSignature)]
        public void Signed_capture_frames_verify(string body, string signature)
        {
            byte[] bytes = TestHex.Bytes(body + signature);
            Assert.True(OmapiCodec.TryDecode(bytes, 0, bytes.Length, 0, 4096, out OmapiFrame frame));
            Assert.Equal(TestHex.Bytes(signature), frame.Message.Signature);

            using OmapiMac mac = VectorKey.CreateMac();
            byte[] computed = mac.Compute(frame.SignedBytes.Array!, frame.SignedBytes.Offset, frame.SignedBytes.Count);
            Assert.Equal(frame.Message.Signature, computed);

            // authid is outside the signed bytes, authlen inside: a flipped authid still verifies, a flipped byte after it does not.
            Assert.Equal(4, frame.SignedBytes.Offset);
            bytes[5] ^= 0x01;
            Assert.NotEqual(frame.Message.Signature, mac.Compute(bytes, 4, frame.SignedBytes.Count));
        }

        [Fact]
        public void Status_capture_decodes_to_invalid_argument_with_the_server_text()
        {
            byte[] bytes = TestHex.Bytes(SignedStatus + SignedStatusSignature);
            Assert.True(OmapiCodec.TryDecode(bytes, 0, bytes.Length, 0, 4096, out OmapiFrame frame));

            Assert.Equal(OmapiOpcode.Status, frame.Message.Op);
            Assert.Equal(0x6b8b456cu, frame.Message.Rid);
            Assert.Equal((uint)OmapiResult.InvalidArgument, OmapiReplies.ResultOf(frame.Message));
            Assert.Equal("can't update object", OmapiReplies.MessageOf(frame.Message));
            var ex = Assert.Throws<OmapiInvalidArgumentException>(() => OmapiReplies.ExpectSuccess(frame.Message, "update host"));
            Assert.Equal(393219u, ex.ResultCode);
            Assert.Equal("DHCP_R_INVALIDARG", ex.ResultName);
            Assert.Contains("can't update object", ex.Message, StringComparison.Ordinal);
            Assert.Contains("393219", ex.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void Intro_is_version_100_header_24()
        {
            Assert.Equal(TestHex.Bytes("00000064 00000018"), OmapiCodec.EncodeIntro());
            Assert.Equal(0, OmapiCodec.ParseIntro(TestHex.Bytes("00000064 00000018"), 0));
            Assert.Equal(32, OmapiCodec.ParseIntro(TestHex.Bytes("00000064 00000038"), 0));
            Assert.Throws<OmapiProtocolException>(() => OmapiCodec.ParseIntro(TestHex.Bytes("00000065 00000018"), 0));
            Assert.Throws<OmapiProtocolException>(() => OmapiCodec.ParseIntro(TestHex.Bytes("00000064 00000014"), 0));
            Assert.Throws<OmapiProtocolException>(() => OmapiCodec.ParseIntro(TestHex.Bytes("00000064 ffffffff"), 0));
        }

        [Fact]
        public void Extra_header_bytes_are_skipped_and_not_signed()
        {
            byte[] plain = TestHex.Bytes(SignedOpen + SignedOpenSignature);
            var padded = new byte[plain.Length + 32];
            Buffer.BlockCopy(plain, 0, padded, 0, 24);
            for (int i = 24; i < 56; i++)
            {
                padded[i] = 0xAB;
            }

            Buffer.BlockCopy(plain, 24, padded, 56, plain.Length - 24);

            Assert.True(OmapiCodec.TryDecode(padded, 0, padded.Length, 32, 4096, out OmapiFrame frame));
            Assert.Equal(padded.Length, frame.Length);
            Assert.Equal("lease", OmapiEncoding.ToText(frame.Message.MessageValues.Get("type")!));
            using OmapiMac mac = VectorKey.CreateMac();
            Assert.Equal(frame.Message.Signature, mac.Compute(frame.SignedBytes.Array!, frame.SignedBytes.Offset, frame.SignedBytes.Count));
        }

        [Fact]
        public void Value_length_zero_is_null()
        {
            var list = new OmapiValueList().AddNull("ip-address");
            byte[] bytes = OmapiCodec.Encode(new OmapiMessage(OmapiOpcode.Update, 7, 1, 0, null, list));
            Assert.Equal(TestHex.Bytes("00000000 00000000 00000003 00000007 00000001 00000000 0000 000a \"ip-address\" 00000000 0000"), bytes);
            Assert.True(OmapiCodec.TryDecode(bytes, 0, bytes.Length, 0, 4096, out OmapiFrame frame));
            Assert.True(frame.Message.ObjectValues[0].IsNull);
        }

        [Fact]
        public void Host_definition_sends_hardware_type_1_unless_told_otherwise()
        {
            var values = new OmapiHostDefinition { Name = "pc1", HardwareAddress = HardwareAddress.ParseMac("00-11-22-33-44-55") }.ToValues();
            Assert.Equal(TestHex.Bytes("00000001"), values.Get("hardware-type"));
            Assert.Equal(TestHex.Bytes("001122334455"), values.Get("hardware-address"));

            var infiniband = new OmapiHostDefinition { HardwareAddress = new byte[] { 1, 2, 3 }, HardwareType = 32 }.ToValues();
            Assert.Equal(TestHex.Bytes("00000020"), infiniband.Get("hardware-type"));
        }

        [Fact]
        public void Group_is_sent_before_statements_so_dhcpd_keeps_both()
        {
            // dhcpd applies values in order; "group" after "statements" would replace the host's statements (seen on 4.4.3-P1).
            var create = new OmapiHostDefinition { HardwareAddress = new byte[6], Statements = "option host-name \"a\";", Group = "g" }.ToValues();
            var update = new OmapiHostChanges { Statements = "option host-name \"a\";", Group = "g" }.ToValues();
            foreach (OmapiValueList values in new[] { create, update })
            {
                var names = values.Select(v => v.Name).ToList();
                Assert.True(names.IndexOf("group") < names.IndexOf("statements"));
            }
        }
    }
}
