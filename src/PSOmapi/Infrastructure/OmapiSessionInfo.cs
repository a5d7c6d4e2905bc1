using System;
using System.Globalization;
using System.Threading;
using Omapi.Core;
using Omapi.Core.Security;

namespace PSOmapi
{
    /// <summary>
    /// A PowerShell session with one dhcpd, as Connect-Omapi returns it. The key's secret is never reachable from this
    /// object: not as a property, not through ToString, not in Export-Clixml.
    /// </summary>
    public sealed class OmapiSessionInfo : IDisposable
    {
        private static int _lastId;

        internal OmapiSessionInfo(OmapiSession session, OmapiAlgorithm? algorithm)
        {
            Core = session;
            Id = Interlocked.Increment(ref _lastId);
            Algorithm = algorithm == null ? null : OmapiAlgorithms.DisplayName(algorithm.Value);
            ConnectedAt = DateTimeOffset.UtcNow;
        }

        /// <summary>A number unique in this process, for Disconnect-Omapi -Id and Get-OmapiSession -Id.</summary>
        public int Id { get; }

        /// <summary>The dhcpd server name or address.</summary>
        public string Server => Core.Server;

        /// <summary>The OMAPI port.</summary>
        public int Port => Core.Port;

        /// <summary>The key name (the secret is never shown).</summary>
        public string? KeyName => Core.KeyName;

        /// <summary>The key algorithm, e.g. HMAC-SHA256.</summary>
        public string? Algorithm { get; }

        /// <summary>True while the connection is open (a lost connection is re-opened by the next command).</summary>
        public bool IsConnected => Core.IsConnected;

        /// <summary>True after Disconnect-Omapi.</summary>
        public bool IsClosed { get; private set; }

        /// <summary>When the session was opened.</summary>
        public DateTimeOffset ConnectedAt { get; }

        /// <summary>The per-request time limit in seconds.</summary>
        public double TimeoutSec => Core.Options.RequestTimeout.TotalSeconds;

        /// <summary>Requests sent on the session's open connections.</summary>
        public long RequestsSent => Core.RequestsSent;

        /// <summary>Open connections (bulk lookups open up to -ThrottleLimit; single commands use one).</summary>
        public int Connections => Core.Connections.Count;

        /// <summary>The protocol session (for the module's own use).</summary>
        internal OmapiSession Core { get; }

        /// <summary>Closes the session.</summary>
        public void Dispose()
        {
            IsClosed = true;
            Core.Dispose();
        }

        /// <inheritdoc />
        public override string ToString() => string.Format(CultureInfo.InvariantCulture, "omapi://{0}:{1}{2}", Server, Port, KeyName == null ? string.Empty : " (key " + KeyName + ")");
    }
}
