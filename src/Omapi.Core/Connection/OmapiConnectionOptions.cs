using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Omapi.Core.Protocol;
using Omapi.Core.Security;

namespace Omapi.Core.Connection
{
    /// <summary>Where and how to talk to one dhcpd. Validated when a connection is opened.</summary>
    public sealed class OmapiConnectionOptions
    {
        /// <summary>
        /// The largest byte budget this library allows per connection for (a) the expected (upper-bound) size of the replies
        /// of the requests in flight and (b) the request bytes sent since the connection was last idle. dhcpd 4.4.3 aborts
        /// when a signed message's authlen field straddles its 4,047-byte buffers (omapi-protocol.md section 14); a message
        /// that starts within the first 3,500 bytes of a buffer cannot (docs/design/request-lifecycle.md).
        /// </summary>
        public const int MaxWindowBytes = 3500;

        /// <summary>The conventional OMAPI port.</summary>
        public const int DefaultPort = 7911;

        /// <summary>Host name or IPv4 address of the dhcpd server. dhcpd's OMAPI listens on IPv4 only.</summary>
        public string Server { get; set; } = "127.0.0.1";

        /// <summary>The server's <c>omapi-port</c>.</summary>
        public int Port { get; set; } = DefaultPort;

        /// <summary>The key dhcpd.conf names in <c>omapi-key</c>; null for a server without one (insecure).</summary>
        public OmapiKey? Key { get; set; }

        /// <summary>Limit on TCP connect plus intro plus authentication.</summary>
        public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

        /// <summary>Default limit on each request, from queueing to reply.</summary>
        public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

        /// <summary>Largest incoming message accepted; a reply announcing more is a protocol error that closes the connection.</summary>
        public int MaxMessageSize { get; set; } = OmapiCodec.DefaultMaxMessageSize;

        /// <summary>The per-connection byte budget (see <see cref="MaxWindowBytes"/>); may be lowered, never raised above it.</summary>
        public int WindowBytes { get; set; } = MaxWindowBytes;


        /// <summary>
        /// The most connections a session opens for bulk work (each with its own byte budget; dhcpd keeps separate buffers
        /// per connection). Single requests use the first; the others open only when bulk work asks for them. 1..16,
        /// default 16, so a bulk operation's own setting (e.g. Get-OmapiLease -ThrottleLimit) is what limits it.
        /// </summary>
        public int MaxConnections { get; set; } = 16;

        /// <summary>
        /// Further servers to try, in order, when <see cref="Server"/> does not answer (a failover pair): "host" (with
        /// <see cref="Port"/>) or "host:port". A server that answers but refuses the key is an answer, not a reason to move on.
        /// </summary>
#pragma warning disable CA1819 // A simple settings object; copied by Clone.
        public string[] AlternateServers { get; set; } = Array.Empty<string>();
#pragma warning restore CA1819

        /// <summary>
        /// How many times a lost connection is re-opened (and re-authenticated) before a call fails with
        /// <see cref="OmapiConnectionException"/>; 0 turns reconnecting off. Each attempt tries every server in order.
        /// </summary>
        public int ReconnectAttempts { get; set; } = 3;

        /// <summary>The wait before the second reconnect attempt; it doubles for each further one (at most 8 s).</summary>
        public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromMilliseconds(500);

        /// <summary>The result-code numbering of the server (dhcpd 4.2 and later: <see cref="OmapiResultNumbering.Modern"/>).</summary>
        public OmapiResultNumbering ResultNumbering { get; set; } = OmapiResultNumbering.Modern;

        /// <summary>"server:port", for messages.</summary>
        public string Endpoint => Server + ":" + Port.ToString(CultureInfo.InvariantCulture);

        /// <summary>A copy (the key object is shared; it is immutable).</summary>
        public OmapiConnectionOptions Clone()
        {
            var copy = (OmapiConnectionOptions)MemberwiseClone();
            copy.AlternateServers = (string[])AlternateServers.Clone();
            return copy;
        }

        /// <summary>
        /// Every server to try, in order, as options for one endpoint each: <see cref="Server"/> then
        /// <see cref="AlternateServers"/>; "host:port" entries set the port, plain names use <see cref="Port"/>.
        /// </summary>
        public IReadOnlyList<OmapiConnectionOptions> Endpoints()
        {
            var list = new List<OmapiConnectionOptions>();
            foreach (string entry in new[] { Server }.Concat(AlternateServers))
            {
                OmapiConnectionOptions one = Clone();
                one.AlternateServers = Array.Empty<string>();
                (one.Server, one.Port) = SplitHostPort(entry, Port);
                list.Add(one);
            }

            return list;
        }

        /// <summary>Splits "host:port" (a plain host keeps <paramref name="defaultPort"/>).</summary>
        public static (string Host, int Port) SplitHostPort(string entry, int defaultPort)
        {
            if (string.IsNullOrWhiteSpace(entry))
            {
                throw new ArgumentException("A server name is empty.", nameof(entry));
            }

            string text = entry.Trim();
            int colon = text.LastIndexOf(':');
            if (colon > 0 && colon == text.IndexOf(':') && int.TryParse(text.Substring(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port))
            {
                if (port < 1 || port > 65535)
                {
                    throw new ArgumentOutOfRangeException(nameof(entry), entry, "The port in '" + entry + "' must be 1..65535.");
                }

                return (text.Substring(0, colon), port);
            }

            return (text, defaultPort);
        }

        /// <summary>Throws <see cref="ArgumentException"/> describing the first invalid setting.</summary>
        public void Validate()
        {
            if (string.IsNullOrWhiteSpace(Server))
            {
                throw new ArgumentException("Server is empty: give the dhcpd host name or IPv4 address.", nameof(Server));
            }

            if (Port < 1 || Port > 65535)
            {
                throw new ArgumentOutOfRangeException(nameof(Port), Port, "Port must be 1..65535 (dhcpd's omapi-port, usually 7911).");
            }

            if (ConnectTimeout <= TimeSpan.Zero || RequestTimeout <= TimeSpan.Zero)
            {
                throw new ArgumentOutOfRangeException(nameof(RequestTimeout), "Timeouts must be positive.");
            }

            if (WindowBytes < 256 || WindowBytes > MaxWindowBytes)
            {
                throw new ArgumentOutOfRangeException(nameof(WindowBytes), WindowBytes, "WindowBytes must be 256.." + MaxWindowBytes.ToString(CultureInfo.InvariantCulture) + ": more pipelined bytes can make dhcpd 4.4.3 abort.");
            }

            if (ReconnectAttempts < 0 || ReconnectAttempts > 100 || ReconnectDelay < TimeSpan.Zero)
            {
                throw new ArgumentOutOfRangeException(nameof(ReconnectAttempts), "ReconnectAttempts must be 0..100 and ReconnectDelay not negative.");
            }

            if (MaxConnections < 1 || MaxConnections > 16)
            {
                throw new ArgumentOutOfRangeException(nameof(MaxConnections), MaxConnections, "MaxConnections must be 1..16.");
            }

            if (MaxMessageSize < 1024)
            {
                throw new ArgumentOutOfRangeException(nameof(MaxMessageSize), MaxMessageSize, "MaxMessageSize must be at least 1024 bytes.");
            }
        }
    }
}
