namespace Omapi.Core.Connection
{
    /// <summary>Requests and bytes a session has exchanged with dhcpd (intros and authentication included).</summary>
    public readonly struct OmapiTraffic
    {
        /// <summary>Creates the figures.</summary>
        public OmapiTraffic(long requestsSent, long bytesSent, long bytesReceived)
        {
            RequestsSent = requestsSent;
            BytesSent = bytesSent;
            BytesReceived = bytesReceived;
        }

        /// <summary>Requests sent.</summary>
        public long RequestsSent { get; }

        /// <summary>Bytes sent.</summary>
        public long BytesSent { get; }

        /// <summary>Bytes received.</summary>
        public long BytesReceived { get; }

        /// <summary>These figures plus what <paramref name="connection"/> has exchanged.</summary>
        internal OmapiTraffic Add(OmapiConnection connection) =>
            new OmapiTraffic(RequestsSent + connection.RequestsSent, BytesSent + connection.BytesSent, BytesReceived + connection.BytesReceived);

        /// <summary>What was exchanged between two readings.</summary>
        public static OmapiTraffic operator -(OmapiTraffic later, OmapiTraffic earlier) =>
            new OmapiTraffic(later.RequestsSent - earlier.RequestsSent, later.BytesSent - earlier.BytesSent, later.BytesReceived - earlier.BytesReceived);

        /// <summary>Same as the - operator.</summary>
        public static OmapiTraffic Subtract(OmapiTraffic later, OmapiTraffic earlier) => later - earlier;

        /// <inheritdoc />
        public override string ToString() => RequestsSent + " requests, " + BytesSent + " bytes sent, " + BytesReceived + " bytes received";
    }
}
