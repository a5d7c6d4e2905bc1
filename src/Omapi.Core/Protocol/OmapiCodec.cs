using System;
using System.Globalization;
using System.Runtime.CompilerServices;
using Omapi.Core.Security;

namespace Omapi.Core.Protocol
{
    /// <summary>
    /// Byte-level OMAPI framing: the 8-byte intro, message encoding with optional HMAC signature, and incremental,
    /// bounded decoding. Knows nothing of sockets, so captured bytes can be fed straight in.
    /// </summary>
    public static class OmapiCodec
    {
        /// <summary>The only protocol version dhcpd speaks (OMAPI_PROTOCOL_VERSION).</summary>
        public const uint ProtocolVersion = 100;

        /// <summary>The standard header length: six u32 fields.</summary>
        public const int HeaderLength = 24;

        /// <summary>The intro's length: u32 version, u32 header length.</summary>
        public const int IntroLength = 8;

        /// <summary>The default limit on one incoming message (bytes). dhcpd's replies are a few hundred bytes.</summary>
        public const int DefaultMaxMessageSize = 4 * 1024 * 1024;

        /// <summary>The intro a client sends: version 100, header length 24.</summary>
        public static byte[] EncodeIntro()
        {
            var intro = new byte[IntroLength];
            OmapiEncoding.WriteUInt32(intro, 0, ProtocolVersion);
            OmapiEncoding.WriteUInt32(intro, 4, HeaderLength);
            return intro;
        }

        /// <summary>
        /// Checks the peer's intro and returns how many extra header bytes follow the standard 24 in each of its messages
        /// (dhcpd always announces 24, so normally 0). Version other than 100 or a header shorter than 24 is a protocol error.
        /// </summary>
        public static int ParseIntro(byte[] intro, int offset, int maxHeaderLength = 1024)
        {
            if (intro == null || intro.Length - offset < IntroLength)
            {
                throw new OmapiProtocolException("The OMAPI intro is 8 bytes; the server sent fewer before closing.");
            }

            uint version = OmapiEncoding.ReadUInt32(intro, offset);
            uint headerLength = OmapiEncoding.ReadUInt32(intro, offset + 4);
            if (version != ProtocolVersion)
            {
                throw new OmapiProtocolException(string.Format(CultureInfo.InvariantCulture, "The peer is not an OMAPI server this client can talk to: it announced protocol version {0} (expected 100).", version));
            }

            if (headerLength < HeaderLength || headerLength > (uint)maxHeaderLength)
            {
                throw new OmapiProtocolException(string.Format(CultureInfo.InvariantCulture, "The OMAPI server announced a header length of {0} bytes; it must be at least 24 (and at most {1}).", headerLength, maxHeaderLength));
            }

            return (int)headerLength - HeaderLength;
        }

        /// <summary>The encoded size of a message, signature included.</summary>
        public static int GetEncodedLength(OmapiMessage message, int signatureLength)
        {
            if (message == null)
            {
                throw new ArgumentNullException(nameof(message));
            }

            return HeaderLength + ListLength(message.MessageValues) + ListLength(message.ObjectValues) + signatureLength;
        }

        /// <summary>Encodes an unsigned message (authid and authlen 0).</summary>
        public static byte[] Encode(OmapiMessage message) => EncodeCore(message, null);

        /// <summary>
        /// Encodes a message signed with <paramref name="mac"/>: authlen = the signature length, and the HMAC covers every
        /// byte from the authlen field (offset 4) to the object list's terminator. <see cref="OmapiMessage.AuthId"/> is written as is.
        /// </summary>
        internal static byte[] EncodeCore(OmapiMessage message, OmapiMac? mac)
        {
            var buffer = new byte[GetEncodedLength(message, mac?.Length ?? 0)];
            EncodeInto(buffer, 0, message.AuthId, message.Op, message.Handle, message.Id, message.Rid, message.MessageValues, message.ObjectValues, mac);
            message.WireLength = buffer.Length;
            return buffer;
        }

        /// <summary>
        /// Encodes one message into <paramref name="buffer"/> at <paramref name="offset"/> (which must have room for its
        /// encoded length) and returns that length. With <paramref name="mac"/>, authlen is its length and the HMAC covers
        /// every byte from the authlen field to the object list's terminator; without, authid and authlen are 0.
        /// </summary>
        [MethodImpl(HotPath.Optimize)]
        internal static int EncodeInto(byte[] buffer, int offset, uint authId, OmapiOpcode op, uint handle, uint id, uint rid, OmapiValueList messageValues, OmapiValueList objectValues, OmapiMac? mac)
        {
            int sigLength = mac?.Length ?? 0;
            OmapiEncoding.WriteUInt32(buffer, offset, mac == null ? 0 : authId);
            OmapiEncoding.WriteUInt32(buffer, offset + 4, (uint)sigLength);
            OmapiEncoding.WriteUInt32(buffer, offset + 8, (uint)op);
            OmapiEncoding.WriteUInt32(buffer, offset + 12, handle);
            OmapiEncoding.WriteUInt32(buffer, offset + 16, id);
            OmapiEncoding.WriteUInt32(buffer, offset + 20, rid);
            int pos = WriteList(buffer, offset + HeaderLength, messageValues);
            pos = WriteList(buffer, pos, objectValues);
            if (mac != null)
            {
                byte[] signature = mac.Compute(buffer, offset + 4, pos - offset - 4);
                Buffer.BlockCopy(signature, 0, buffer, pos, sigLength);
            }

            return pos + sigLength - offset;
        }

        /// <summary>
        /// Tries to decode one message from <paramref name="buffer"/>[offset, offset+count).
        /// Returns false when more bytes are needed (nothing is consumed). Throws <see cref="OmapiProtocolException"/>
        /// as soon as the bytes seen so far cannot be a valid message or announce more than <paramref name="maxMessageSize"/>
        /// bytes — it never allocates what a peer announces before the bytes have arrived.
        /// </summary>
        /// <param name="buffer">The received bytes.</param>
        /// <param name="offset">Where the message starts.</param>
        /// <param name="count">How many bytes are available.</param>
        /// <param name="extraHeaderBytes">Header bytes beyond 24 that the peer announced in its intro; skipped and not signed.</param>
        /// <param name="maxMessageSize">The largest acceptable message.</param>
        /// <param name="frame">The decoded message and where its signed bytes are.</param>
        [MethodImpl(HotPath.Optimize)]
        public static bool TryDecode(byte[] buffer, int offset, int count, int extraHeaderBytes, int maxMessageSize, out OmapiFrame frame)
        {
            if (buffer == null)
            {
                throw new ArgumentNullException(nameof(buffer));
            }

            frame = default;
            int headerLength = HeaderLength + extraHeaderBytes;
            if (count < HeaderLength)
            {
                return false;
            }

            uint authId = OmapiEncoding.ReadUInt32(buffer, offset);
            uint authLen = OmapiEncoding.ReadUInt32(buffer, offset + 4);
            uint op = OmapiEncoding.ReadUInt32(buffer, offset + 8);
            if (authLen > OmapiAlgorithms.MaxSignatureLength)
            {
                throw new OmapiProtocolException(string.Format(CultureInfo.InvariantCulture, "Malformed OMAPI message: authlen {0} is not a signature length (at most 64).", authLen));
            }

            if (op < (uint)OmapiOpcode.Open || op > (uint)OmapiOpcode.Delete)
            {
                throw new OmapiProtocolException(string.Format(CultureInfo.InvariantCulture, "Malformed OMAPI message: unknown opcode {0}.", op));
            }

            if (count < headerLength)
            {
                return false;
            }

            uint handle = OmapiEncoding.ReadUInt32(buffer, offset + 12);
            uint id = OmapiEncoding.ReadUInt32(buffer, offset + 16);
            uint rid = OmapiEncoding.ReadUInt32(buffer, offset + 20);
            int pos = headerLength;
            if (!TryReadList(buffer, offset, count, ref pos, maxMessageSize, out OmapiValueList? messageValues))
            {
                return false;
            }

            if (!TryReadList(buffer, offset, count, ref pos, maxMessageSize, out OmapiValueList? objectValues, capacity: 16))
            {
                return false;
            }

            int signedEnd = pos;
            long total = (long)pos + authLen;
            CheckSize(total, maxMessageSize);
            if (total > count)
            {
                return false;
            }

            var message = new OmapiMessage((OmapiOpcode)op, handle, id, rid, messageValues, objectValues)
            {
                AuthId = authId,
                WireLength = (int)total,
            };
            if (authLen > 0)
            {
                var signature = new byte[authLen];
                Buffer.BlockCopy(buffer, offset + signedEnd, signature, 0, (int)authLen);
                message.Signature = signature;
            }

            ArraySegment<byte> signed;
            if (extraHeaderBytes == 0)
            {
                signed = new ArraySegment<byte>(buffer, offset + 4, signedEnd - 4);
            }
            else
            {
                // Padding beyond 24 header bytes is skipped by dhcpd's reader and not part of the HMAC.
                var copy = new byte[signedEnd - 4 - extraHeaderBytes];
                Buffer.BlockCopy(buffer, offset + 4, copy, 0, HeaderLength - 4);
                Buffer.BlockCopy(buffer, offset + headerLength, copy, HeaderLength - 4, signedEnd - headerLength);
                signed = new ArraySegment<byte>(copy);
            }

            frame = new OmapiFrame(message, (int)total, signed);
            return true;
        }

        [MethodImpl(HotPath.Optimize)]
        private static bool TryReadList(byte[] buffer, int start, int count, ref int pos, int max, out OmapiValueList? list, int capacity = 4)
        {
            list = null;
            var result = new OmapiValueList(capacity);
            while (true)
            {
                if (pos + 2 > count)
                {
                    return false;
                }

                int nameLength = OmapiEncoding.ReadUInt16(buffer, start + pos);
                pos += 2;
                if (nameLength == 0)
                {
                    list = result;
                    return true;
                }

                CheckSize((long)pos + nameLength + 4, max);
                if (pos + nameLength + 4 > count)
                {
                    return false;
                }

                string name = NameTable.Get(buffer, start + pos, nameLength);
                pos += nameLength;
                uint valueLength = OmapiEncoding.ReadUInt32(buffer, start + pos);
                pos += 4;
                CheckSize((long)pos + valueLength, max);
                if (pos + (long)valueLength > count)
                {
                    return false;
                }

                var value = valueLength == 0 ? Array.Empty<byte>() : new byte[valueLength];
                Buffer.BlockCopy(buffer, start + pos, value, 0, (int)valueLength);
                pos += (int)valueLength;
                result.Add(name, value);
            }
        }

        [MethodImpl(HotPath.Optimize)]
        private static void CheckSize(long size, int max)
        {
            if (size > max)
            {
                throw new OmapiProtocolException(string.Format(CultureInfo.InvariantCulture, "Malformed OMAPI message: it announces at least {0} bytes, more than the {1}-byte limit on a message (MaxMessageSize).", size, max));
            }
        }

        [MethodImpl(HotPath.Optimize)]
        internal static int ListLength(OmapiValueList list)
        {
            int length = 2;
            foreach (OmapiValue v in list)
            {
                length += 2 + v.Name.Length + 4 + v.Value.Length;
            }

            return length;
        }

        [MethodImpl(HotPath.Optimize)]
        private static int WriteList(byte[] buffer, int pos, OmapiValueList list)
        {
            foreach (OmapiValue v in list)
            {
                OmapiEncoding.WriteUInt16(buffer, pos, (ushort)v.Name.Length);
                pos += 2;
                foreach (char c in v.Name)
                {
                    buffer[pos++] = (byte)c;
                }

                OmapiEncoding.WriteUInt32(buffer, pos, (uint)v.Value.Length);
                pos += 4;
                Buffer.BlockCopy(v.Value, 0, buffer, pos, v.Value.Length);
                pos += v.Value.Length;
            }

            OmapiEncoding.WriteUInt16(buffer, pos, 0);
            return pos + 2;
        }

    }

    /// <summary>A decoded message plus the location of the bytes its signature covers.</summary>
    public readonly struct OmapiFrame
    {
        /// <summary>Creates a frame.</summary>
        public OmapiFrame(OmapiMessage message, int length, ArraySegment<byte> signedBytes)
        {
            Message = message;
            Length = length;
            SignedBytes = signedBytes;
        }

        /// <summary>The message.</summary>
        public OmapiMessage Message { get; }

        /// <summary>How many bytes the message occupied in the buffer.</summary>
        public int Length { get; }

        /// <summary>The bytes the HMAC covers. May point into the caller's buffer: verify before reusing it.</summary>
        public ArraySegment<byte> SignedBytes { get; }
    }
}
