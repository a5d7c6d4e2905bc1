using System;
using System.Runtime.CompilerServices;
using Omapi.Core.Protocol;

namespace Omapi.Core.Connection
{
    /// <summary>A request to send on a connection; the connection assigns its id and signs it.</summary>
    public sealed class OmapiRequest
    {
        private int _bodyLength;

        /// <summary>Creates a request.</summary>
        /// <param name="op">The opcode (not STATUS: dhcpd closes the connection on a client STATUS).</param>
        /// <param name="handle">The object handle (0 for OPEN).</param>
        /// <param name="messageValues">Message values, e.g. <c>type</c> and the open flags.</param>
        /// <param name="objectValues">Object values: lookup keys or attributes to set.</param>
        /// <param name="description">What the request does, for errors: "open lease 198.51.100.20".</param>
        /// <param name="replyKind">Requests of one kind have similar reply sizes (e.g. "open lease"); used to estimate reply bytes.</param>
        [MethodImpl(HotPath.Optimize)]
        public OmapiRequest(OmapiOpcode op, uint handle, OmapiValueList? messageValues, OmapiValueList? objectValues, string description, string? replyKind = null)
        {
            if (op == OmapiOpcode.Status || op < OmapiOpcode.Open || op > OmapiOpcode.Delete)
            {
                throw new ArgumentOutOfRangeException(nameof(op), op, "A client may send OPEN, REFRESH, UPDATE, NOTIFY or DELETE.");
            }

            Op = op;
            Handle = handle;
            MessageValues = messageValues ?? new OmapiValueList();
            ObjectValues = objectValues ?? new OmapiValueList();
            foreach (OmapiValue v in MessageValues)
            {
                if (IsReservedMessageName(v.Name))
                {
                    throw new ArgumentException("'" + v.Name + "' cannot be sent as a message value: dhcpd drops the connection when it receives it.", nameof(messageValues));
                }
            }

            // Every request passes here, so this is where statements that crash dhcpd 4.4 are stopped (nothing is sent).
            OmapiStatements.EnsureSafe(ObjectValues);
            Description = description ?? op.ToString();
            ReplyKind = replyKind ?? op.ToString();
        }

        /// <summary>The opcode.</summary>
        public OmapiOpcode Op { get; }

        /// <summary>The object handle.</summary>
        public uint Handle { get; }

        /// <summary>The message values.</summary>
        public OmapiValueList MessageValues { get; }

        /// <summary>The object values.</summary>
        public OmapiValueList ObjectValues { get; }

        /// <summary>What the request does, for messages.</summary>
        public string Description { get; }

        /// <summary>The reply-size class.</summary>
        public string ReplyKind { get; }

        /// <summary>A per-request timeout overriding the connection's default.</summary>
        public TimeSpan? Timeout { get; set; }

        /// <summary>The encoded size of this request with a signature of <paramref name="signatureLength"/> bytes (computed once).</summary>
        internal int EncodedLength(int signatureLength)
        {
            if (_bodyLength == 0)
            {
                _bodyLength = OmapiCodec.HeaderLength + OmapiCodec.ListLength(MessageValues) + OmapiCodec.ListLength(ObjectValues);
            }

            return _bodyLength + signatureLength;
        }

        /// <summary>Names dhcpd's message object intercepts and that make it drop the connection (omapi-protocol.md 2.5).</summary>
        [MethodImpl(HotPath.Optimize)]
        public static bool IsReservedMessageName(string name) => name switch
        {
            "object" or "notify-object" or "authid" or "op" or "handle" or "id" or "rid" or "authenticator" => true,
            _ => false,
        };
    }
}
