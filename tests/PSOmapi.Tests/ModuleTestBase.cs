using System;
using System.Collections;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Security;
using Omapi.Core.Tests.Dhcpd;
using Xunit;
using PSOmapi.Testing;

// The dhcpd instances are shared state: run test classes one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace PSOmapi.Tests
{
    /// <summary>A fresh runspace with the module imported and, for dhcpd tests, helpers to connect to the fixture.</summary>
    public abstract class ModuleTestBase : IDisposable
    {
        protected ModuleTestBase(DhcpdFixture fixture, bool requireDhcpd = true)
        {
            Fixture = fixture;
            if (requireDhcpd)
            {
                fixture.RequireDhcpd();
            }

            Shell = new ModuleHarness();
        }

        protected DhcpdFixture Fixture { get; }

        protected ModuleHarness Shell { get; }

        protected static PSCredential CredentialFor(DhcpdInstance instance, string? secretBase64 = null)
        {
            var secure = new SecureString();
            foreach (char c in secretBase64 ?? instance.SecretBase64)
            {
                secure.AppendChar(c);
            }

            secure.MakeReadOnly();
            return new PSCredential(instance.KeyName, secure);
        }

        /// <summary>Connect-Omapi to the main instance with -Credential; the session becomes the runspace default.</summary>
        protected PSObject ConnectMain()
        {
            Shell.SetVariable("cred", CredentialFor(Fixture.Main));
            var result = Shell.Invoke("Connect-Omapi -Server $args[0] -Port $args[1] -Credential $cred -Algorithm $args[2]", Fixture.Main.Host, Fixture.Main.Port, Fixture.Main.Algorithm);
            Assert.Empty(Shell.Errors);
            return Assert.Single(result);
        }

        protected static T Prop<T>(PSObject o, string name) => (T)o.Properties[name].Value;

        /// <summary>An object's OMAPI handle: a method (GetHandle), never a property that CSV or JSON would carry.</summary>
        protected static uint Handle(PSObject o) => (uint)o.Methods["GetHandle"].Invoke();

        /// <summary>A lease's address, from its typed view (an IPv4Address of the module's own Omapi.Core).</summary>
        protected static IPAddress AddressOf(PSObject o) => IPAddress.Parse(o.Properties["IPAddress"].Value.ToString()!);

        /// <summary>A host's fixed addresses, from its typed view (an IPv4AddressList).</summary>
        protected static IPAddress[] AddressesOf(PSObject o) =>
            ((IEnumerable)o.Properties["IPAddress"].Value).Cast<object>().Select(a => IPAddress.Parse(a.ToString()!)).ToArray();

        /// <summary>A lease's end time as a UTC DateTime (the object holds a DateTimeOffset with offset +00:00).</summary>
        protected static DateTime? UtcEnds(PSObject o) => Prop<DateTimeOffset?>(o, "Ends")?.UtcDateTime;

        public void Dispose()
        {
            Shell.Dispose();
            GC.SuppressFinalize(this);
        }

        protected static string WriteTempFile(string text)
        {
            string path = Path.Combine(Path.GetTempPath(), "psomapi-" + Guid.NewGuid().ToString("N") + ".key");
            File.WriteAllText(path, text);
            return path;
        }
    }
}
