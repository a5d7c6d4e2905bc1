using System;
using Omapi.Core.Protocol;

namespace Omapi.Core.Connection
{
    /// <summary>One request of a bulk batch, with its reserved window bytes and its reply callback.</summary>
    internal readonly struct BulkSend
    {
        internal BulkSend(OmapiRequest request, int requestBytes, int replyBytes, Action<OmapiMessage?, Exception?> callback)
        {
            Request = request;
            RequestBytes = requestBytes;
            ReplyBytes = replyBytes;
            Callback = callback;
        }

        internal OmapiRequest Request { get; }

        internal int RequestBytes { get; }

        internal int ReplyBytes { get; }

        internal Action<OmapiMessage?, Exception?> Callback { get; }
    }
}
