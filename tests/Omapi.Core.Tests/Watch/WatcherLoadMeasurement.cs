using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Tasks;
using Omapi.Core.Connection;
using Omapi.Core.Security;
using Omapi.Core.Tests.Dhcpd;
using Omapi.Core.Tests.Integration;
using Omapi.Core.Watch;
using PSOmapi.Testing;
using Xunit;

namespace Omapi.Core.Tests.Watch;

/// <summary>
/// MEASUREMENT, not a timing test: what watching 1,000 leases at the default interval costs dhcpd. A dhcpd of its own
/// (the fixture's ranges hold 241 addresses) serves 1,000 active leases with typical client data (MAC, 7-byte client id,
/// 11-byte hostname) on an HMAC-MD5 key; the watch polls them every 5 s. The numbers go to the test output (they are
/// quoted in about_PSOmapi_Notifications); only exact counts are asserted: one request per lease per poll, no event.
/// </summary>
[Collection(DhcpdLifecycleCollection.Name)]
public class WatcherLoadMeasurement : DhcpdTestBase
{
    private const int Leases = 1000;
    private const int OmapiPort = 7961;
    private const int DhcpPort = 10121;
    private const int MeasuredPolls = 4;
    private const string KeyName = "watch_load_key";

    // 198.18.0.0/15 (RFC 2544 benchmarking), as the benchmark uses: 198.18.0.10 + 999 = 198.18.3.241.
    private static readonly IPAddress First = IPAddress.Parse("198.18.0.10");
    private static readonly IPAddress Last = IPAddress.Parse("198.18.3.241");

    public WatcherLoadMeasurement(DhcpdFixture fixture) : base(fixture)
    {
    }

    [Fact]
    public async Task Measurement_watching_1000_leases_at_the_default_interval()
    {
        var ct = TestContext.Current.CancellationToken;
        string directory = Directory.CreateTempSubdirectory("psomapi-watch-load-").FullName;
        var dhcpd = new DhcpdProcess("watchload", directory, DhcpdScenario.OmapiHost, OmapiPort, DhcpPort);
        string secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        try
        {
            DhcpdProcess.WritePrivateFile(dhcpd.ConfigFilePath, Conf(secret));
            DhcpdProcess.WritePrivateFile(dhcpd.LeasesFilePath, LeasesFile());
            await dhcpd.StartAsync(DhcpdInstance.StartTimeout, 30, ct);

            var options = new OmapiConnectionOptions { Server = dhcpd.Host, Port = dhcpd.Port, Key = OmapiKey.FromBase64(KeyName, OmapiAlgorithm.HmacMd5, secret) };
            using var watcher = new OmapiWatcher(await OmapiSession.ConnectAsync(options, ct), new OmapiWatcherOptions { OwnsSession = true });
            Assert.Equal(OmapiWatcherOptions.DefaultInterval, watcher.Interval);
            var setup = Stopwatch.StartNew();
            var resolutions = await watcher.AddAsync(OmapiWatchTarget.ForRange(First, Last), ct);
            setup.Stop();
            Assert.All(resolutions, r => Assert.Equal(Objects.LeaseState.Active, Assert.IsType<Objects.OmapiLease>(r.Current).GetState()));
            await watcher.RequestNotificationsAsync(ct);
            var log = new ChangeRecorder(watcher);
            watcher.Start();

            await WatcherTests.WaitForPollsAsync(watcher, 1, ct);
            long polls0 = watcher.Polls;
            long requests0 = watcher.RequestsSent;
            long sent0 = watcher.BytesSent;
            long received0 = watcher.BytesReceived;
            double cpu0 = CpuSeconds(dhcpd.Pid);
            var clock = Stopwatch.StartNew();

            await WatcherTests.WaitForPollsAsync(watcher, MeasuredPolls, ct);
            double seconds = clock.Elapsed.TotalSeconds;
            long polls = watcher.Polls - polls0;
            long requests = watcher.RequestsSent - requests0;
            long sent = watcher.BytesSent - sent0;
            long received = watcher.BytesReceived - received0;
            double cpu = CpuSeconds(dhcpd.Pid) - cpu0;

            Assert.Equal(MeasuredPolls, polls);
            Assert.Equal(polls * Leases, requests);
            Assert.Empty(log.All);
            Assert.True(dhcpd.IsRunning);

            // Rates per second of the interval the polls were spread over (polls x interval), not of the wall clock
            // between two poll ends, which varies with the poll duration.
            double window = polls * watcher.Interval.TotalSeconds;
            var report = new StringBuilder();
            report.AppendLine(string.Create(CultureInfo.InvariantCulture, $"Watching {Leases} active leases (HMAC-MD5 signatures) every {watcher.Interval.TotalSeconds:0} s, measured over {polls} polls ({seconds:0.0} s):"));
            report.AppendLine(string.Create(CultureInfo.InvariantCulture, $"  requests: {requests / window:0.0}/s ({(double)requests / polls / Leases:0.00} per lease per poll)"));
            report.AppendLine(string.Create(CultureInfo.InvariantCulture, $"  bytes to dhcpd: {sent / window:0} B/s ({(double)sent / requests:0.0} B per request)"));
            report.AppendLine(string.Create(CultureInfo.InvariantCulture, $"  bytes from dhcpd: {received / window:0} B/s ({(double)received / requests:0.0} B per reply)"));
            report.AppendLine(string.Create(CultureInfo.InvariantCulture, $"  both ways: {(sent + received) / window:0} B/s = {(sent + received) / window / 1024:0.0} KiB/s"));
            report.AppendLine(string.Create(CultureInfo.InvariantCulture, $"  one poll of all {Leases} leases took {watcher.LastPollDuration!.Value.TotalMilliseconds:0} ms"));
            report.AppendLine(string.Create(CultureInfo.InvariantCulture, $"  dhcpd CPU: {cpu:0.000} s in {seconds:0.0} s = {100 * cpu / seconds:0.00} % of one core"));
            report.AppendLine(string.Create(CultureInfo.InvariantCulture, $"  registration (one lookup per lease, {Leases} handles allocated for good): {setup.ElapsedMilliseconds} ms"));
            TestContext.Current.TestOutputHelper?.WriteLine(report.ToString());
        }
        finally
        {
            await dhcpd.StopAsync();
            Directory.Delete(directory, recursive: true);
        }
    }

    private static string Conf(string secret) =>
        string.Create(CultureInfo.InvariantCulture, $$"""
        # Generated by WatcherLoadMeasurement; the secret is random per run.
        authoritative;
        ddns-update-style none;
        default-lease-time 600;
        max-lease-time 7200;
        omapi-port {{OmapiPort}};
        key {{KeyName}} { algorithm hmac-md5; secret "{{secret}}"; }
        omapi-key {{KeyName}};

        subnet {{DhcpdScenario.SubnetAddress}} netmask {{DhcpdScenario.SubnetMask}} { }
        subnet 198.18.0.0 netmask 255.254.0.0 {
          range {{First}} {{Last}};
        }

        """);

    private static string LeasesFile()
    {
        var file = new LeasesFileWriter("Seeded by WatcherLoadMeasurement.", Leases * 300);
        byte[] first = First.GetAddressBytes();
        uint start = ((uint)first[0] << 24) | ((uint)first[1] << 16) | ((uint)first[2] << 8) | first[3];
        var starts = new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var ends = new DateTime(2037, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        for (int i = 0; i < Leases; i++)
        {
            uint a = start + (uint)i;
            var address = new IPAddress(new[] { (byte)(a >> 24), (byte)(a >> 16), (byte)(a >> 8), (byte)a });
            byte[] mac = { 0x02, 0x00, 0x00, 0x57, (byte)(i >> 8), (byte)i };
            string macText = string.Join(':', mac.Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));
            file.AddLease(address, starts.AddSeconds(i), ends.AddSeconds(i), "active", macText, new byte[] { 0x01 }.Concat(mac).ToArray(), "client-" + i.ToString("0000", CultureInfo.InvariantCulture));
        }

        return file.ToString();
    }

    /// <summary>utime + stime of a process, from /proc (clock ticks of 1/100 s on Linux).</summary>
    private static double CpuSeconds(int pid)
    {
        string stat = File.ReadAllText("/proc/" + pid.ToString(CultureInfo.InvariantCulture) + "/stat");
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');

        // After the command name: field 3 (state) is fields[0], so utime (14) and stime (15) are fields[11] and fields[12].
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }
}
