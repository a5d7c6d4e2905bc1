using System;
using System.Net;
using Omapi.Core.Objects;
using Omapi.Core.Protocol;
using Omapi.Core.Security;
using Xunit;

namespace Omapi.Core.Tests.Protocol
{
    public class ResultAndValueTests
    {
        [Theory]
        [InlineData(36u, 393216u)] // HOSTUNKNOWN
        [InlineData(39u, 393219u)] // INVALIDARG
        [InlineData(40u, 40u)]     // NOTCONNECTED: libisc's own code in both numberings
        [InlineData(41u, 393220u)] // NOTYET
        [InlineData(43u, 393222u)] // MULTIPLE
        [InlineData(44u, 393223u)] // KEYCONFLICT
        [InlineData(45u, 393224u)] // BADPARSE
        [InlineData(48u, 393227u)] // INVALIDKEY
        [InlineData(69u, 393248u)] // UNKNOWNATTRIBUTE
        [InlineData(23u, 23u)]     // 0..35 are the same
        [InlineData(70u, 70u)]
        public void Legacy_codes_translate_to_the_modern_numbering(uint legacy, uint modern)
        {
            Assert.Equal(modern, OmapiResults.Normalize(legacy, OmapiResultNumbering.Legacy));
        }

        [Fact]
        public void Modern_numbering_is_left_alone()
        {
            Assert.Equal(43u, OmapiResults.Normalize(43u, OmapiResultNumbering.Modern));
        }

        [Theory]
        [InlineData(23u, "ISC_R_NOTFOUND", typeof(OmapiNotFoundException))]
        [InlineData(18u, "ISC_R_EXISTS", typeof(OmapiAlreadyExistsException))]
        [InlineData(393222u, "DHCP_R_MULTIPLE", typeof(OmapiMultipleMatchesException))]
        [InlineData(393223u, "DHCP_R_KEYCONFLICT", typeof(OmapiKeyConflictException))]
        [InlineData(393224u, "DHCP_R_BADPARSE", typeof(OmapiParseErrorException))]
        [InlineData(393225u, "DHCP_R_NOKEYS", typeof(OmapiAuthenticationException))]
        [InlineData(393227u, "DHCP_R_INVALIDKEY", typeof(OmapiAuthenticationException))]
        [InlineData(393248u, "DHCP_R_UNKNOWNATTRIBUTE", typeof(OmapiUnknownAttributeException))]
        [InlineData(27u, "ISC_R_NOTIMPLEMENTED", typeof(OmapiNotSupportedException))]
        [InlineData(6u, "ISC_R_NOPERM", typeof(OmapiPermissionDeniedException))]
        [InlineData(393219u, "DHCP_R_INVALIDARG", typeof(OmapiInvalidArgumentException))]
        [InlineData(26u, "ISC_R_IOERROR", typeof(OmapiServerException))]
        [InlineData(12345u, "RESULT_12345", typeof(OmapiServerException))]
        public void Status_results_map_to_typed_exceptions_with_code_name_and_text(uint code, string name, Type type)
        {
            OmapiServerException ex = OmapiServerException.Create(code, "server text", "open lease 1.2.3.4");
            Assert.IsType(type, ex);
            Assert.Equal(code, ex.ResultCode);
            Assert.Equal(name, ex.ResultName);
            Assert.Equal("server text", ex.ServerMessage);
            Assert.Contains("server text", ex.Message, StringComparison.Ordinal);
            Assert.Contains(name, ex.Message, StringComparison.Ordinal);
            Assert.Contains("open lease 1.2.3.4", ex.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void A_status_without_a_result_is_unexpected()
        {
            var reply = new OmapiMessage(OmapiOpcode.Status, 0, 1, 2);
            Assert.Equal((uint)OmapiResult.Unexpected, OmapiReplies.ResultOf(reply));
            var bad = new OmapiMessage(OmapiOpcode.Status, 0, 1, 2, new OmapiValueList().Add("result", new byte[] { 0, 23 }));
            Assert.Equal((uint)OmapiResult.Unexpected, OmapiReplies.ResultOf(bad));
        }

        [Theory]
        [InlineData("00:11:22:33:44:55")]
        [InlineData("00-11-22-33-44-55")]
        [InlineData("001122334455")]
        [InlineData("0011.2233.4455")]
        [InlineData(" 00:11:22:33:44:55 ")]
        public void Mac_addresses_parse_in_every_accepted_form(string text)
        {
            Assert.Equal("00:11:22:33:44:55", HardwareAddress.Format(HardwareAddress.ParseMac(text)));
        }

        [Theory]
        [InlineData("00:11:22:33:44")]
        [InlineData("00:11:22:33:44:55:66")]
        [InlineData("0011223344zz")]
        [InlineData("00:11-22:33:44:55")]
        [InlineData("")]
        [InlineData("00112233445")]
        public void Bad_mac_addresses_say_which_forms_are_accepted(string text)
        {
            var ex = Assert.Throws<FormatException>(() => HardwareAddress.ParseMac(text));
            Assert.Contains("00:11:22:33:44:55", ex.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void Client_ids_are_hex_when_written_as_hex_and_text_otherwise()
        {
            Assert.Equal(new byte[] { 1, 0, 0x11 }, HardwareAddress.ParseClientId("01:00:11"));
            Assert.Equal(new byte[] { 1, 0, 0x11 }, HardwareAddress.ParseClientId("01-00-11"));
            Assert.Equal(new byte[] { 1, 0, 0x11 }, HardwareAddress.ParseClientId("010011"));
            Assert.Equal(new byte[] { 0xab }, HardwareAddress.ParseClientId("ab"));
            Assert.Equal(System.Text.Encoding.UTF8.GetBytes("client-15"), HardwareAddress.ParseClientId("client-15"));
            Assert.Equal(System.Text.Encoding.UTF8.GetBytes("abc"), HardwareAddress.ParseClientId("abc"));
        }

        [Fact]
        public void IPv6_is_refused_with_the_reason()
        {
            var ex = Assert.Throws<ArgumentException>(() => OmapiEncoding.FromIPv4(IPAddress.IPv6Loopback));
            Assert.Contains("IPv4-only", ex.Message, StringComparison.Ordinal);
            Assert.Equal(new byte[] { 10, 1, 2, 3 }, OmapiEncoding.FromIPv4(IPAddress.Parse("::ffff:10.1.2.3")));
        }

        [Fact]
        public void Times_are_utc_seconds_and_zero_is_unset()
        {
            Assert.Null(OmapiEncoding.ToTime(new byte[4], "ends"));
            DateTimeOffset t = OmapiEncoding.ToTime(OmapiEncoding.FromUInt32(4102444800), "ends")!.Value;
            Assert.Equal(new DateTimeOffset(2100, 1, 1, 0, 0, 0, TimeSpan.Zero), t);
            Assert.Equal(TimeSpan.Zero, t.Offset);
            Assert.Equal(OmapiEncoding.FromUInt32(4102444800), OmapiEncoding.FromTime(t));

            // The offset says which instant: 09:00 in UTC+9 is 00:00 UTC.
            Assert.Equal(OmapiEncoding.FromUInt32(4102444800), OmapiEncoding.FromTime(new DateTimeOffset(2100, 1, 1, 9, 0, 0, TimeSpan.FromHours(9))));
        }

        [Fact]
        public void A_value_of_the_wrong_size_names_the_attribute()
        {
            var ex = Assert.Throws<OmapiMalformedValueException>(() => OmapiEncoding.ToUInt32(new byte[] { 1, 2, 3 }, "state"));
            Assert.Equal("state", ex.AttributeName);
            Assert.Contains("01:02:03", ex.Message, StringComparison.Ordinal);
        }

        [Theory]
        [InlineData("HMAC-MD5", OmapiAlgorithm.HmacMd5)]
        [InlineData("hmac-sha1", OmapiAlgorithm.HmacSha1)]
        [InlineData("HMAC_SHA224", OmapiAlgorithm.HmacSha224)]
        [InlineData("hmac-sha256.SIG-ALG.REG.INT.", OmapiAlgorithm.HmacSha256)]
        [InlineData("HMAC-SHA384.SIG-ALG.REG.INT", OmapiAlgorithm.HmacSha384)]
        [InlineData("HmacSha512", OmapiAlgorithm.HmacSha512)]
        public void Algorithm_names_parse(string text, OmapiAlgorithm expected)
        {
            Assert.Equal(expected, OmapiAlgorithms.Parse(text));
            Assert.Equal(OmapiAlgorithms.DisplayName(expected).ToLowerInvariant() + ".SIG-ALG.REG.INT.", OmapiAlgorithms.WireName(expected));
        }

        [Fact]
        public void Unknown_algorithms_name_the_accepted_ones()
        {
            var ex = Assert.Throws<ArgumentException>(() => OmapiAlgorithms.Parse("hmac-sha3"));
            Assert.Contains("HMAC-SHA512", ex.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void A_key_never_shows_its_secret()
        {
            const string secret = "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I=";
            var key = OmapiKey.FromBase64("k1", OmapiAlgorithm.HmacSha256, secret);
            Assert.DoesNotContain(secret, key.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain("secret", key.ToString(), StringComparison.Ordinal);
            var ex = Assert.Throws<ArgumentException>(() => OmapiKey.FromBase64("k1", OmapiAlgorithm.HmacMd5, "not*base64!" + secret));
            Assert.DoesNotContain(secret, ex.Message, StringComparison.Ordinal);
            Assert.Null(ex.InnerException);
            foreach (System.Reflection.PropertyInfo p in typeof(OmapiKey).GetProperties())
            {
                Assert.NotEqual(typeof(byte[]), p.PropertyType);
            }
        }
    }
}
