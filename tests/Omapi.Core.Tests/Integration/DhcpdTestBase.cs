using System;
using System.Threading.Tasks;
using Omapi.Core.Connection;
using Omapi.Core.Security;
using Omapi.Core.Tests.Dhcpd;
using Xunit;
using PSOmapi.Testing;

// The dhcpd instances are shared state (leases, hosts, a restart test): run test classes one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Omapi.Core.Tests.Integration
{
    /// <summary>Connects to the fixture's real dhcpd instances.</summary>
    public abstract class DhcpdTestBase
    {
        protected DhcpdTestBase(DhcpdFixture fixture)
        {
            Fixture = fixture;
            fixture.RequireDhcpd();
        }

        protected DhcpdFixture Fixture { get; }

        protected internal static OmapiConnectionOptions OptionsFor(DhcpdInstance instance, string? secretBase64 = null, string? keyName = null, string? algorithm = null) =>
            new OmapiConnectionOptions
            {
                Server = instance.Host,
                Port = instance.Port,
                Key = OmapiKey.FromBase64(keyName ?? instance.KeyName, OmapiAlgorithms.Parse(algorithm ?? instance.Algorithm), secretBase64 ?? instance.SecretBase64),
                RequestTimeout = TimeSpan.FromSeconds(20),
            };

        protected static Task<OmapiSession> ConnectAsync(DhcpdInstance instance) =>
            OmapiSession.ConnectAsync(OptionsFor(instance), TestContext.Current.CancellationToken);

        protected Task<OmapiSession> ConnectMainAsync() => ConnectAsync(Fixture.Main);

        /// <summary>Every dhcpd must still be running: nothing we send may abort it.</summary>
        protected void AssertAllDhcpdAlive()
        {
            foreach (DhcpdInstance instance in Fixture.All)
            {
                Assert.True(instance.IsRunning, instance.Name + " is not running; log tail:\n" + instance.ReadLogTail());
            }
        }
    }
}
