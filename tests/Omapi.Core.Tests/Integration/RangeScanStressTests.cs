using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Threading.Tasks;
using Omapi.Core.Bulk;
using Omapi.Core.Connection;
using Omapi.Core.Objects;
using Omapi.Core.Tests.Dhcpd;
using Xunit;
using PSOmapi.Testing;

namespace Omapi.Core.Tests.Integration
{
    /// <summary>
    /// Range scans against real dhcpd 4.4.3 instances, one per key algorithm, over the crossing layout: 32 crossings between
    /// regions with no lease objects (every reply a small not-found STATUS) and dense regions of leases whose client
    /// hostnames and client identifiers grow to 255 bytes. A scan of 198.16.0.0/12 stopped after five leases aborted dhcpd
    /// in 1 of 2 runs (issue 11): the window had learned reply sizes from the not-found replies and let a dozen lease replies
    /// pile up past dhcpd's 4,047-byte output buffer. Each scan here starts from a new session, whose window has learned
    /// nothing, and runs at the highest settings the module allows.
    /// </summary>
    public class RangeScanStressTests : DhcpdTestBase
    {
        public RangeScanStressTests(DhcpdFixture fixture) : base(fixture) { }

        public static TheoryData<string> AllAlgorithms() => new(DhcpdScenario.Algorithms);

        [Theory]
        [MemberData(nameof(AllAlgorithms))]
        public async Task Scans_across_empty_and_dense_regions_never_abort_dhcpd_whatever_the_algorithm(string algorithm)
        {
            DhcpdInstance instance = Fixture.CrossingInstance(algorithm);
            Dictionary<IPAddress, SeededLease> seeded = DhcpdScenario.CrossingLeases.ToDictionary(l => l.IpAddress);
            IPAddress[] scan = AddressRange.Parse(DhcpdScenario.CrossingScanRange).Addresses().ToArray();
            int crossings = 0;
            for (int pass = 0; pass < 6; pass++)
            {
                OmapiConnectionOptions options = OptionsFor(instance);
                options.MaxConnections = 16;
                using OmapiSession session = await OmapiSession.ConnectAsync(options, TestContext.Current.CancellationToken);
                using OmapiBulkOperation<IPAddress, OmapiLease> bulk = await session.StartLeaseLookupAsync(scan, new OmapiBulkOptions { Connections = pass % 2 == 0 ? 16 : 4 }, TestContext.Current.CancellationToken);
                bool? lastFound = null;
                int count = 0;
                foreach (OmapiBulkResult<IPAddress, OmapiLease> r in bulk.Results(TestContext.Current.CancellationToken))
                {
                    bool found = seeded.TryGetValue(r.Key, out SeededLease? lease);
                    if (found)
                    {
                        Assert.True(r.Succeeded, r.Error?.ToString());
                        Assert.Equal(lease!.ClientHostname, r.Value!.ClientHostname);
                        Assert.Equal(lease.ClientIdentifierHex, r.Value.ClientId);
                    }
                    else
                    {
                        Assert.IsType<OmapiNotFoundException>(r.Error);
                    }

                    crossings += lastFound != null && lastFound != found ? 1 : 0;
                    lastFound = found;
                    count++;
                }

                Assert.Equal(scan.Length, count);
                Assert.All(session.Connections, c => Assert.Equal(0, c.Surprises));
                AssertAlive(instance);
            }

            Assert.Equal(6 * 2 * DhcpdScenario.CrossingBlocks, crossings); // into and out of each block
        }

        [Theory]
        [MemberData(nameof(AllAlgorithms))]
        public async Task Scans_stopped_after_the_first_leases_of_a_dense_region_never_abort_dhcpd(string algorithm)
        {
            // The pattern of the report: Get-OmapiLease -Range ... | Select-Object -First 5, over and over, each time with a
            // window that has seen only not-found replies when the first dense region comes.
            DhcpdInstance instance = Fixture.CrossingInstance(algorithm);
            for (int pass = 0; pass < 12; pass++)
            {
                OmapiConnectionOptions options = OptionsFor(instance);
                options.MaxConnections = 16;
                using OmapiSession session = await OmapiSession.ConnectAsync(options, TestContext.Current.CancellationToken);
                int block = pass % DhcpdScenario.CrossingBlocks;
                IEnumerable<IPAddress> scan = AddressRange.Parse("198.18." + block + ".0-198.18.15.255").Addresses();
                using (OmapiBulkOperation<IPAddress, OmapiLease> bulk = await session.StartLeaseLookupAsync(scan, new OmapiBulkOptions { Connections = 4 }, TestContext.Current.CancellationToken))
                {
                    int found = 0;
                    foreach (OmapiBulkResult<IPAddress, OmapiLease> r in bulk.Results(TestContext.Current.CancellationToken))
                    {
                        if (r.Succeeded && ++found == 5)
                        {
                            break;
                        }
                    }

                    Assert.Equal(5, found);
                }

                AssertAlive(instance);
            }
        }

        private static void AssertAlive(DhcpdInstance instance)
        {
            Assert.True(instance.IsRunning, "dhcpd aborted: " + instance.ReadLogTail());
            Assert.DoesNotContain("REQUIRE", instance.ReadLog(), StringComparison.Ordinal); // dst_api.c REQUIRE failure = the s.14 abort
        }
    }
}
