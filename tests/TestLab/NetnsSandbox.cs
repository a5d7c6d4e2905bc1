using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading.Tasks;

namespace PSOmapi.Testing;

/// <summary>
/// The private, rootless network namespace (<c>unshare -rn</c>) that the dhcpd test fixture and the benchmark run in,
/// and the veth pair they create there for dhcpd to serve on. Shared by <c>tests/</c> and <c>bench/</c>; no test
/// framework in here.
/// </summary>
/// <remarks>
/// Safety: nothing may touch an interface unless <see cref="CheckEnvironment"/> returned null, that is unless
/// <c>PSOMAPI_NETNS=1</c> is set (by <c>tests/run-tests.sh</c> or <c>bench/run.sh</c>, inside the namespace they made)
/// <b>and</b> the process's network namespace has no interface but <c>lo</c> (and the veth this process created
/// itself). Interfaces are read from <c>/proc/self/net/dev</c>, which is per namespace; <c>/sys/class/net</c> is not,
/// unless sysfs is remounted. <see cref="SetUpVethAsync"/> checks the interfaces again before it adds anything.
/// </remarks>
public static class NetnsSandbox
{
    /// <summary>Set to 1 by <c>tests/run-tests.sh</c> and <c>bench/run.sh</c> inside the private namespace.</summary>
    public const string NetnsVariable = "PSOMAPI_NETNS";

    /// <summary>The veth end dhcpd serves on (inside the private network namespace only).</summary>
    public const string InterfaceName = "v0";

    /// <summary>The other end of the veth pair.</summary>
    public const string PeerInterfaceName = "v1";

    private static readonly string[] IpPaths = ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"];

    // True once this process created v0/v1 (and until it deletes them), so a later check in the same process accepts them.
    private static volatile bool s_vethCreatedByThisProcess;

    /// <summary>
    /// Null when dhcpd may run here (and the veth may be created); otherwise why not.
    /// </summary>
    /// <param name="whatRuns">Who is refused, with its verb: <c>dhcpd tests run</c>, <c>the benchmark runs</c>.</param>
    /// <param name="script">The script that makes the namespace: <c>tests/run-tests.sh</c>, <c>bench/run.sh</c>.</param>
    /// <param name="madeFor">Whom the namespace is made for: <c>the tests</c>, <c>the benchmark</c>.</param>
    public static string? CheckEnvironment(string whatRuns, string script, string madeFor)
    {
        if (Environment.GetEnvironmentVariable(NetnsVariable) != "1")
        {
            return $"{NetnsVariable}=1 is not set: {whatRuns} only inside the private network namespace made by {script}";
        }

        if (!OperatingSystem.IsLinux())
        {
            return "not Linux";
        }

        if (!File.Exists(DhcpdProcess.DhcpdPath))
        {
            return DhcpdProcess.DhcpdPath + " does not exist (apt-get install isc-dhcp-server)";
        }

        if (FindIp() is null)
        {
            return "ip (iproute2) not found";
        }

        return ForeignInterfacesRefusal(madeFor);
    }

    /// <summary>Interface names of the <em>current</em> network namespace (from <c>/proc/self/net/dev</c>).</summary>
    public static IReadOnlyList<string> ReadInterfaces() =>
        File.ReadAllLines("/proc/self/net/dev")
            .Skip(2)
            .Select(line => line.Split(':', 2)[0].Trim())
            .Where(name => name.Length > 0)
            .ToArray();

    /// <summary>The <c>ip</c> binary (iproute2), or null when there is none.</summary>
    public static string? FindIp() => IpPaths.FirstOrDefault(File.Exists);

    /// <summary>
    /// Brings <c>lo</c> up, creates the veth pair <see cref="InterfaceName"/>/<see cref="PeerInterfaceName"/> (unless
    /// this process already did), gives <see cref="InterfaceName"/> the address <paramref name="serverCidr"/> and brings
    /// both ends up. Call only after <see cref="CheckEnvironment"/> returned null; <see cref="RemoveVethAsync"/> undoes it.
    /// </summary>
    /// <param name="serverCidr">The server's address with its prefix length, e.g. <c>198.51.100.1/24</c>.</param>
    /// <exception cref="InvalidOperationException">The namespace has foreign interfaces, or an <c>ip</c> command failed.</exception>
    public static async Task SetUpVethAsync(string serverCidr)
    {
        ArgumentNullException.ThrowIfNull(serverCidr);
        string? refusal = ForeignInterfacesRefusal("this process");
        if (refusal is not null)
        {
            throw new InvalidOperationException(refusal);
        }

        await RunIpAsync("link", "set", "lo", "up").ConfigureAwait(false);
        if (!ReadInterfaces().Contains(InterfaceName))
        {
            await RunIpAsync("link", "add", InterfaceName, "type", "veth", "peer", "name", PeerInterfaceName).ConfigureAwait(false);
            s_vethCreatedByThisProcess = true;
        }

        await RunIpAsync("addr", "replace", serverCidr, "dev", InterfaceName).ConfigureAwait(false);
        await RunIpAsync("link", "set", InterfaceName, "up").ConfigureAwait(false);
        await RunIpAsync("link", "set", PeerInterfaceName, "up").ConfigureAwait(false);
    }

    /// <summary>
    /// Deletes the veth pair if this process created it (and has not deleted it yet); otherwise does nothing.
    /// </summary>
    /// <exception cref="InvalidOperationException"><c>ip link del</c> failed (the namespace, and the veth with it, still
    /// goes away with the process).</exception>
    public static async Task RemoveVethAsync()
    {
        if (!s_vethCreatedByThisProcess)
        {
            return;
        }

        // Deleting one end removes the pair.
        await RunIpAsync("link", "del", InterfaceName).ConfigureAwait(false);
        s_vethCreatedByThisProcess = false;
    }

    private static string? ForeignInterfacesRefusal(string madeFor)
    {
        IReadOnlyList<string> interfaces = ReadInterfaces();
        IEnumerable<string> foreign = interfaces.Where(i => i != "lo" &&
            !(s_vethCreatedByThisProcess && (i == InterfaceName || i == PeerInterfaceName)));
        if (foreign.Any())
        {
            return "refusing to touch interfaces: this network namespace has interfaces other than lo (" +
                   string.Join(", ", interfaces) + "), so it is not a private namespace made for " + madeFor;
        }

        return null;
    }

    private static async Task RunIpAsync(params string[] args)
    {
        var psi = new ProcessStartInfo(FindIp() ?? "ip")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(psi) ?? throw new InvalidOperationException("could not start ip");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"ip {string.Join(' ', args)} failed ({process.ExitCode}): {await stderr.ConfigureAwait(false)}{await stdout.ConfigureAwait(false)}");
        }
    }
}
