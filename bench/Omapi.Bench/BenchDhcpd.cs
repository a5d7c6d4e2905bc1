using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Omapi.Bench;

/// <summary>One lease written into the leases file before dhcpd starts, and what a lookup must return for it.</summary>
/// <param name="Address">The leased address.</param>
/// <param name="Mac">The <c>hardware ethernet</c> address (<c>02:00:..</c>, unique).</param>
/// <param name="Hostname">The <c>client-hostname</c> (0..63 characters), or null when not seeded.</param>
/// <param name="Uid">The <c>uid</c> bytes, or null when not seeded.</param>
internal sealed record SeedLease(IPAddress Address, string Mac, string? Hostname, byte[]? Uid);

/// <summary>
/// A dhcpd for the benchmark, modelled on the test fixture's <c>DhcpdFixture</c>/<c>DhcpdInstance</c> (those depend on
/// xunit, so they are not linked here). Safety: it refuses to do anything unless <c>PSOMAPI_NETNS=1</c> is set and the
/// process's network namespace has no interface but <c>lo</c> (read from <c>/proc/self/net/dev</c>, which is per
/// namespace). Only then does it create the veth pair <c>v0</c>/<c>v1</c>, address <c>v0</c> with 198.18.0.1/15
/// (a benchmarking range), and start dhcpd on <c>v0</c>. Everything (config with the random key, leases, pid file,
/// log) lives in a private temp directory that <see cref="DisposeAsync"/> removes, together with the veth and dhcpd.
/// </summary>
internal sealed class BenchDhcpd : IAsyncDisposable
{
    internal const string DhcpdPath = "/usr/sbin/dhcpd";
    internal const string NetnsVariable = "PSOMAPI_NETNS";
    internal const string InterfaceName = "v0";
    internal const string PeerInterfaceName = "v1";
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

    private static readonly byte[] ExpectedIntro = [0x00, 0x00, 0x00, 0x64, 0x00, 0x00, 0x00, 0x18];
    private static readonly DateTime Starts = new(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime Ends = new(2037, 6, 1, 0, 0, 0, DateTimeKind.Utc);

    private Process? _process;
    private bool _vethCreated;

    private BenchDhcpd(string directory, string secretBase64, IReadOnlyList<SeedLease> leases)
    {
        Directory = directory;
        SecretBase64 = secretBase64;
        Leases = leases;
    }

    /// <summary>The private working directory (0700).</summary>
    internal string Directory { get; }

    /// <summary>This run's random HMAC-MD5 secret; never printed, only written into <see cref="Directory"/>.</summary>
    internal string SecretBase64 { get; }

    /// <summary>The seeded leases, in address order.</summary>
    internal IReadOnlyList<SeedLease> Leases { get; }

    internal string ConfigFilePath => Path.Combine(Directory, "dhcpd.conf");

    internal string LeasesFilePath => Path.Combine(Directory, "dhcpd.leases");

    internal string PidFilePath => Path.Combine(Directory, "dhcpd.pid");

    internal string LogFilePath => Path.Combine(Directory, "dhcpd.log");

    /// <summary>dhcpd's pid (0 before start / after stop).</summary>
    internal int Pid => _process?.Id ?? 0;

    /// <summary>Null when the benchmark may set up its network and start dhcpd here; otherwise why not.</summary>
    internal static string? CheckEnvironment()
    {
        if (Environment.GetEnvironmentVariable(NetnsVariable) != "1")
        {
            return $"{NetnsVariable}=1 is not set: the benchmark runs only inside the private network namespace made by bench/run.sh";
        }

        if (!OperatingSystem.IsLinux())
        {
            return "not Linux";
        }

        if (!File.Exists(DhcpdPath))
        {
            return DhcpdPath + " does not exist (apt-get install isc-dhcp-server)";
        }

        if (FindIp() is null)
        {
            return "ip (iproute2) not found";
        }

        IReadOnlyList<string> interfaces = ReadInterfaces();
        if (interfaces.Any(i => i != "lo"))
        {
            return "refusing to touch interfaces: this network namespace has interfaces other than lo (" +
                   string.Join(", ", interfaces) + "), so it is not a private namespace made for the benchmark";
        }

        return null;
    }

    /// <summary>Sets up the veth, writes config and leases, starts dhcpd and waits for its OMAPI intro.</summary>
    internal static async Task<BenchDhcpd> StartAsync(int leaseCount, int seed)
    {
        string? refusal = CheckEnvironment();
        if (refusal is not null)
        {
            throw new InvalidOperationException(refusal);
        }

        // 0700 directory (CreateTempSubdirectory on Unix): the config inside holds this run's random secret.
        string directory = System.IO.Directory.CreateTempSubdirectory("psomapi-bench-").FullName;
        var dhcpd = new BenchDhcpd(directory, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)), GenerateLeases(leaseCount, seed));
        try
        {
            await dhcpd.SetUpNetworkAsync().ConfigureAwait(false);
            WritePrivate(dhcpd.ConfigFilePath, dhcpd.BuildConf());
            WritePrivate(dhcpd.LeasesFilePath, BuildLeasesFile(dhcpd.Leases));
            await dhcpd.StartProcessAsync().ConfigureAwait(false);
            return dhcpd;
        }
        catch
        {
            await dhcpd.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>True while dhcpd is alive, checked with <c>kill -0 pid</c>.</summary>
    internal bool IsAlive()
    {
        Process? p = _process;
        if (p is null || p.HasExited)
        {
            return false;
        }

        return RunTool("kill", "-0", p.Id.ToString(CultureInfo.InvariantCulture)) == 0;
    }

    /// <summary>The last lines of dhcpd's log.</summary>
    internal string ReadLogTail(int lines = 20)
    {
        if (!File.Exists(LogFilePath))
        {
            return string.Empty;
        }

        using var stream = new FileStream(LogFilePath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        string[] all = reader.ReadToEnd().Split('\n');
        return string.Join('\n', all.Skip(Math.Max(0, all.Length - lines)));
    }

    /// <summary>Stops dhcpd by pid (SIGTERM, then SIGKILL), removes the veth and the temp directory.</summary>
    public async ValueTask DisposeAsync()
    {
        Process? process = _process;
        _process = null;
        if (process is not null)
        {
            try
            {
                if (!process.HasExited)
                {
                    RunTool("kill", "-TERM", process.Id.ToString(CultureInfo.InvariantCulture));
                    using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(3));
                    try
                    {
                        await process.WaitForExitAsync(grace.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        process.Kill();
                        await process.WaitForExitAsync().ConfigureAwait(false);
                    }
                }
            }
            catch (Exception ex)
            {
                Console.Error.WriteLine("bench: stopping dhcpd: " + ex.Message);
            }
            finally
            {
                process.Dispose();
            }
        }

        if (_vethCreated)
        {
            _vethCreated = false;
            if (RunTool(FindIp()!, "link", "del", InterfaceName) != 0)
            {
                Console.Error.WriteLine("bench: could not delete " + InterfaceName);
            }
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

    /// <summary>Last-resort cleanup from ProcessExit: SIGKILL dhcpd if it is still running.</summary>
    internal void KillIfRunning()
    {
        try
        {
            Process? p = _process;
            if (p is not null && !p.HasExited)
            {
                p.Kill();
            }
        }
        catch (InvalidOperationException)
        {
            // already gone
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
        }

        """);

    private static string BuildLeasesFile(IReadOnlyList<SeedLease> leases)
    {
        var sb = new StringBuilder(leases.Count * 300);
        sb.Append("# Seeded by the PSOmapi benchmark (bench/Omapi.Bench).\n");
        for (int i = 0; i < leases.Count; i++)
        {
            SeedLease lease = leases[i];
            DateTime starts = Starts.AddSeconds(i);
            DateTime ends = Ends.AddSeconds(i);
            sb.Append(CultureInfo.InvariantCulture, $"lease {lease.Address} {{\n");
            sb.Append(CultureInfo.InvariantCulture, $"  starts {FormatTime(starts)};\n");
            sb.Append(CultureInfo.InvariantCulture, $"  ends {FormatTime(ends)};\n");
            sb.Append(CultureInfo.InvariantCulture, $"  tstp {FormatTime(ends)};\n");
            sb.Append(CultureInfo.InvariantCulture, $"  cltt {FormatTime(starts)};\n");
            sb.Append("  binding state active;\n");
            sb.Append("  next binding state free;\n");
            sb.Append(CultureInfo.InvariantCulture, $"  hardware ethernet {lease.Mac};\n");
            if (lease.Uid is not null)
            {
                sb.Append(CultureInfo.InvariantCulture, $"  uid {QuoteBytes(lease.Uid)};\n");
            }

            if (lease.Hostname is not null)
            {
                sb.Append(CultureInfo.InvariantCulture, $"  client-hostname {QuoteBytes(Encoding.ASCII.GetBytes(lease.Hostname))};\n");
            }

            sb.Append("}\n");
        }

        return sb.ToString();
    }

    /// <summary>dhcpd's leases-file time format: weekday (0 = Sunday), then UTC date and time.</summary>
    private static string FormatTime(DateTime utc) =>
        string.Create(CultureInfo.InvariantCulture, $"{(int)utc.DayOfWeek} {utc:yyyy'/'MM'/'dd HH':'mm':'ss}");

    /// <summary>A dhcpd string literal: printable ASCII as is, everything else (and quote, backslash) as octal escapes.</summary>
    private static string QuoteBytes(IEnumerable<byte> bytes)
    {
        var sb = new StringBuilder("\"");
        foreach (byte b in bytes)
        {
            if (b is >= 0x20 and < 0x7f && b != (byte)'"' && b != (byte)'\\')
            {
                sb.Append((char)b);
            }
            else
            {
                sb.Append('\\').Append(Convert.ToString(b, 8).PadLeft(3, '0'));
            }
        }

        return sb.Append('"').ToString();
    }

    private static uint ToUInt32(IPAddress address)
    {
        byte[] b = address.GetAddressBytes();
        return ((uint)b[0] << 24) | ((uint)b[1] << 16) | ((uint)b[2] << 8) | b[3];
    }

    private static IPAddress FromUInt32(uint value) =>
        new(new[] { (byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value });

    private static void WritePrivate(string path, string text)
    {
        using var stream = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        });
        using var writer = new StreamWriter(stream, new UTF8Encoding(false));
        writer.Write(text);
    }

    /// <summary>Interface names of the *current* network namespace.</summary>
    private static IReadOnlyList<string> ReadInterfaces() =>
        File.ReadAllLines("/proc/self/net/dev")
            .Skip(2)
            .Select(line => line.Split(':', 2)[0].Trim())
            .Where(name => name.Length > 0)
            .ToArray();

    private static string? FindIp() =>
        new[] { "/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip" }.FirstOrDefault(File.Exists);

    /// <summary>Runs a tool and returns its exit code (output discarded unless it fails).</summary>
    private static int RunTool(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using Process p = Process.Start(psi) ?? throw new InvalidOperationException("could not start " + file);
        string stderr = p.StandardError.ReadToEnd();
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0 && args.FirstOrDefault() != "-0")
        {
            Console.Error.WriteLine($"bench: {file} {string.Join(' ', args)} exited with {p.ExitCode}: {stderr.Trim()}");
        }

        return p.ExitCode;
    }

    private static void RunIp(params string[] args)
    {
        if (RunTool(FindIp()!, args) != 0)
        {
            throw new InvalidOperationException("ip " + string.Join(' ', args) + " failed");
        }
    }

    private Task SetUpNetworkAsync()
    {
        RunIp("link", "set", "lo", "up");
        RunIp("link", "add", InterfaceName, "type", "veth", "peer", "name", PeerInterfaceName);
        _vethCreated = true;
        RunIp("addr", "add", ServerCidr, "dev", InterfaceName);
        RunIp("link", "set", InterfaceName, "up");
        RunIp("link", "set", PeerInterfaceName, "up");
        return Task.CompletedTask;
    }

    private async Task StartProcessAsync()
    {
        // sh only redirects and then execs dhcpd, so the Process we track *is* dhcpd (same pid).
        var psi = new ProcessStartInfo("/bin/sh")
        {
            UseShellExecute = false,
            WorkingDirectory = Directory,
        };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("exec \"$@\" </dev/null >>\"$PSOMAPI_DHCPD_LOG\" 2>&1");
        psi.ArgumentList.Add("dhcpd");
        foreach (string arg in new[]
                 {
                     DhcpdPath, "-4", "-f", "-d",
                     "-cf", ConfigFilePath, "-lf", LeasesFilePath, "-pf", PidFilePath,
                     "-p", DhcpPort.ToString(CultureInfo.InvariantCulture),
                     InterfaceName,
                 })
        {
            psi.ArgumentList.Add(arg);
        }

        psi.Environment["PSOMAPI_DHCPD_LOG"] = LogFilePath;
        _process = Process.Start(psi) ?? throw new InvalidOperationException("could not start " + DhcpdPath);

        var clock = Stopwatch.StartNew();
        string lastError = "no attempt made";
        while (clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException(
                    $"dhcpd exited with code {_process.ExitCode} before its OMAPI port came up. Log tail:\n{ReadLogTail()}");
            }

            using var attempt = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(OmapiHost, OmapiPort, attempt.Token).ConfigureAwait(false);
                byte[] intro = new byte[8];
                await client.GetStream().ReadExactlyAsync(intro, attempt.Token).ConfigureAwait(false);
                if (intro.AsSpan().SequenceEqual(ExpectedIntro))
                {
                    return;
                }

                lastError = "unexpected intro " + Convert.ToHexString(intro);
            }
            catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException)
            {
                lastError = ex.GetType().Name + ": " + ex.Message;
            }

            await Task.Delay(100).ConfigureAwait(false);
        }

        throw new TimeoutException($"dhcpd did not send the OMAPI intro within 20 s (last error: {lastError}). Log tail:\n{ReadLogTail()}");
    }
}
