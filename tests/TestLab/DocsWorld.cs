using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Text;

namespace PSOmapi.Testing;

/// <summary>A lease of the documentation's world: a <see cref="SeededLease"/> and the class it is billed to, if any.</summary>
/// <param name="Lease">The lease as written to the leases file.</param>
/// <param name="BillingClass">The class the lease is billed to (<c>billing class "name";</c>), or null.</param>
public sealed record DocsLease(SeededLease Lease, string? BillingClass);

/// <summary>A class declared in the documentation's <c>dhcpd.conf</c>.</summary>
/// <param name="Name">The class name.</param>
/// <param name="Match">The match statement (<c>match hardware</c>, <c>match if ...</c>), or null for a class whose
/// members are its subclasses or billed leases only.</param>
/// <param name="LeaseLimit">The class's <c>lease limit</c>, or 0 for none.</param>
/// <param name="Subclasses">Hash strings of its subclasses (<c>01:02:00:00:aa:bb:08</c>).</param>
public sealed record DocsClass(string Name, string? Match, int LeaseLimit, IReadOnlyList<string> Subclasses);

/// <summary>A named group declared in the documentation's <c>dhcpd.conf</c>.</summary>
/// <param name="Name">The group name.</param>
/// <param name="Statements">Its statements.</param>
public sealed record DocsGroup(string Name, string Statements);

/// <summary>
/// The dhcpd the documentation's examples talk to: README, <c>Get-Help</c> examples and about_ topics name
/// <c>dhcp1.example.net</c>, port 7911, the key <c>omapi_key</c> (HMAC-SHA256) and addresses in 203.0.113.0/24
/// (TEST-NET-3, RFC 5737). The Pester suite resolves those names to this instance inside its private namespace and
/// runs the examples as written (tests/Pester/Examples.Tests.ps1), so an example that does not work fails CI; the
/// demo (demo/run.sh) runs the same world.
/// </summary>
/// <remarks>
/// <para>
/// What the examples find: the leases of <see cref="Leases"/> (fixed times, so output is the same in every run), the
/// groups <see cref="Groups"/>, the hosts <see cref="Hosts"/> (declared in dhcpd.conf, so a reset brings them back),
/// the classes <see cref="Classes"/> with their subclasses, and the failover peer <see cref="FailoverPeerName"/>,
/// whose partner is a second dhcpd (<see cref="BuildPartnerConf"/>, started by the lab beside this one). The failover
/// pool is in the interface's subnet (198.51.100.0/24), so the examples' addresses in 203.0.113.0/24 are ordinary
/// dynamic leases that failover does not touch. Both leases files record the pair as <c>normal</c>, so the pair is
/// normal again seconds after a start.
/// </para>
/// <para>
/// Addresses: the dynamic range is <see cref="RangeStart"/>..<see cref="RangeEnd"/>; reservations (fixed
/// addresses) are outside it; 203.0.113.250 is in no range (LeaseNotFound).
/// </para>
/// </remarks>
public static class DocsWorld
{
    /// <summary>The OMAPI port the examples use (dhcpd's default).</summary>
    public const int OmapiPort = 7911;

    /// <summary>The key the examples name.</summary>
    public const string KeyName = "omapi_key";

    /// <summary>The key's algorithm (the README's <c>tsig-keygen -a hmac-sha256</c>).</summary>
    public const string Algorithm = "HMAC-SHA256";

    /// <summary>The subnet the examples' addresses are in.</summary>
    public const string Subnet = "203.0.113.0";

    /// <summary>The first address of the examples' range.</summary>
    public const string RangeStart = "203.0.113.10";

    /// <summary>The last address of the examples' range (203.0.113.250 is outside every range).</summary>
    public const string RangeEnd = "203.0.113.200";

    /// <summary>The key file the examples read (<c>Connect-Omapi -KeyFile /etc/dhcp/omapi.key</c>).</summary>
    public const string KeyFilePath = "/etc/dhcp/omapi.key";

    /// <summary>The failover peer the examples name (<c>Get-OmapiFailoverState -Name dhcp-failover</c>).</summary>
    public const string FailoverPeerName = "dhcp-failover";

    /// <summary>The primary's (this server's) failover address: loopback, inside the namespace.</summary>
    public const string FailoverPrimaryAddress = "127.0.0.1";

    /// <summary>The partner's (secondary's) failover address.</summary>
    public const string FailoverPartnerAddress = "127.0.0.2";

    /// <summary>The primary's failover port.</summary>
    public const int FailoverPrimaryPort = 10647;

    /// <summary>The partner's failover port.</summary>
    public const int FailoverPartnerPort = 10847;

    /// <summary>The failover pool's range, in the interface's subnet (not the examples' 203.0.113.0/24).</summary>
    public const string FailoverRange = "198.51.100.200 198.51.100.209";

    /// <summary>
    /// <c>/etc/hosts</c> lines that make the examples' server names reach this instance: the first server of a
    /// failover pair at 127.0.0.1, the second at the veth's address (the same dhcpd: OMAPI listens on every address).
    /// </summary>
    public static IReadOnlyList<string> HostsFileLines { get; } = new[]
    {
        "127.0.0.1 dhcp1.example.net dhcp-lab.example.net dhcp-test.example.net",
        DhcpdScenario.ServerAddress + " dhcp2.example.net",
    };

    private static readonly DateTime Starts = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime Ends = new(2037, 12, 31, 0, 1, 0, DateTimeKind.Utc);

    // When the failover pair last changed state, as recorded in both leases files.
    private static readonly DateTime FailoverSince = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>The leases the examples rely on (every other address of the range is free).</summary>
    public static IReadOnlyList<DocsLease> Leases { get; } = new[]
    {
        // The core switch (Get-OmapiLease, Get-OmapiHost -IPAddress, Register-OmapiNotify ...).
        Active("203.0.113.63", "00:11:22:33:44:55", "alpha"),
        Active("203.0.113.64", "00:11:22:33:44:56", "bravo"),
        // printers.csv: printers with dynamic leases; the third one's lease has expired.
        Active("203.0.113.71", "02:00:00:aa:bb:11", "printer11"),
        Active("203.0.113.72", "02:00:00:aa:bb:12", "printer12"),
        Lease("203.0.113.73", "expired", 3, "02:00:00:aa:bb:13", "printer13", new DateTime(2026, 1, 2, 0, 0, 0, DateTimeKind.Utc)),
        // An address dhcpd found in use by an unknown device (Set-OmapiLease, the abandoned-address report).
        Lease("203.0.113.80", "abandoned", 5, null, null, new DateTime(2026, 1, 2, 0, 0, 0, DateTimeKind.Utc)),
        // Guests: the class guests is at its limit; a VoIP phone; a lease of the summer event's class.
        Active("203.0.113.120", "02:00:00:99:00:01", "guest-laptop1", "guests"),
        Active("203.0.113.121", "02:00:00:99:00:02", "guest-phone2", "guests"),
        Active("203.0.113.130", "02:00:00:70:00:01", "phone-101", "voip-phones"),
        Active("203.0.113.140", "02:00:00:e0:00:01", "booth-7", "event-2026-summer"),
    };

    /// <summary>The named groups of dhcpd.conf.</summary>
    public static IReadOnlyList<DocsGroup> Groups { get; } = new[]
    {
        new DocsGroup("printers", "option domain-name \"print.example.net\";"),
        new DocsGroup("lab", "filename \"pxelinux.0\"; next-server 203.0.113.5;"),
        new DocsGroup("lab-2024", "filename \"pxelinux-2024.0\";"),
    };

    /// <summary>The hosts of dhcpd.conf (reservations outside the range; <c>alpha</c> has no fixed address).</summary>
    public static IReadOnlyList<ConfHost> Hosts { get; } = new[]
    {
        new ConfHost("alpha", "00:11:22:33:44:55", null, null, null),
        new ConfHost("printer8", "02:00:00:aa:bb:08", IPAddress.Parse("203.0.113.8"), null, "printers"),
        new ConfHost("printer9", "02:00:00:aa:bb:09", IPAddress.Parse("203.0.113.9"), null, "printers"),
        new ConfHost("lab-pc4", "02:00:00:00:4c:04", IPAddress.Parse("203.0.113.204"), null, "lab"),
    };

    /// <summary>The classes of dhcpd.conf and their subclasses.</summary>
    public static IReadOnlyList<DocsClass> Classes { get; } = new[]
    {
        new DocsClass("known-printers", "match hardware", 0, new[] { "01:02:00:00:aa:bb:07", "01:02:00:00:aa:bb:08", "01:02:00:00:aa:bb:11", "01:02:00:00:aa:bb:12" }),
        new DocsClass("voip-phones", "match if substring (option vendor-class-identifier, 0, 4) = \"VoIP\"", 40, Array.Empty<string>()),
        new DocsClass("guests", null, 2, Array.Empty<string>()),
        new DocsClass("contractors", null, 20, Array.Empty<string>()),
        new DocsClass("event-2026-spring", null, 10, Array.Empty<string>()),
        new DocsClass("event-2026-summer", null, 10, Array.Empty<string>()),
    };

    private static DocsLease Active(string ip, string mac, string hostname, string? billingClass = null) =>
        new(new SeededLease(IPAddress.Parse(ip), "active", 2, mac, null, hostname, Starts, Ends, false), billingClass);

    private static DocsLease Lease(string ip, string state, int expected, string? mac, string? hostname, DateTime ends) =>
        new(new SeededLease(IPAddress.Parse(ip), state, expected, mac, null, hostname, Starts, ends, false), null);

    /// <summary>The docs server's <c>dhcpd.conf</c> (the primary of the failover pair).</summary>
    public static string BuildConf(string secretBase64) => BuildConf(secretBase64, isPrimary: true);

    /// <summary>The failover partner's <c>dhcpd.conf</c> (the secondary; its OMAPI key is its own).</summary>
    public static string BuildPartnerConf(int omapiPort, string keyName, string algorithm, string secretBase64)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $$"""
            # The failover partner of the documentation's server, generated by the PSOmapi test lab.
            authoritative;
            ddns-update-style none;
            default-lease-time 600;
            max-lease-time 7200;
            omapi-port {{omapiPort}};
            key {{keyName}} { algorithm {{algorithm.ToLowerInvariant()}}; secret "{{secretBase64}}"; }
            omapi-key {{keyName}};

            """);
        sb.Append(FailoverDeclarations(isPrimary: false));
        return sb.ToString();
    }

    private static string BuildConf(string secretBase64, bool isPrimary)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $$"""
            # The documentation's server, generated by the PSOmapi test lab; the secret is random per run.
            authoritative;
            ddns-update-style none;
            default-lease-time 600;
            max-lease-time 7200;
            omapi-port {{OmapiPort}};
            key {{KeyName}} { algorithm {{Algorithm.ToLowerInvariant()}}; secret "{{secretBase64}}"; }
            omapi-key {{KeyName}};

            """);
        sb.Append(FailoverDeclarations(isPrimary));
        sb.Append(CultureInfo.InvariantCulture, $"subnet {Subnet} netmask 255.255.255.0 {{ range {RangeStart} {RangeEnd}; }}\n\n");

        foreach (DocsClass cls in Classes)
        {
            var body = new List<string>();
            if (cls.Match is not null)
            {
                body.Add(cls.Match + ";");
            }

            if (cls.LeaseLimit > 0)
            {
                body.Add(string.Create(CultureInfo.InvariantCulture, $"lease limit {cls.LeaseLimit};"));
            }

            sb.Append(CultureInfo.InvariantCulture, $"class \"{cls.Name}\" {{ {string.Join(' ', body)} }}\n");
            foreach (string hash in cls.Subclasses)
            {
                sb.Append(CultureInfo.InvariantCulture, $"subclass \"{cls.Name}\" {hash};\n");
            }
        }

        sb.Append('\n');
        foreach (DocsGroup group in Groups)
        {
            sb.Append(CultureInfo.InvariantCulture, $"group \"{group.Name}\" {{\n  {group.Statements}\n");
            foreach (ConfHost host in Hosts.Where(h => h.GroupName == group.Name))
            {
                sb.Append(DhcpdScenario.ConfHostDeclaration(host, "  "));
            }

            sb.Append("}\n");
        }

        foreach (ConfHost host in Hosts.Where(h => h.GroupName is null))
        {
            sb.Append(DhcpdScenario.ConfHostDeclaration(host, string.Empty));
        }

        return sb.ToString();
    }

    // The failover peer and its pool, in the interface's subnet; the same in both servers but for the roles.
    private static string FailoverDeclarations(bool isPrimary)
    {
        string local = isPrimary ? FailoverPrimaryAddress : FailoverPartnerAddress;
        string peer = isPrimary ? FailoverPartnerAddress : FailoverPrimaryAddress;
        int localPort = isPrimary ? FailoverPrimaryPort : FailoverPartnerPort;
        int peerPort = isPrimary ? FailoverPartnerPort : FailoverPrimaryPort;
        string primaryOnly = isPrimary ? "\n  mclt 600;\n  split 128;" : string.Empty;
        return string.Create(CultureInfo.InvariantCulture, $$"""
            failover peer "{{FailoverPeerName}}" {
              {{(isPrimary ? "primary" : "secondary")}};
              address {{local}};
              port {{localPort}};
              peer address {{peer}};
              peer port {{peerPort}};
              max-response-delay 30;
              max-unacked-updates 10;
              load balance max seconds 3;{{primaryOnly}}
            }

            subnet {{DhcpdScenario.SubnetAddress}} netmask {{DhcpdScenario.SubnetMask}} {
              pool { failover peer "{{FailoverPeerName}}"; range {{FailoverRange}}; }
            }

            """);
    }

    /// <summary>The docs server's leases file: <see cref="Leases"/> and the failover pair's state (normal).</summary>
    public static string BuildLeasesFile()
    {
        var file = new LeasesFileWriter("The documentation's leases, seeded by the PSOmapi test lab (DocsWorld).");
        foreach (DocsLease docsLease in Leases)
        {
            SeededLease lease = docsLease.Lease;
            file.AddLease(lease.IpAddress, lease.StartsUtc, lease.EndsUtc, lease.SeededBindingState, lease.HardwareAddress, lease.ClientIdentifier, lease.ClientHostname, docsLease.BillingClass);
        }

        file.AddRaw(FailoverState());
        return file.ToString();
    }

    /// <summary>The partner's leases file: the failover pair's state (normal).</summary>
    public static string BuildPartnerLeasesFile()
    {
        var file = new LeasesFileWriter("The failover partner of the documentation's server (DocsWorld).");
        file.AddRaw(FailoverState());
        return file.ToString();
    }

    private static string FailoverState() =>
        string.Create(CultureInfo.InvariantCulture, $$"""
            failover peer "{{FailoverPeerName}}" state {
              my state normal at {{LeasesFileWriter.FormatTime(FailoverSince)}};
              partner state normal at {{LeasesFileWriter.FormatTime(FailoverSince)}};
            }

            """);
}
