using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading.Tasks;
using Omapi.Core.Objects;
using Omapi.Core.Protocol;
using Xunit;
using PSOmapi.Testing;

namespace Omapi.Core.Tests.Dhcpd;

/// <summary>
/// Which host names survive a dhcpd restart, found by doing it: a host is created over raw OMAPI (past the module's
/// check) for a name of every character class, dhcpd is restarted, and each host is looked up again. The module's rule
/// (<see cref="OmapiNames.HostNameProblem"/>) must accept exactly the names that survived: a name it accepts must not
/// vanish (a reservation gone after the next restart), and a name it refuses must really be lost.
/// </summary>
[Collection(DhcpdLifecycleCollection.Name)]
public class HostNameRestartTests(DhcpdFixture dhcpd)
{
    private static IEnumerable<string> Candidates()
    {
        string[] structural =
        {
            "plain", "with-dash", "with_underscore", "a.b", "a.b.c", "trailing.", "123", "1abc", "0x1f", "0x", "1e5", "-lead", "-", "-1",
            "x-", "x_", "a-.b", "a.-b", "9.9.9", "1.2.3.4", "host", "group", "deleted", "dynamic", "Upper.Case",
            new string('l', OmapiNames.LongestHostNameLabel), "m" + new string('n', OmapiNames.LongestHostNameLabel), "a." + new string('o', 300),
            "_lead", "a._b", "a..b", ".lead", "..", "front desk printer", "tab\tx", "ctrl\u0001x", "caf\u00e9", "del\u007fx",
        };
        foreach (string name in structural)
        {
            yield return name;
        }

        // Every printable ASCII character that is not a letter, a digit, '-', '_' or '.', between two letters.
        for (char c = '!'; c <= '~'; c++)
        {
            if (!char.IsLetterOrDigit(c) && c != '-' && c != '_' && c != '.')
            {
                yield return "p" + c + "q";
            }
        }
    }

    [Fact]
    public async Task The_names_the_module_accepts_are_exactly_those_that_survive_a_restart()
    {
        dhcpd.RequireDhcpd();
        var ct = TestContext.Current.CancellationToken;
        DhcpdInstance instance = dhcpd.ForAlgorithm("HMAC-SHA1");
        string[] names = Candidates().ToArray();
        var createdIn = new Dictionary<string, string>(StringComparer.Ordinal);
        using (OmapiSession session = await OmapiSession.ConnectAsync(Integration.DhcpdTestBase.OptionsFor(instance), ct))
        {
            for (int i = 0; i < names.Length; i++)
            {
                var values = new OmapiValueList()
                    .Add("name", names[i])
                    .Add("hardware-address", new byte[] { 2, 0, 0, 0x4e, (byte)(i / 256), (byte)(i % 256) })
                    .Add("hardware-type", 1u);
                try
                {
                    await session.CreateAsync("host", values, "create host #" + i, ct); // raw: no name check
                    createdIn[names[i]] = "created";
                }
                catch (OmapiServerException ex)
                {
                    createdIn[names[i]] = ex.Result.ToString(); // IOERROR: entered in memory, not written
                }
            }
        }

        await instance.RestartAsync(ct);

        var wrong = new List<string>();
        var survivors = new List<OmapiHost>();
        using (OmapiSession session = await OmapiSession.ConnectAsync(Integration.DhcpdTestBase.OptionsFor(instance), ct))
        {
            foreach (string name in names)
            {
                bool survived;
                try
                {
                    survivors.Add(await session.GetHostByNameAsync(name, ct));
                    survived = true;
                }
                catch (OmapiNotFoundException)
                {
                    survived = false;
                }

                bool accepted = OmapiNames.HostNameProblem(name) == null;
                if (survived != accepted)
                {
                    wrong.Add(string.Create(CultureInfo.InvariantCulture, $"'{Show(name)}' ({createdIn[name]}): {(survived ? "survived" : "lost")} but the module {(accepted ? "accepts" : "refuses")} it"));
                }
            }

            foreach (OmapiHost host in survivors)
            {
                await session.DeleteHostAsync(host, ct);
            }
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"{names.Length} names: {survivors.Count} survived the restart, {names.Length - survivors.Count} were lost; the module's rule disagreed on {wrong.Count}");
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
        Assert.True(survivors.Count >= 25, "names that must survive did: " + survivors.Count);
        Assert.True(names.Length - survivors.Count >= 30, "names that must be lost were: " + (names.Length - survivors.Count));
        Assert.Contains("expecting left brace", instance.ReadLog(), StringComparison.Ordinal); // the restart really met unreadable records
    }

    private static string Show(string name) =>
        name.Length > 40 ? name[..10] + "...(" + name.Length + " characters)" : string.Concat(name.Select(c => c < ' ' || c > '~' ? "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture) : c.ToString()));
}

/// <summary>A real dhcpd stopped in the middle of a range scan.</summary>
[Collection(DhcpdLifecycleCollection.Name)]
public class ScanServerLossTests(DhcpdFixture dhcpd)
{
    [Fact]
    public async Task A_scan_whose_dhcpd_is_stopped_ends_with_one_exception_after_the_results_it_had()
    {
        dhcpd.RequireDhcpd();
        var ct = TestContext.Current.CancellationToken;
        DhcpdInstance instance = dhcpd.ForAlgorithm("HMAC-SHA512");
        Omapi.Core.Connection.OmapiConnectionOptions options = Integration.DhcpdTestBase.OptionsFor(instance);
        options.ReconnectDelay = TimeSpan.FromMilliseconds(100);
        try
        {
            using OmapiSession session = await OmapiSession.ConnectAsync(options, ct);
            IEnumerable<System.Net.IPAddress> endless = Enumerable.Range(0, int.MaxValue).Select(i => new System.Net.IPAddress(new byte[] { 198, 18, (byte)(i / 256 % 16), (byte)(i % 256) }));
            using Omapi.Core.Bulk.OmapiBulkOperation<System.Net.IPAddress, OmapiLease> bulk = await session.StartLeaseLookupAsync(endless, new Omapi.Core.Bulk.OmapiBulkOptions { Connections = 4 }, ct);
            int taken = 0;
            OmapiConnectionException? error = null;
            Task stopped = Task.CompletedTask;
            try
            {
                foreach (Omapi.Core.Bulk.OmapiBulkResult<System.Net.IPAddress, OmapiLease> r in bulk.Results(ct))
                {
                    Assert.True(r.Succeeded || r.Error is OmapiNotFoundException, r.Error?.ToString()); // never an error per address
                    if (++taken == 3000)
                    {
                        stopped = instance.StopAsync(ct);
                    }
                }
            }
            catch (OmapiConnectionException ex)
            {
                error = ex;
            }

            await stopped;
            Assert.NotNull(error);
            Assert.Contains("stopped after", error!.Message, StringComparison.Ordinal);
            Assert.InRange(taken, 3000, 1_000_000);
        }
        finally
        {
            await instance.StartAsync(ct);
        }
    }
}
