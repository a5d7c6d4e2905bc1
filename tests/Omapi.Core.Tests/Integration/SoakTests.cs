using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Threading.Tasks;
using Omapi.Core.Bulk;
using Omapi.Core.Objects;
using Omapi.Core.Tests.Dhcpd;
using Xunit;
using PSOmapi.Testing;

namespace Omapi.Core.Tests.Integration
{
    /// <summary>
    /// Long runs on one session: flat memory, no leaked sockets. CI runs 200,000 lookups; set PSOMAPI_SOAK_LOOKUPS
    /// (e.g. 1000000) for the full million.
    /// </summary>
    public class SoakTests : DhcpdTestBase
    {
        public SoakTests(DhcpdFixture fixture) : base(fixture) { }

        private static int Lookups => int.TryParse(Environment.GetEnvironmentVariable("PSOMAPI_SOAK_LOOKUPS"), NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0 ? n : 200_000;

        [Fact]
        public async Task Many_lookups_on_one_session_keep_memory_flat_and_leak_no_socket()
        {
            int socketsBefore = OpenSockets();
            using (OmapiSession session = await ConnectMainAsync())
            {
                IPAddress[] range = Enumerable.Range(0, DhcpdScenario.RangeSize)
                    .Select(i => new IPAddress(new byte[] { 198, 51, 100, (byte)(10 + i) }))
                    .ToArray();
                IEnumerable<IPAddress> Input()
                {
                    for (int i = 0; i < Lookups; i++)
                    {
                        yield return range[i % range.Length];
                    }
                }

                using OmapiBulkOperation<IPAddress, OmapiLease> bulk = await session.StartLeaseLookupAsync(Input(), new OmapiBulkOptions { Connections = 4 }, TestContext.Current.CancellationToken);
                long count = 0;
                long failures = 0;
                long memoryAtQuarter = 0;
                foreach (OmapiBulkResult<IPAddress, OmapiLease> r in bulk.Results(TestContext.Current.CancellationToken))
                {
                    if (!r.Succeeded || !r.Value!.GetIPAddress().ToIPAddress().Equals(r.Key))
                    {
                        failures++;
                    }

                    if (++count == Lookups / 4)
                    {
                        memoryAtQuarter = SettledMemory();
                    }
                }

                long memoryAtEnd = SettledMemory();
                TestContext.Current.TestOutputHelper!.WriteLine(string.Format(CultureInfo.InvariantCulture, "soak: {0:N0} lookups, {1} failures, GC heap after 1/4: {2:N0} B, at the end: {3:N0} B, peak working set {5:N0} B, requests sent: {4:N0}", count, failures, memoryAtQuarter, memoryAtEnd, session.RequestsSent, System.Diagnostics.Process.GetCurrentProcess().PeakWorkingSet64));
                Assert.Equal(Lookups, count);
                Assert.Equal(0, failures);
                Assert.True(memoryAtEnd - memoryAtQuarter < 8 * 1024 * 1024, "managed memory grew from " + memoryAtQuarter + " to " + memoryAtEnd);
                Assert.Equal(4, session.Connections.Count);
            }

            // Sessions opened and closed again and again leave no socket behind.
            for (int i = 0; i < 50; i++)
            {
                using OmapiSession s = await ConnectMainAsync();
                Assert.Equal(LeaseState.Free, (await s.GetLeaseAsync(DhcpdScenario.UnseededFreeAddress, TestContext.Current.CancellationToken)).GetState());
            }

            await Task.Delay(200, TestContext.Current.CancellationToken);
            Assert.InRange(OpenSockets(), 0, socketsBefore + 2);
            AssertAllDhcpdAlive();
        }

        private static long SettledMemory()
        {
            // GC.GetTotalMemory was seen to report a negative value here on .NET 10; the heap size after a full, compacting
            // collection is what "flat memory" means.
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            long heap = GC.GetGCMemoryInfo(GCKind.FullBlocking).HeapSizeBytes;
            Assert.True(heap > 0, "the GC reported a heap size of " + heap);
            return heap;
        }

        /// <summary>Socket descriptors of this process (Linux: links in /proc/self/fd named socket:[...]).</summary>
        private static int OpenSockets()
        {
            int n = 0;
            foreach (string fd in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
            {
                try
                {
                    if (new FileInfo(fd).LinkTarget is string target && target.StartsWith("socket:", StringComparison.Ordinal))
                    {
                        n++;
                    }
                }
                catch (IOException)
                {
                }
            }

            return n;
        }
    }
}
