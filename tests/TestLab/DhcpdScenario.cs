using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Text;

namespace PSOmapi.Testing;

/// <summary>
/// A lease written into the main dhcpd instance's leases file before it starts, together with what dhcpd
/// actually reports for it over OMAPI (checked with omshell against dhcpd 4.4.3-P1).
/// </summary>
/// <param name="IpAddress">The lease's address (inside <see cref="DhcpdScenario.RangeStart"/>..<see cref="DhcpdScenario.RangeEnd"/>).</param>
/// <param name="SeededBindingState">The <c>binding state</c> written to the leases file (<c>free</c>, <c>active</c>, ...).</param>
/// <param name="ExpectedState">
/// The OMAPI <c>state</c> dhcpd reports (1 free, 2 active, 3 expired, 4 released, 5 abandoned, 6 reset, 7 backup).
/// It differs from the seeded state where dhcpd rewrites it at start: <c>backup</c> becomes free (1) without failover.
/// </param>
/// <param name="HardwareAddress">The <c>hardware ethernet</c> address, formatted <c>00:11:22:33:44:55</c>, or null.</param>
/// <param name="ClientIdentifier">The <c>uid</c> (dhcp-client-identifier) bytes, or null.</param>
/// <param name="ClientHostname">The <c>client-hostname</c>, or null.</param>
/// <param name="StartsUtc">The <c>starts</c> time; dhcpd reports it unchanged.</param>
/// <param name="EndsUtc">
/// The <c>ends</c> time as dhcpd reports it. For <see cref="EndsNever"/> dhcpd sends 0x7FFFFFFF,
/// which is 2038-01-19T03:14:07Z.
/// </param>
/// <param name="EndsNever">True when the leases file says <c>ends never;</c>.</param>
public sealed record SeededLease(
    IPAddress IpAddress,
    string SeededBindingState,
    int ExpectedState,
    string? HardwareAddress,
    IReadOnlyList<byte>? ClientIdentifier,
    string? ClientHostname,
    DateTime StartsUtc,
    DateTime EndsUtc,
    bool EndsNever)
{
    /// <summary>The <c>cltt</c> time seeded (and reported): the same as <see cref="StartsUtc"/>.</summary>
    public DateTime ClttUtc => StartsUtc;

    /// <summary>The <c>tstp</c> time seeded (and reported): the same as <see cref="EndsUtc"/>.</summary>
    public DateTime TstpUtc => EndsUtc;

    /// <summary>The client identifier as colon-separated hex (<c>01:00:11:...</c>), or null.</summary>
    public string? ClientIdentifierHex => ClientIdentifier is null ? null : DhcpdScenario.ToColonHex(ClientIdentifier);

    /// <inheritdoc/>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{IpAddress} seeded {SeededBindingState}, reported state {ExpectedState}");
}

/// <summary>A <c>host</c> declared in the main instance's <c>dhcpd.conf</c>.</summary>
/// <param name="Name">The host name (the OMAPI <c>name</c>).</param>
/// <param name="HardwareAddress"><c>hardware ethernet</c>, formatted <c>00:11:22:33:44:55</c>, or null.</param>
/// <param name="FixedAddress"><c>fixed-address</c>, or null.</param>
/// <param name="ClientIdentifier"><c>option dhcp-client-identifier</c> bytes, or null.</param>
/// <param name="GroupName">The named group the host is declared in, or null.</param>
public sealed record ConfHost(
    string Name,
    string? HardwareAddress,
    IPAddress? FixedAddress,
    IReadOnlyList<byte>? ClientIdentifier,
    string? GroupName)
{
    /// <inheritdoc/>
    public override string ToString() => "host " + Name;
}

/// <summary>The <c>failover peer</c> declared by the failover instance, as configured.</summary>
public sealed record FailoverPeerConfig(
    string Name,
    bool IsPrimary,
    IPAddress LocalAddress,
    int LocalPort,
    IPAddress PeerAddress,
    int PeerPort,
    int MaxResponseDelay,
    int MaxUnackedUpdates,
    int Mclt,
    int Split,
    int LoadBalanceMaxSeconds);

/// <summary>
/// Everything the dhcpd fixture configures, as data, so tests need no magic numbers. The same data generates the
/// <c>dhcpd.conf</c> and leases files, so description and configuration cannot drift apart.
/// Usable without dhcpd (it is pure data).
/// </summary>
public static class DhcpdScenario
{
    /// <summary>The veth end dhcpd serves on (inside the private network namespace only).</summary>
    public const string InterfaceName = NetnsSandbox.InterfaceName;

    /// <summary>The other end of the veth pair.</summary>
    public const string PeerInterfaceName = NetnsSandbox.PeerInterfaceName;

    /// <summary>The address clients use to reach every instance's OMAPI port (inside the namespace).</summary>
    public const string OmapiHost = "127.0.0.1";

    /// <summary>Address of <see cref="InterfaceName"/>.</summary>
    public static readonly IPAddress ServerAddress = IPAddress.Parse("198.51.100.1");

    /// <summary>The one subnet every instance declares.</summary>
    public static readonly IPAddress SubnetAddress = IPAddress.Parse("198.51.100.0");

    /// <summary>The subnet's prefix length.</summary>
    public const int SubnetPrefixLength = 24;

    /// <summary>The subnet's netmask.</summary>
    public static readonly IPAddress SubnetMask = IPAddress.Parse("255.255.255.0");

    /// <summary>First address of the dynamic range (every instance).</summary>
    public static readonly IPAddress RangeStart = IPAddress.Parse("198.51.100.10");

    /// <summary>Last address of the dynamic range (every instance).</summary>
    public static readonly IPAddress RangeEnd = IPAddress.Parse("198.51.100.250");

    /// <summary>Number of addresses in the range (each is a lease object dhcpd can open).</summary>
    public const int RangeSize = 241;

    /// <summary>An address in the range that no lease was seeded for: dhcpd reports it free (state 1).</summary>
    public static readonly IPAddress UnseededFreeAddress = IPAddress.Parse("198.51.100.100");

    /// <summary>An address in the subnet but outside the range: no lease object exists (lookup → not found).</summary>
    public static readonly IPAddress AddressOutsideRange = IPAddress.Parse("198.51.100.251");

    /// <summary>Name of the main instance's OMAPI key.</summary>
    public const string MainKeyName = "omapi_key";

    /// <summary>A key defined in the main instance's <c>dhcpd.conf</c> that is not its <c>omapi-key</c>:
    /// opening it gets "can't select authenticator".</summary>
    public const string OtherKeyName = "other_key";

    /// <summary>Algorithm of <see cref="OtherKeyName"/>.</summary>
    public const string OtherKeyAlgorithm = "HMAC-MD5";

    /// <summary>The named group declared in the main instance's <c>dhcpd.conf</c>.</summary>
    public const string GroupName = "grp1";

    /// <summary>The <c>option domain-name</c> statement inside <see cref="GroupName"/>.</summary>
    public const string GroupDomainName = "grp1.example";

    /// <summary>The class declared in the main instance's <c>dhcpd.conf</c> (<c>match hardware;</c>).</summary>
    public const string ClassName = "cls1";

    /// <summary>The subclass of <see cref="ClassName"/>: its hashstring (hardware type 1 + MAC).</summary>
    public static readonly IReadOnlyList<byte> SubclassHashString = new byte[] { 0x01, 0x00, 0x11, 0x22, 0x33, 0x44, 0x77 };

    /// <summary>Lines in the main instance's log naming how many leases it wrote back at start
    /// (dhcpd 4.4 rewrites the leases file at start and logs this; it never logs a "read" count).</summary>
    public static string ExpectedLeasesWrittenLogLine => string.Create(CultureInfo.InvariantCulture, $"Wrote {ExpectedLeasesWrittenAtStart} leases to leases file.");

    /// <summary>
    /// How many leases dhcpd writes back at start: every seeded lease. (dhcpd does not write a free lease that has
    /// neither hardware address nor uid; the seeded backup lease, which dhcpd turns into a free one, therefore has a
    /// hardware address, so that it and its times survive a restart.)
    /// </summary>
    public static int ExpectedLeasesWrittenAtStart => SeededLeases.Count;

    private static readonly DateTime BaseStarts = new(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime BaseActiveEnds = new(2037, 12, 31, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>What dhcpd reports as <c>ends</c> for <c>ends never;</c>.</summary>
    public static readonly DateTime NeverUtc = DateTime.UnixEpoch.AddSeconds(int.MaxValue);

    /// <summary>Every lease seeded into the main instance, in file order.</summary>
    public static IReadOnlyList<SeededLease> SeededLeases { get; } = BuildSeededLeases();

    /// <summary>Seeded leases dhcpd reports as active (state 2).</summary>
    public static IReadOnlyList<SeededLease> ActiveLeases { get; } = SeededLeases.Where(l => l.ExpectedState == 2).ToArray();

    /// <summary>The hosts declared in the main instance's <c>dhcpd.conf</c>.</summary>
    public static IReadOnlyList<ConfHost> ConfHosts { get; } = new[]
    {
        new ConfHost("grouphost", "00:11:22:33:44:01", null, null, GroupName),
        new ConfHost("fixedhost", "00:11:22:33:44:02", IPAddress.Parse("198.51.100.5"), null, null),
        new ConfHost("uidhost", null, null, new byte[] { 0x01, 0x00, 0x11, 0x22, 0x33, 0x44, 0x03 }, null),
        new ConfHost("leasehost", "00:11:22:33:44:58", null, null, null),
    };

    /// <summary>
    /// A conf host that a test deletes over OMAPI (dhcpd allows deleting hosts declared in dhcpd.conf). Kept out of
    /// <see cref="ConfHosts"/>, whose members every run may expect to exist.
    /// </summary>
    public static ConfHost DeletableConfHost { get; } = new("doomedhost", "00:11:22:33:44:05", null, null, null);

    /// <summary>The MAC two seeded active leases share (a lookup by it matches several leases).</summary>
    public const string SharedLeaseMac = "00:11:22:33:44:70";

    /// <summary>The conf host declared inside the named group <see cref="GroupName"/>.</summary>
    public static ConfHost GroupHost => ConfHosts[0];

    /// <summary>The conf host with <c>hardware ethernet</c> and a <c>fixed-address</c> outside the range.</summary>
    public static ConfHost FixedAddressHost => ConfHosts[1];

    /// <summary>The conf host matched only by <c>option dhcp-client-identifier</c>.</summary>
    public static ConfHost ClientIdentifierHost => ConfHosts[2];

    /// <summary>The conf host whose MAC is the MAC of the seeded active lease <see cref="LeaseOfLeaseHost"/>.</summary>
    public static ConfHost LeaseHost => ConfHosts[3];

    /// <summary>The seeded active lease with the MAC of <see cref="LeaseHost"/>
    /// (so an OMAPI host lookup by that lease's <c>ip-address</c> finds <see cref="LeaseHost"/>).</summary>
    public static SeededLease LeaseOfLeaseHost => SeededLeases.Single(l => l.HardwareAddress == LeaseHost.HardwareAddress);

    /// <summary>The failover instance's peer declaration.</summary>
    public static FailoverPeerConfig FailoverPeer { get; } = new(
        Name: "fo",
        IsPrimary: true,
        LocalAddress: ServerAddress,
        LocalPort: 647,
        PeerAddress: IPAddress.Parse("198.51.100.2"),
        PeerPort: 847,
        MaxResponseDelay: 60,
        MaxUnackedUpdates: 10,
        Mclt: 3600,
        Split: 128,
        LoadBalanceMaxSeconds: 3);

    /// <summary>
    /// Algorithm names used by the fixture (<c>HMAC-MD5</c> ... <c>HMAC-SHA512</c>), the order of
    /// <see cref="DhcpdLab.ByAlgorithm"/>.
    /// </summary>
    public static IReadOnlyList<string> Algorithms { get; } = new[]
    {
        "HMAC-MD5", "HMAC-SHA1", "HMAC-SHA224", "HMAC-SHA256", "HMAC-SHA384", "HMAC-SHA512",
    };

    /// <summary>Formats bytes as <c>01:00:11</c> (lowercase hex, as omshell prints them).</summary>
    public static string ToColonHex(IEnumerable<byte> bytes) =>
        string.Join(':', bytes.Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));

    private static SeededLease[] BuildSeededLeases()
    {
        var leases = new List<SeededLease>();
        int index = 0;

        void Add(string ip, string state, int expected, string? mac, byte[]? uid, string? hostname, bool activeEnds = false, bool never = false)
        {
            DateTime starts = BaseStarts.AddHours(index);
            DateTime ends = never ? NeverUtc : activeEnds ? BaseActiveEnds.AddMinutes(index) : starts.AddHours(1);
            leases.Add(new SeededLease(IPAddress.Parse(ip), state, expected, mac, uid, hostname, starts, ends, never));
            index++;
        }

        Add("198.51.100.10", "free", 1, "00:11:22:33:44:50", null, null);
        Add("198.51.100.11", "active", 2, "00:11:22:33:44:55", new byte[] { 0x01, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55 }, "alpha", activeEnds: true);
        Add("198.51.100.12", "active", 2, "00:11:22:33:44:56", null, "bravo", activeEnds: true);
        Add("198.51.100.13", "active", 2, "00:11:22:33:44:57", new byte[] { 0x01, 0x00, 0x11, 0x22, 0x33, 0x44, 0x57 }, null, activeEnds: true);
        Add("198.51.100.14", "active", 2, "00:11:22:33:44:58", null, null, activeEnds: true);
        Add("198.51.100.15", "active", 2, "00:11:22:33:44:59", Encoding.ASCII.GetBytes("client-15"), "charlie", activeEnds: true);
        Add("198.51.100.16", "active", 2, "00:11:22:33:44:5a", null, "delta", never: true);
        Add("198.51.100.20", "expired", 3, "00:11:22:33:44:60", null, null);
        Add("198.51.100.21", "released", 4, "00:11:22:33:44:61", null, null);
        Add("198.51.100.22", "abandoned", 5, "00:11:22:33:44:62", null, null);
        Add("198.51.100.23", "reset", 6, null, null, null);
        // Without failover dhcpd turns a backup lease into a free one at start (observed on 4.4.3-P1). Without the
        // hardware address dhcpd would not write it back, and after a restart it would be a blank free lease.
        Add("198.51.100.24", "backup", 1, "00:11:22:33:44:64", null, null);
        // Two active leases for one client MAC: a lease lookup by that MAC matches several (DHCP_R_MULTIPLE).
        Add("198.51.100.30", "active", 2, SharedLeaseMac, null, "twin-a", activeEnds: true);
        Add("198.51.100.31", "active", 2, SharedLeaseMac, null, "twin-b", activeEnds: true);
        return leases.ToArray();
    }

    /// <summary>The instance whose range is seeded with <see cref="StressLeases"/> (replies of varied sizes).</summary>
    public const string StressAlgorithm = "HMAC-SHA256";

    /// <summary>
    /// Active leases on every address of the range of the <see cref="StressAlgorithm"/> instance, with client hostnames of
    /// 0..63 bytes and client ids of 0..40 bytes, so replies vary in size from ~250 to ~400 bytes (the stress test).
    /// </summary>
    public static IReadOnlyList<SeededLease> StressLeases { get; } = BuildStressLeases();

    /// <summary>The stress instance's leases file.</summary>
    public static string BuildStressLeasesFile()
    {
        var file = new LeasesFileWriter("Stress leases seeded by the PSOmapi test fixture (varied reply sizes).", 64 * 1024);
        foreach (SeededLease lease in StressLeases)
        {
            file.AddLease(lease.IpAddress, lease.StartsUtc, lease.EndsUtc, lease.SeededBindingState, lease.HardwareAddress, lease.ClientIdentifier, lease.ClientHostname);
        }

        return file.ToString();
    }

    private static SeededLease[] BuildStressLeases()
    {
        var leases = new List<SeededLease>();
        byte[] first = RangeStart.GetAddressBytes();
        for (int i = 0; i < RangeSize; i++)
        {
            var ip = new IPAddress(new byte[] { first[0], first[1], first[2], (byte)(first[3] + i) });
            string mac = string.Create(CultureInfo.InvariantCulture, $"02:00:00:53:{i / 256:x2}:{i % 256:x2}");
            string? hostname = i % 64 == 0 ? null : "h" + new string((char)('a' + (i % 26)), (i % 64) - 1);
            byte[]? uid = i % 3 == 0 ? null : Enumerable.Range(0, 1 + (i % 40)).Select(b => (byte)(b + i)).ToArray();
            DateTime starts = BaseStarts.AddMinutes(i);
            leases.Add(new SeededLease(ip, "active", 2, mac, uid, hostname, starts, BaseActiveEnds.AddMinutes(i), false));
        }

        return leases.ToArray();
    }

    /// <summary>The subnet of the crossing layout (not on the interface: dhcpd serves it for relayed clients, and loads its leases).</summary>
    public const string CrossingSubnet = "198.18.0.0";

    /// <summary>The crossing layout's blocks of leases: block k holds 198.18.k.16 .. 198.18.k.63.</summary>
    public const int CrossingBlocks = 16;

    /// <summary>Leases per block.</summary>
    public const int CrossingBlockSize = 48;

    /// <summary>What a scan of the crossing layout covers: 4,096 addresses, 32 crossings between empty and dense regions.</summary>
    public const string CrossingScanRange = "198.18.0.0-198.18.15.255";

    /// <summary>
    /// Active leases in blocks of 48 separated by 208 addresses that are in no range (not found), with client hostnames
    /// and client identifiers whose lengths grow block by block from a few bytes to 255 (the longest one DHCP option
    /// carries): a scan crosses from empty to dense regions 32 times and meets the longest replies last, the sequence
    /// that let a range scan abort dhcpd when the window learned reply sizes from the small ones.
    /// </summary>
    public static IReadOnlyList<SeededLease> CrossingLeases { get; } = BuildCrossingLeases();

    private static SeededLease[] BuildCrossingLeases()
    {
        var leases = new List<SeededLease>();
        for (int block = 0; block < CrossingBlocks; block++)
        {
            int longest = block < 4 ? 8 : block < 8 ? 63 : 255;
            for (int i = 0; i < CrossingBlockSize; i++)
            {
                int n = (block * CrossingBlockSize) + i;
                var ip = new IPAddress(new byte[] { 198, 18, (byte)block, (byte)(16 + i) });
                string mac = string.Create(CultureInfo.InvariantCulture, $"02:00:00:18:{block:x2}:{i:x2}");
                int hostLength = block >= 12 ? longest - (i % 8) : (n * 37) % (longest + 1);
                string? hostname = hostLength == 0 ? null : new string((char)('a' + (n % 26)), hostLength);
                int uidLength = block >= 12 ? longest - (i % 5) : (n * 53) % (longest + 1);
                byte[]? uid = uidLength == 0 ? null : Enumerable.Range(0, uidLength).Select(b => (byte)(b + n)).ToArray();
                leases.Add(new SeededLease(ip, "active", 2, mac, uid, hostname, BaseStarts.AddMinutes(n), BaseActiveEnds.AddMinutes(n), false));
            }
        }

        return leases.ToArray();
    }

    /// <summary>The crossing layout's <c>subnet</c> declaration.</summary>
    public static string CrossingSubnetDeclaration()
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"subnet {CrossingSubnet} netmask 255.255.0.0 {{\n");
        for (int block = 0; block < CrossingBlocks; block++)
        {
            sb.Append(CultureInfo.InvariantCulture, $"  range 198.18.{block}.16 198.18.{block}.{16 + CrossingBlockSize - 1};\n");
        }

        return sb.Append("}\n").ToString();
    }

    /// <summary>A leases file with the crossing layout's leases (and, for the stress instance, its own).</summary>
    public static string BuildCrossingLeasesFile(bool withStressLeases)
    {
        var file = new LeasesFileWriter("Crossing layout seeded by the PSOmapi test fixture.", 512 * 1024);
        foreach (SeededLease lease in (withStressLeases ? StressLeases : Array.Empty<SeededLease>()).Concat(CrossingLeases))
        {
            file.AddLease(lease.IpAddress, lease.StartsUtc, lease.EndsUtc, lease.SeededBindingState, lease.HardwareAddress, lease.ClientIdentifier, lease.ClientHostname);
        }

        return file.ToString();
    }

    /// <summary>The main instance's leases file, as written before its first start.</summary>
    public static string BuildMainLeasesFile()
    {
        var file = new LeasesFileWriter("Seeded by the PSOmapi test fixture (Omapi.Core.Tests.Dhcpd.DhcpdScenario).");
        foreach (SeededLease lease in SeededLeases)
        {
            // cltt and tstp are written as the record's ClttUtc (= StartsUtc) and TstpUtc (= EndsUtc).
            file.AddLease(
                lease.IpAddress,
                lease.StartsUtc,
                lease.EndsNever ? null : lease.EndsUtc,
                lease.SeededBindingState,
                lease.HardwareAddress,
                lease.ClientIdentifier,
                lease.ClientHostname);
        }

        return file.ToString();
    }

    /// <summary>A <c>host</c> declaration for dhcpd.conf on one line (also the documentation world's).</summary>
    internal static string ConfHostDeclaration(ConfHost host, string indent)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"{indent}host {host.Name} {{");
        if (host.HardwareAddress is not null)
        {
            sb.Append(CultureInfo.InvariantCulture, $" hardware ethernet {host.HardwareAddress};");
        }

        if (host.ClientIdentifier is not null)
        {
            sb.Append(CultureInfo.InvariantCulture, $" option dhcp-client-identifier {ToColonHex(host.ClientIdentifier)};");
        }

        if (host.FixedAddress is not null)
        {
            sb.Append(CultureInfo.InvariantCulture, $" fixed-address {host.FixedAddress};");
        }

        return sb.Append(" }\n").ToString();
    }

    private static string CommonHeader(int omapiPort) =>
        string.Create(CultureInfo.InvariantCulture, $"""
        # Generated by the PSOmapi test fixture; the secrets are random per run.
        authoritative;
        ddns-update-style none;
        default-lease-time 600;
        max-lease-time 7200;
        omapi-port {omapiPort};

        """);

    private static string KeyDeclaration(string name, string algorithm, string secretBase64) =>
        $"key {name} {{ algorithm {algorithm.ToLowerInvariant()}; secret \"{secretBase64}\"; }}\n";

    private static string Subnet(string? poolStatement)
    {
        string range = string.Create(CultureInfo.InvariantCulture, $"range {RangeStart} {RangeEnd};");
        string body = poolStatement is null ? $"  {range}\n" : $"  pool {{\n    {poolStatement}\n    {range}\n  }}\n";
        return string.Create(CultureInfo.InvariantCulture, $"subnet {SubnetAddress} netmask {SubnetMask} {{\n{body}}}\n");
    }

    /// <summary>The main instance's <c>dhcpd.conf</c>.</summary>
    public static string BuildMainConf(int omapiPort, string keyName, string algorithm, string secretBase64, string otherKeySecretBase64)
    {
        var sb = new StringBuilder(CommonHeader(omapiPort));
        sb.Append(KeyDeclaration(keyName, algorithm, secretBase64));
        sb.Append(KeyDeclaration(OtherKeyName, OtherKeyAlgorithm, otherKeySecretBase64));
        sb.Append(CultureInfo.InvariantCulture, $"omapi-key {keyName};\n\n");
        sb.Append(Subnet(null)).Append('\n');
        sb.Append(CultureInfo.InvariantCulture, $"group \"{GroupName}\" {{\n  option domain-name \"{GroupDomainName}\";\n");
        foreach (ConfHost host in ConfHosts.Where(h => h.GroupName == GroupName))
        {
            sb.Append(ConfHostDeclaration(host, "  "));
        }

        sb.Append("}\n\n");
        foreach (ConfHost host in ConfHosts.Where(h => h.GroupName is null).Append(DeletableConfHost))
        {
            sb.Append(ConfHostDeclaration(host, string.Empty));
        }

        sb.Append(CultureInfo.InvariantCulture, $"\nclass \"{ClassName}\" {{ match hardware; }}\n");
        sb.Append(CultureInfo.InvariantCulture, $"subclass \"{ClassName}\" {ToColonHex(SubclassHashString)};\n");
        return sb.ToString();
    }

    /// <summary>A minimal secure <c>dhcpd.conf</c> (one key, the subnet and range), and the crossing layout's subnet.</summary>
    public static string BuildMinimalConf(int omapiPort, string keyName, string algorithm, string secretBase64)
    {
        var sb = new StringBuilder(CommonHeader(omapiPort));
        sb.Append(KeyDeclaration(keyName, algorithm, secretBase64));
        sb.Append(CultureInfo.InvariantCulture, $"omapi-key {keyName};\n\n");
        sb.Append(Subnet(null));
        sb.Append(CrossingSubnetDeclaration());
        return sb.ToString();
    }

    /// <summary>The failover instance's <c>dhcpd.conf</c>: the peer never answers, which is fine for OMAPI.</summary>
    public static string BuildFailoverConf(int omapiPort, string keyName, string algorithm, string secretBase64)
    {
        FailoverPeerConfig fo = FailoverPeer;
        var sb = new StringBuilder(CommonHeader(omapiPort));
        sb.Append(KeyDeclaration(keyName, algorithm, secretBase64));
        sb.Append(CultureInfo.InvariantCulture, $"omapi-key {keyName};\n\n");
        sb.Append(CultureInfo.InvariantCulture, $$"""
            failover peer "{{fo.Name}}" {
              {{(fo.IsPrimary ? "primary" : "secondary")}};
              address {{fo.LocalAddress}};
              port {{fo.LocalPort}};
              peer address {{fo.PeerAddress}};
              peer port {{fo.PeerPort}};
              max-response-delay {{fo.MaxResponseDelay}};
              max-unacked-updates {{fo.MaxUnackedUpdates}};
              mclt {{fo.Mclt}};
              split {{fo.Split}};
              load balance max seconds {{fo.LoadBalanceMaxSeconds}};
            }

            """);
        sb.Append(Subnet(string.Create(CultureInfo.InvariantCulture, $"failover peer \"{fo.Name}\";")));
        return sb.ToString();
    }
}
