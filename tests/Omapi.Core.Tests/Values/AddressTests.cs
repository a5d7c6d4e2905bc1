using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using Omapi.Core.Objects;
using Xunit;

namespace Omapi.Core.Tests.Values
{
    /// <summary>
    /// The IPv4 address number (a.b.c.d = a·2²⁴ + b·2¹⁶ + c·2⁸ + d) has one home, <see cref="IPv4Address"/>; these pin
    /// it, and that <see cref="AddressRange"/> (which Get-OmapiLease -Range scans) counts and lists through it.
    /// </summary>
    public class AddressTests
    {
        [Theory]
        [InlineData("0.0.0.0", 0u)]
        [InlineData("198.51.100.10", 0xC633640Au)]
        [InlineData("255.255.255.255", uint.MaxValue)]
        [InlineData("1.2.3.4", 0x01020304u)]
        public void An_address_and_its_number_convert_both_ways(string text, uint number)
        {
            IPv4Address fromIPAddress = IPv4Address.FromIPAddress(IPAddress.Parse(text));
            Assert.Equal(number, fromIPAddress.ToUInt32());
            Assert.Equal(text, new IPv4Address(number).ToString());
            Assert.Equal(IPAddress.Parse(text), new IPv4Address(number).ToIPAddress());
            Assert.Equal(IPAddress.Parse(text).GetAddressBytes(), new IPv4Address(number).GetAddressBytes());
        }

        [Fact]
        public void An_IPv4_mapped_IPv6_address_is_its_IPv4_address_and_other_IPv6_is_refused()
        {
            Assert.Equal(IPv4Address.Parse("198.51.100.10"), IPv4Address.FromIPAddress(IPAddress.Parse("198.51.100.10").MapToIPv6()));
            Assert.Throws<ArgumentException>(() => IPv4Address.FromIPAddress(IPAddress.IPv6Loopback));
        }

        [Fact]
        public void A_CIDR_range_holds_the_whole_block_in_order_network_and_broadcast_included()
        {
            AddressRange range = AddressRange.Parse("198.51.100.77/30");
            Assert.Equal(4, range.Count);
            Assert.Equal(IPAddress.Parse("198.51.100.76"), range.First);
            Assert.Equal(IPAddress.Parse("198.51.100.79"), range.Last);
            Assert.Equal(new[] { "198.51.100.76", "198.51.100.77", "198.51.100.78", "198.51.100.79" }, range.Addresses().Select(a => a.ToString()));
        }

        [Fact]
        public void A_first_last_range_crosses_octet_boundaries_and_the_top_of_the_address_space()
        {
            AddressRange range = AddressRange.Parse("10.1.1.254-10.1.2.1");
            Assert.Equal(new[] { "10.1.1.254", "10.1.1.255", "10.1.2.0", "10.1.2.1" }, range.Addresses().Select(a => a.ToString()));

            AddressRange top = AddressRange.Parse("255.255.255.254/31");
            Assert.Equal(new[] { "255.255.255.254", "255.255.255.255" }, top.Addresses().Select(a => a.ToString()));

            Assert.Equal(1L << 32, AddressRange.Parse("0.0.0.0/0").Count);
            Assert.Equal(1, AddressRange.Parse("198.51.100.5").Count);
        }

        [Fact]
        public void A_ranges_addresses_can_be_enumerated_again_and_each_enumerator_starts_from_the_first()
        {
            IEnumerable<IPAddress> addresses = AddressRange.Parse("255.255.255.253-255.255.255.255").Addresses();
            string[] expected = { "255.255.255.253", "255.255.255.254", "255.255.255.255" };
            Assert.Equal(expected, addresses.Select(a => a.ToString()));
            Assert.Equal(expected, addresses.Select(a => a.ToString()));

            using IEnumerator<IPAddress> e = addresses.GetEnumerator();
            Assert.True(e.MoveNext());
            Assert.True(e.MoveNext());
            using IEnumerator<IPAddress> other = addresses.GetEnumerator();
            Assert.True(other.MoveNext());
            Assert.Equal("255.255.255.253", other.Current.ToString());
            Assert.Equal("255.255.255.254", e.Current.ToString());
            Assert.True(e.MoveNext());
            Assert.False(e.MoveNext());
            Assert.False(e.MoveNext());
        }

        [Theory]
        [InlineData("198.51.100.0/33")]
        [InlineData("198.51.100.9-198.51.100.1")]
        [InlineData("2001:db8::/64")]
        [InlineData("198.51.100")]
        [InlineData(" ")]
        public void What_is_not_an_IPv4_range_is_a_FormatException(string text)
        {
            Assert.Throws<FormatException>(() => AddressRange.Parse(text));
        }
    }
}
