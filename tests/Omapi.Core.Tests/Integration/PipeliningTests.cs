using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Threading.Tasks;
using Omapi.Core.Objects;
using Omapi.Core.Tests.Dhcpd;
using Xunit;
using PSOmapi.Testing;

namespace Omapi.Core.Tests.Integration
{
    /// <summary>Many callers on one connection: replies matched by rid, the byte budget kept, dhcpd never aborted.</summary>
    public class PipeliningTests : DhcpdTestBase
    {
        public PipeliningTests(DhcpdFixture fixture) : base(fixture) { }

        [Fact]
        public async Task Thousands_of_concurrent_lookups_on_one_connection_each_get_their_own_answer()
        {
            using OmapiSession session = await ConnectMainAsync();
            var ct = TestContext.Current.CancellationToken;
            byte[] first = DhcpdScenario.RangeStart.GetAddressBytes();
            List<IPAddress> addresses = Enumerable.Range(0, DhcpdScenario.RangeSize)
                .Select(i => new IPAddress(new byte[] { first[0], first[1], first[2], (byte)(first[3] + i) }))
                .ToList();

            // Eight passes over the range, all started at once from many tasks.
            IPAddress[] requests = Enumerable.Repeat(addresses, 8).SelectMany(a => a).ToArray();
            OmapiLease[] leases = await Task.WhenAll(requests.Select(a => Task.Run(() => session.GetLeaseAsync(a, ct), ct)));

            for (int i = 0; i < requests.Length; i++)
            {
                Assert.Equal(requests[i], leases[i].GetIPAddress().ToIPAddress());
            }

            foreach (SeededLease seeded in DhcpdScenario.SeededLeases.Where(l => l.ExpectedState == 2))
            {
                Assert.All(leases.Where(l => l.IPAddress.Equals(seeded.IpAddress)), l => Assert.Equal(seeded.ClientHostname, l.ClientHostname));
            }

            Assert.Equal(requests.Length + 2, session.Connection!.RequestsSent); // + authenticator open and secret probe
            Assert.Equal(0, session.Connection.InFlight);
            AssertAllDhcpdAlive();
        }

        [Fact]
        public async Task Concurrent_mixed_operations_with_errors_fail_only_themselves()
        {
            using OmapiSession session = await ConnectMainAsync();
            var ct = TestContext.Current.CancellationToken;
            var tasks = new List<Task<string>>();
            for (int i = 0; i < 300; i++)
            {
                IPAddress ok = DhcpdScenario.SeededLeases[i % DhcpdScenario.SeededLeases.Count].IpAddress;
                tasks.Add(Outcome(session.GetLeaseAsync(ok, ct), l => l.IPAddress.ToString()));
                tasks.Add(Outcome(session.GetLeaseAsync(DhcpdScenario.AddressOutsideRange, ct), l => "unexpected"));
                tasks.Add(Outcome(session.GetHostByNameAsync("nosuchhost" + i, ct), h => "unexpected"));
            }

            string[] outcomes = await Task.WhenAll(tasks);
            for (int i = 0; i < 300; i++)
            {
                Assert.Equal(DhcpdScenario.SeededLeases[i % DhcpdScenario.SeededLeases.Count].IpAddress.ToString(), outcomes[i * 3]);
                Assert.Equal("OmapiNotFoundException", outcomes[(i * 3) + 1]);
                Assert.Equal("OmapiNotFoundException", outcomes[(i * 3) + 2]);
            }

            Assert.True(session.IsConnected);
            AssertAllDhcpdAlive();
        }

        private static async Task<string> Outcome<T>(Task<T> task, Func<T, string> describe)
        {
            try
            {
                return describe(await task);
            }
            catch (OmapiException ex)
            {
                return ex.GetType().Name;
            }
        }
    }
}
