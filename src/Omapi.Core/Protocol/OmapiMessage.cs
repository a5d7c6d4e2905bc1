using System;
using System.Globalization;

namespace Omapi.Core.Protocol
{
    /// <summary>
    /// One OMAPI message: the 24-byte header (authid, authlen, op, handle, id, rid — in that wire order),
    /// the message values, the object values, and the signature.
    /// </summary>
    public sealed class OmapiMessage
    {
        /// <summary>Creates a message.</summary>
        public OmapiMessage(OmapiOpcode op, uint handle, uint id, uint rid, OmapiValueList? messageValues = null, OmapiValueList? objectValues = null)
        {
            Op = op;
            Handle = handle;
            Id = id;
            Rid = rid;
            MessageValues = messageValues ?? new OmapiValueList();
            ObjectValues = objectValues ?? new OmapiValueList();
        }

        /// <summary>The authenticator handle that signs the message; 0 for unsigned.</summary>
        public uint AuthId { get; set; }

        /// <summary>The opcode.</summary>
        public OmapiOpcode Op { get; }

        /// <summary>The handle of the object acted on (0 for none).</summary>
        public uint Handle { get; }

        /// <summary>The sender's transaction id.</summary>
        public uint Id { get; }

        /// <summary>For a reply, the id of the request it answers; 0 for a request.</summary>
        public uint Rid { get; }

        /// <summary>Parameters of the request (<c>type</c>, <c>create</c>, <c>result</c>, <c>message</c> ...).</summary>
        public OmapiValueList MessageValues { get; }

        /// <summary>The object's attributes.</summary>
        public OmapiValueList ObjectValues { get; }

        /// <summary>The signature bytes as received (empty when unsigned). Set by the decoder.</summary>
        public byte[] Signature { get; internal set; } = Array.Empty<byte>();

        /// <summary>The message's size on the wire in bytes, when it was encoded or decoded.</summary>
        public int WireLength { get; internal set; }

        /// <inheritdoc />
        public override string ToString() => string.Format(
            CultureInfo.InvariantCulture,
            "{0} handle={1} id={2} rid={3} authid={4} ({5} message values, {6} object values)",
            Op, Handle, Id, Rid, AuthId, MessageValues.Count, ObjectValues.Count);
    }
}
