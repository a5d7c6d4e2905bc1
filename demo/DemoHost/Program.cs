using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Net;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using PSOmapi.Testing;

namespace PSOmapi.Demo;

/// <summary>
/// Runs inside the private network (and PID) namespace demo/run.sh made: refuses to run anywhere else (the same guard
/// as the tests and the benchmark), creates the veth v0 (198.51.100.1/24), writes a dhcpd.conf that includes a freshly
/// generated sample key file (tsig-keygen syntax, HMAC-SHA256) and a leases file with a handful of sample leases,
/// starts dhcpd, shows demo/QuickStart.ps1 as a user would see it, and then stops dhcpd by its pid and removes the
/// veth and the temp directory. The key is random per run and lives only in that 0700 temp directory.
/// </summary>
internal static class Program
{
    private const string KeyName = "omapi_key";
    private const string OmapiHost = "127.0.0.1";
    private const int OmapiPort = 7911;
    private const int DhcpPort = 10067;
    private const string ServerCidr = "198.51.100.1/24";
    private const string Subnet = "198.51.100.0";
    private const string Netmask = "255.255.255.0";
    private const string RangeStart = "198.51.100.10";
    private const string RangeEnd = "198.51.100.250";

    private static async Task<int> Main()
    {
        string repo = FindRepoRoot();
        string? refusal = NetnsSandbox.CheckEnvironment("the demo runs", "demo/run.sh", "the demo");
        if (refusal != null)
        {
            Console.Error.WriteLine("demo: " + refusal);
            return 2;
        }

        // 0700 on Unix: the dhcpd.conf and the key file inside hold this run's random secret.
        string dir = Directory.CreateTempSubdirectory("psomapi-demo-").FullName;
        var dhcpd = new DhcpdProcess("dhcpd", dir, OmapiHost, OmapiPort, DhcpPort);
        int exitCode = 1;
        int pid = 0;
        try
        {
            string keyFile = Path.Combine(dir, "omapi.key");
            DhcpdProcess.WritePrivateFile(keyFile, KeyBlock(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))));
            DhcpdProcess.WritePrivateFile(dhcpd.ConfigFilePath, Config(keyFile));
            int leases = WriteLeases(dhcpd.LeasesFilePath);
            await NetnsSandbox.SetUpVethAsync(ServerCidr);
            await dhcpd.StartAsync(TimeSpan.FromSeconds(20), 20);
            pid = dhcpd.Pid;

            Console.WriteLine("demo: " + DhcpdVersion(dhcpd) + " (pid " + pid.ToString(CultureInfo.InvariantCulture) + ") serves " + Subnet + "/24 on v0 inside a private network namespace,");
            Console.WriteLine("      with " + leases.ToString(CultureInfo.InvariantCulture) + " sample leases; OMAPI on " + OmapiHost + ":" + OmapiPort.ToString(CultureInfo.InvariantCulture) + " with key '" + KeyName + "' (HMAC-SHA256).");
            Console.WriteLine("      The current directory holds omapi.key, the key block dhcpd.conf includes (as tsig-keygen writes it).");
            Console.WriteLine("      PowerShell: pwsh " + PwshVersion + ", the repository's pinned dotnet tool (dotnet pwsh).");
            Console.WriteLine();

            string driver = Path.Combine(repo, "demo", "Show-Demo.ps1");
            string script = Path.Combine(repo, "demo", "QuickStart.ps1");
            string modules = Path.Combine(repo, "output");
            exitCode = RunPwsh(repo, driver, script, modules, dir);
            if (!dhcpd.IsRunning)
            {
                Console.Error.WriteLine("demo: dhcpd is no longer running. Log tail:\n" + dhcpd.ReadLogTail(20));
                exitCode = 1;
            }
        }
        catch (Exception ex)
        {
            Console.Error.WriteLine("demo: " + ex.Message);
            exitCode = 1;
        }
        finally
        {
            await Cleanup(dhcpd, dir, pid);
        }

        return exitCode;
    }

    /// <summary>
    /// Runs the quick start with the repository's pinned pwsh (<c>dotnet pwsh</c>, .config/dotnet-tools.json) in the
    /// temp directory. Its output is copied line by line with runs of blank lines written as one.
    /// </summary>
    private static int RunPwsh(string repo, string driver, string script, string modules, string workingDirectory)
    {
        // dotnet finds the local tool from its own working directory (the repository); pwsh then starts in the demo's.
        var psi = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            WorkingDirectory = repo,
            RedirectStandardOutput = true,
        };
        foreach (string arg in new[] { "pwsh", "-NoLogo", "-NoProfile", "-NonInteractive", "-WorkingDirectory", workingDirectory, "-File", driver, "-Path", script })
        {
            psi.ArgumentList.Add(arg);
        }

        psi.Environment["PSModulePath"] = modules + Path.PathSeparator + Environment.GetEnvironmentVariable("PSModulePath");
        using Process process = Process.Start(psi) ?? throw new InvalidOperationException("could not start dotnet pwsh");
        bool previousBlank = true;
        while (process.StandardOutput.ReadLine() is string line)
        {
            bool blank = line.Trim().Length == 0;
            if (!(blank && previousBlank))
            {
                Console.WriteLine(line.TrimEnd());
            }

            previousBlank = blank;
        }

        process.WaitForExit();
        return process.ExitCode;
    }

    private static async Task Cleanup(DhcpdProcess dhcpd, string dir, int pid)
    {
        var done = new System.Collections.Generic.List<string>();
        try
        {
            await dhcpd.StopAsync();
            if (pid != 0)
            {
                done.Add("stopped dhcpd (pid " + pid.ToString(CultureInfo.InvariantCulture) + ")");
            }
        }
        catch (Exception ex)
        {
            Console.Error.WriteLine("demo: stopping dhcpd: " + ex.Message);
        }

        try
        {
            // Deletes the veth only if this process created it.
            await NetnsSandbox.RemoveVethAsync();
            done.Add("removed " + NetnsSandbox.InterfaceName);
        }
        catch (Exception ex)
        {
            Console.Error.WriteLine("demo: removing " + NetnsSandbox.InterfaceName + ": " + ex.Message);
        }

        try
        {
            Directory.Delete(dir, recursive: true);
            done.Add("deleted " + dir);
        }
        catch (Exception ex)
        {
            Console.Error.WriteLine("demo: removing " + dir + ": " + ex.Message);
        }

        Console.WriteLine("demo: " + string.Join(", ", done) + ".");
    }

    /// <summary>A key block as <c>tsig-keygen -a hmac-sha256 omapi_key</c> writes it.</summary>
    private static string KeyBlock(string secretBase64) =>
        "key \"" + KeyName + "\" {\n\talgorithm hmac-sha256;\n\tsecret \"" + secretBase64 + "\";\n};\n";

    private static string Config(string keyFile) => string.Create(CultureInfo.InvariantCulture, $$"""
        # PSOmapi demo (demo/run.sh): a throwaway dhcpd inside a private network namespace.
        authoritative;
        ddns-update-style none;
        default-lease-time 600;
        max-lease-time 7200;
        omapi-port {{OmapiPort}};
        include "{{keyFile}}";
        omapi-key {{KeyName}};

        subnet {{Subnet}} netmask {{Netmask}} {
          range {{RangeStart}} {{RangeEnd}};
        }

        """);

    /// <summary>A handful of leases in the states a DHCP administrator meets every day.</summary>
    private static int WriteLeases(string path)
    {
        DateTime now = DateTime.UtcNow;
        DateTime starts = new(now.Year, now.Month, now.Day, now.Hour, 0, 0, DateTimeKind.Utc);
        DateTime ends = starts.AddDays(7);
        var file = new LeasesFileWriter("Sample leases of the PSOmapi demo (demo/run.sh).");
        var samples = new (int Host, string State, string? Mac, string? Hostname, DateTime Ends)[]
        {
            (10, "active", "00:16:3e:5a:01:10", "alpha-laptop", ends),
            (11, "active", "00:16:3e:5a:01:11", "bravo-phone", ends.AddHours(2)),
            (12, "active", "00:16:3e:5a:01:12", "charlie-printer", ends.AddHours(4)),
            (13, "expired", "00:16:3e:5a:01:13", "delta-tablet", starts.AddHours(-1)),
            (14, "abandoned", null, null, starts.AddDays(1)),
            (15, "active", "00:16:3e:5a:01:15", "echo-tv", ends.AddHours(6)),
        };
        foreach (var lease in samples)
        {
            byte[]? uid = lease.Host == 10 ? [1, 0x00, 0x16, 0x3e, 0x5a, 0x01, 0x10] : null;
            file.AddLease(IPAddress.Parse("198.51.100." + lease.Host.ToString(CultureInfo.InvariantCulture)), lease.State == "expired" ? starts.AddHours(-9) : starts, lease.Ends, lease.State, lease.Mac, uid, lease.Hostname);
        }

        DhcpdProcess.WritePrivateFile(path, file.ToString());
        return samples.Length;
    }

    private static string DhcpdVersion(DhcpdProcess dhcpd)
    {
        Match m = Regex.Match(dhcpd.ReadLog(), @"DHCP Server (\S+)");
        return m.Success ? "ISC dhcpd " + m.Groups[1].Value : "ISC dhcpd";
    }

    /// <summary>The pinned pwsh version, from .config/dotnet-tools.json.</summary>
    private static string PwshVersion
    {
        get
        {
            string manifest = File.ReadAllText(Path.Combine(FindRepoRoot(), ".config", "dotnet-tools.json"));
            Match m = Regex.Match(manifest, "\"powershell\"\\s*:\\s*\\{\\s*\"version\"\\s*:\\s*\"([^\"]+)\"");
            return m.Success ? m.Groups[1].Value : "?";
        }
    }

    private static string FindRepoRoot()
    {
        string? dir = AppContext.BaseDirectory;
        while (dir != null && !File.Exists(Path.Combine(dir, "PSOmapi.slnx")))
        {
            dir = Path.GetDirectoryName(dir);
        }

        return dir ?? throw new InvalidOperationException("Cannot find the repository root (PSOmapi.slnx) above " + AppContext.BaseDirectory);
    }
}
