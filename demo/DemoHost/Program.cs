using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using PSOmapi.Testing;

namespace PSOmapi.Demo;

/// <summary>
/// Runs inside the private network (and PID and mount) namespace demo/run.sh made: refuses to run anywhere else (the
/// same guard as the tests and the benchmark), creates the veth v0 (198.51.100.1/24) and starts the documentation's
/// dhcpd (tests/TestLab/DocsWorld.cs: its leases, hosts, groups and classes, with fixed times so the output is the same
/// in every run) and its failover partner, with a freshly generated HMAC-SHA256 key. In this namespace's private mount
/// table, /etc/hosts and /etc/dhcp are files of this run (demo/run.sh bind-mounts them, with a marker), so
/// dhcp1.example.net and /etc/dhcp/omapi.key lead to that dhcpd as in the README. It shows demo/QuickStart.ps1 as a
/// user would see it, then stops both dhcpd by their pids and removes the veth and the temp directory. The key is
/// random per run and lives only in that 0700 temp directory and the private /etc/dhcp.
/// </summary>
internal static class Program
{
    private const string OmapiHost = "127.0.0.1";
    private const int PartnerOmapiPort = DocsWorld.OmapiPort + 1;
    private const int DhcpPort = 10067;
    private const string ServerCidr = "198.51.100.1/24";

    // The markers demo/run.sh puts in the files it bind-mounts over /etc/hosts and /etc/dhcp: without them this
    // program writes nothing there (it is not in the private mount table demo/run.sh made).
    private const string HostsMarker = "# psomapi-demo: this namespace only";
    private const string DhcpDirectoryMarker = "/etc/dhcp/.psomapi-demo";

    private static async Task<int> Main()
    {
        string repo = FindRepoRoot();
        string? refusal = NetnsSandbox.CheckEnvironment("the demo runs", "demo/run.sh", "the demo");
        if (refusal != null)
        {
            Console.Error.WriteLine("demo: " + refusal);
            return 2;
        }

        if (!File.ReadAllLines("/etc/hosts").Contains(HostsMarker) || !File.Exists(DhcpDirectoryMarker))
        {
            Console.Error.WriteLine("demo: /etc/hosts and /etc/dhcp are not this run's private copies (run the demo with demo/run.sh)");
            return 2;
        }

        // 0700 on Unix: the configs and the key file inside hold this run's random secrets.
        string dir = Directory.CreateTempSubdirectory("psomapi-demo-").FullName;
        var dhcpd = new DhcpdProcess("dhcpd", dir, OmapiHost, DocsWorld.OmapiPort, DhcpPort);
        var partner = new DhcpdProcess("partner", dir, OmapiHost, PartnerOmapiPort, DhcpPort + 2);
        int exitCode = 1;
        try
        {
            string secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
            string keyBlock = KeyBlock(secret);
            DhcpdProcess.WritePrivateFile(Path.Combine(dir, "omapi.key"), keyBlock);
            DhcpdProcess.WritePrivateFile(DocsWorld.KeyFilePath, keyBlock);
            File.AppendAllLines("/etc/hosts", DocsWorld.HostsFileLines);
            DhcpdProcess.WritePrivateFile(dhcpd.ConfigFilePath, DocsWorld.BuildConf(secret));
            DhcpdProcess.WritePrivateFile(dhcpd.LeasesFilePath, DocsWorld.BuildLeasesFile());
            string partnerSecret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
            DhcpdProcess.WritePrivateFile(partner.ConfigFilePath, DocsWorld.BuildPartnerConf(PartnerOmapiPort, DocsWorld.KeyName, DocsWorld.Algorithm, partnerSecret));
            DhcpdProcess.WritePrivateFile(partner.LeasesFilePath, DocsWorld.BuildPartnerLeasesFile());
            await NetnsSandbox.SetUpVethAsync(ServerCidr);
            await Task.WhenAll(dhcpd.StartAsync(TimeSpan.FromSeconds(20), 20), partner.StartAsync(TimeSpan.FromSeconds(20), 20));

            Console.WriteLine("demo: " + DhcpdVersion(dhcpd) + " (pid " + dhcpd.Pid.ToString(CultureInfo.InvariantCulture) + ") serves the documentation's " + DocsWorld.Subnet + "/24 inside a private");
            Console.WriteLine("      network namespace, with " + DocsWorld.Leases.Count.ToString(CultureInfo.InvariantCulture) + " leases, hosts, groups, classes and a failover partner (pid " + partner.Pid.ToString(CultureInfo.InvariantCulture) + ").");
            Console.WriteLine("      dhcp1.example.net is " + OmapiHost + " here; OMAPI port " + DocsWorld.OmapiPort.ToString(CultureInfo.InvariantCulture) + ", key '" + DocsWorld.KeyName + "' (HMAC-SHA256, new for this run)");
            Console.WriteLine("      in " + DocsWorld.KeyFilePath + ", as tsig-keygen writes it.");
            Console.WriteLine("      PowerShell: pwsh " + PwshVersion + ", the repository's pinned dotnet tool (dotnet pwsh).");
            Console.WriteLine();

            string driver = Path.Combine(repo, "demo", "Show-Demo.ps1");
            string script = Path.Combine(repo, "demo", "QuickStart.ps1");
            string modules = Path.Combine(repo, "output");
            exitCode = RunPwsh(repo, driver, script, modules, dir);
            foreach (DhcpdProcess process in new[] { dhcpd, partner })
            {
                if (!process.IsRunning)
                {
                    Console.Error.WriteLine("demo: dhcpd " + process.Name + " is no longer running. Log tail:\n" + process.ReadLogTail(20));
                    exitCode = 1;
                }
            }
        }
        catch (Exception ex)
        {
            Console.Error.WriteLine("demo: " + ex.Message);
            exitCode = 1;
        }
        finally
        {
            await Cleanup(new[] { dhcpd, partner }, dir);
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

    private static async Task Cleanup(DhcpdProcess[] processes, string dir)
    {
        var done = new System.Collections.Generic.List<string>();
        foreach (DhcpdProcess process in processes)
        {
            try
            {
                int pid = process.Pid;
                await process.StopAsync();
                if (pid != 0)
                {
                    done.Add("stopped " + process.Name + " (pid " + pid.ToString(CultureInfo.InvariantCulture) + ")");
                }
            }
            catch (Exception ex)
            {
                Console.Error.WriteLine("demo: stopping " + process.Name + ": " + ex.Message);
            }
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
        "key \"" + DocsWorld.KeyName + "\" {\n\talgorithm hmac-sha256;\n\tsecret \"" + secretBase64 + "\";\n};\n";

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
