using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Tasks;
using PSOmapi.Testing;

namespace Omapi.Bench;

/// <summary>One lease written into the leases file before dhcpd starts, and what a lookup must return for it.</summary>
/// <param name="Address">The leased address.</param>
/// <param name="Mac">The <c>hardware ethernet</c> address (<c>02:00:..</c>, unique).</param>
/// <param name="Hostname">The <c>client-hostname</c> (0..63 characters), or null when not seeded.</param>
/// <param name="Uid">The <c>uid</c> bytes, or null when not seeded.</param>
internal sealed record SeedLease(IPAddress Address, string Mac, string? Hostname, byte[]? Uid);

/// <summary>
/// A dhcpd for the benchmark, built on the helpers the test fixture uses too (tests/TestLab: <see cref="NetnsSandbox"/>,
/// <see cref="DhcpdProcess"/>, <see cref="LeasesFileWriter"/>). Safety: it refuses to do anything unless
/// <c>PSOMAPI_NETNS=1</c> is set and the process's network namespace has no interface but <c>lo</c> (read from
/// <c>/proc/self/net/dev</c>, which is per namespace). Only then does it create the veth pair <c>v0</c>/<c>v1</c>,
/// address <c>v0</c> with 198.18.0.1/15 (a benchmarking range), and start dhcpd on <c>v0</c>. Everything (config with
/// the random key, leases, pid file, log) lives in a private temp directory that <see cref="DisposeAsync"/> removes,
/// together with the veth and dhcpd (which is also SIGKILLed at process exit if still running).
/// </summary>
internal sealed class BenchDhcpd : IAsyncDisposable
{
    internal const string KeyName = "bench_key";
    internal const string OmapiHost = "127.0.0.1";
    internal const int OmapiPort = 7911;
    internal const int DhcpPort = 10167;

    // 198.18.0.0/15 (RFC 2544 benchmarking); range 198.18.0.10 .. 198.18.39.255 holds 10,230 addresses.
    private const string ServerCidr = "198.18.0.1/15";
    private const string SubnetAddress = "198.18.0.0";
    private const string SubnetMask = "255.254.0.0";
    private const string RangeStart = "198.18.0.10";
    private const string RangeEnd = "198.18.39.255";

    // A second range for the /16 scan: every address of 198.19.0.0/16 but the subnet's broadcast address (198.19.255.255),
    // so dhcpd holds 65,535 (free) lease objects there and a scan of the /16 meets one address without a lease object.
    // Measured: dhcpd starts in ~0.2 s with ~32 MB resident for both ranges.
    internal const string ScanCidr16 = "198.19.0.0/16";
    internal const string ScanCidr20 = "198.19.0.0/20";
    private const string ScanRangeStart = "198.19.0.0";
    private const string ScanRangeEnd = "198.19.255.254";

    // The name of the files in the temp directory (bench.conf, bench.leases, bench.pid, bench.log) and of dhcpd in messages.
    private const string InstanceName = "bench";
    private const int DefaultLogTailLines = 20;

    private static readonly TimeSpan IntroTimeout = TimeSpan.FromSeconds(20);
    private static readonly DateTime Starts = new(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime Ends = new(2037, 6, 1, 0, 0, 0, DateTimeKind.Utc);

    private readonly DhcpdProcess _process;

    private BenchDhcpd(string directory, string secretBase64, IReadOnlyList<SeedLease> leases)
    {
        Directory = directory;
        SecretBase64 = secretBase64;
        Leases = leases;
        _process = new DhcpdProcess(InstanceName, directory, OmapiHost, OmapiPort, DhcpPort);
    }

    /// <summary>The private working directory (0700).</summary>
    internal string Directory { get; }

    /// <summary>This run's random HMAC-MD5 secret; never printed, only written into <see cref="Directory"/>.</summary>
    internal string SecretBase64 { get; }

    /// <summary>The seeded leases, in address order.</summary>
    internal IReadOnlyList<SeedLease> Leases { get; }

    /// <summary>The seeded (active) leases as a range for <c>Get-OmapiLease -Range</c>: "first-last".</summary>
    internal string SeededRange => Leases[0].Address + "-" + Leases[^1].Address;

    /// <summary>How many addresses of <see cref="ScanCidr16"/> have a lease object (all but the broadcast address).</summary>
    internal const int ScanLeaseObjects16 = 65_535;

    /// <summary>dhcpd's pid (0 before start / after stop).</summary>
    internal int Pid => _process.Pid;

    /// <summary>Null when the benchmark may set up its network and start dhcpd here; otherwise why not.</summary>
    internal static string? CheckEnvironment() =>
        NetnsSandbox.CheckEnvironment("the benchmark runs", "bench/run.sh", "the benchmark");

    /// <summary>Sets up the veth, writes config and leases, starts dhcpd and waits for its OMAPI intro.</summary>
    internal static async Task<BenchDhcpd> StartAsync(int leaseCount, int seed)
    {
        string? refusal = CheckEnvironment();
        if (refusal is not null)
        {
            throw new InvalidOperationException(refusal);
        }

        IReadOnlyList<SeedLease> leases = GenerateLeases(leaseCount, seed);

        // 0700 directory (CreateTempSubdirectory on Unix): the config inside holds this run's random secret.
        string directory = System.IO.Directory.CreateTempSubdirectory("psomapi-bench-").FullName;
        var dhcpd = new BenchDhcpd(directory, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)), leases);
        try
        {
            await NetnsSandbox.SetUpVethAsync(ServerCidr).ConfigureAwait(false);
            DhcpdProcess.WritePrivateFile(dhcpd._process.ConfigFilePath, dhcpd.BuildConf());
            DhcpdProcess.WritePrivateFile(dhcpd._process.LeasesFilePath, BuildLeasesFile(dhcpd.Leases));
            await dhcpd._process.StartAsync(IntroTimeout, DefaultLogTailLines).ConfigureAwait(false);
            return dhcpd;
        }
        catch
        {
            await dhcpd.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>True while dhcpd is alive, checked with <c>kill -0 pid</c> too.</summary>
    internal bool IsAlive() => _process.IsRunningAndSignalable();

    /// <summary>dhcpd's whole log.</summary>
    internal string ReadLog() => _process.ReadLog();

    /// <summary>The last lines of dhcpd's log.</summary>
    internal string ReadLogTail(int lines = DefaultLogTailLines) => _process.ReadLogTail(lines);

    /// <summary>Stops dhcpd by pid (SIGTERM, then SIGKILL), removes the veth and the temp directory.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await _process.StopAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Console.Error.WriteLine("bench: stopping dhcpd: " + ex.Message);
        }

        try
        {
            // Deletes the veth only if this process created it.
            await NetnsSandbox.RemoveVethAsync().ConfigureAwait(false);
        }
        catch (InvalidOperationException ex)
        {
            Console.Error.WriteLine("bench: could not delete " + NetnsSandbox.InterfaceName + ": " + ex.Message);
        }

        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (Exception ex)
        {
            Console.Error.WriteLine("bench: removing " + Directory + ": " + ex.Message);
        }
    }

    private static IReadOnlyList<SeedLease> GenerateLeases(int count, int seed)
    {
        const string HostChars = "abcdefghijklmnopqrstuvwxyz0123456789-";
        var rng = new Random(seed);
        uint first = ToUInt32(IPAddress.Parse(RangeStart));
        uint last = ToUInt32(IPAddress.Parse(RangeEnd));
        if (count > last - first + 1)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, "more leases than addresses in the range");
        }

        var leases = new SeedLease[count];
        for (int i = 0; i < count; i++)
        {
            IPAddress address = FromUInt32(first + (uint)i);
            string mac = string.Create(CultureInfo.InvariantCulture, $"02:00:{(i >> 24) & 0xff:x2}:{(i >> 16) & 0xff:x2}:{(i >> 8) & 0xff:x2}:{i & 0xff:x2}");
            string? hostname = null;
            if (rng.Next(2) == 0)
            {
                int length = rng.Next(0, 64);
                var sb = new StringBuilder(length);
                for (int c = 0; c < length; c++)
                {
                    sb.Append(HostChars[rng.Next(HostChars.Length)]);
                }

                hostname = sb.ToString();
            }

            byte[]? uid = null;
            int uidKind = rng.Next(4);
            if (uidKind == 0)
            {
                // The common form: type 1 (Ethernet) + the MAC.
                uid = new byte[7];
                uid[0] = 1;
                uid[1] = 2;
                uid[3] = (byte)(i >> 24);
                uid[4] = (byte)(i >> 16);
                uid[5] = (byte)(i >> 8);
                uid[6] = (byte)i;
            }
            else if (uidKind == 1 && rng.Next(2) == 0)
            {
                // Some longer opaque identifiers (e.g. DUID-based), 8..32 bytes.
                uid = new byte[rng.Next(8, 33)];
                rng.NextBytes(uid);
                uid[0] = 0xff;
            }

            leases[i] = new SeedLease(address, mac, hostname, uid);
        }

        return leases;
    }

    private string BuildConf() =>
        string.Create(CultureInfo.InvariantCulture, $$"""
        # Generated by the PSOmapi benchmark (bench/Omapi.Bench); the secret is random per run.
        authoritative;
        ddns-update-style none;
        default-lease-time 600;
        max-lease-time 7200;
        omapi-port {{OmapiPort}};
        key {{KeyName}} { algorithm hmac-md5; secret "{{SecretBase64}}"; }
        omapi-key {{KeyName}};

        subnet {{SubnetAddress}} netmask {{SubnetMask}} {
          range {{RangeStart}} {{RangeEnd}};
          range {{ScanRangeStart}} {{ScanRangeEnd}};
        }

        """);

    private static string BuildLeasesFile(IReadOnlyList<SeedLease> leases)
    {
        var file = new LeasesFileWriter("Seeded by the PSOmapi benchmark (bench/Omapi.Bench).", leases.Count * 300);
        for (int i = 0; i < leases.Count; i++)
        {
            SeedLease lease = leases[i];
            file.AddLease(lease.Address, Starts.AddSeconds(i), Ends.AddSeconds(i), "active", lease.Mac, lease.Uid, lease.Hostname);
        }

        return file.ToString();
    }

    private static uint ToUInt32(IPAddress address)
    {
        byte[] b = address.GetAddressBytes();
        return ((uint)b[0] << 24) | ((uint)b[1] << 16) | ((uint)b[2] << 8) | b[3];
    }

    private static IPAddress FromUInt32(uint value) =>
        new(new[] { (byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value });
}
