using System;
using System.Globalization;
using System.Runtime.CompilerServices;
using Omapi.Core.Security;

namespace Omapi.Core.Protocol
{
    /// <summary>
    /// Cuts a received byte stream into OMAPI messages, incrementally: bytes are appended as they arrive and the scan of a
    /// partly received message resumes where it stopped, so a reply that arrives a byte at a time costs what it costs whole
    /// (no re-parse from its start on every read). Every announced length is checked against the limit as soon as the
    /// length field has arrived, before the bytes are waited for. Knows nothing of sockets.
    /// </summary>
    internal sealed class OmapiFrameReader
    {
        private const int InitialSize = 16 * 1024;

        private readonly int _extraHeaderBytes;
        private readonly int _maxMessageSize;
        private byte[] _buffer = new byte[InitialSize];
        private int _start;
        private int _end;

        // Scan state of the message at _start: where the next length field is (relative to _start), and which part of the
        // message it belongs to (0 the header, 1 the message values, 2 the object values, 3 the signature).
        private int _scan;
        private int _part;

        internal OmapiFrameReader(int extraHeaderBytes, int maxMessageSize)
        {
            _extraHeaderBytes = extraHeaderBytes;
            _maxMessageSize = maxMessageSize;
        }

        /// <summary>Length fields examined so far (for tests: the work done grows with the bytes, not with reads × bytes).</summary>
        internal long Steps { get; private set; }

        /// <summary>Bytes received and not yet returned as messages.</summary>
        internal int Buffered => _end - _start;

        /// <summary>
        /// Where the next received bytes go: at least one byte of room, after the unread bytes. The caller reads into it and
        /// then calls <see cref="Advance"/>. Frames returned earlier may point into the buffer: verify them first.
        /// </summary>
        [MethodImpl(HotPath.Optimize)]
        internal ArraySegment<byte> Space()
        {
            if (_start == _end)
            {
                _start = _end = 0;
            }

            if (_end == _buffer.Length)
            {
                int unread = _end - _start;
                if (_start > 0)
                {
                    Buffer.BlockCopy(_buffer, _start, _buffer, 0, unread);
                }
                else
                {
                    // One message larger than the buffer: its length fields have passed the limit check already.
                    long grown = Math.Min((long)_buffer.Length * 2, (long)_maxMessageSize + OmapiCodec.HeaderLength + _extraHeaderBytes + 64);
                    Array.Resize(ref _buffer, (int)Math.Max(grown, _buffer.Length + 1));
                }

                _start = 0;
                _end = unread;
            }

            return new ArraySegment<byte>(_buffer, _end, _buffer.Length - _end);
        }

        /// <summary>Appends <paramref name="count"/> bytes written into <see cref="Space"/>.</summary>
        internal void Advance(int count) => _end += count;

        /// <summary>Appends bytes (for tests and byte-level callers).</summary>
        internal void Append(byte[] data, int offset, int count)
        {
            while (count > 0)
            {
                ArraySegment<byte> space = Space();
                int n = Math.Min(count, space.Count);
                Buffer.BlockCopy(data, offset, space.Array!, space.Offset, n);
                Advance(n);
                offset += n;
                count -= n;
            }
        }

        /// <summary>
        /// Returns the next whole message, or false when more bytes are needed. Throws <see cref="OmapiProtocolException"/>
        /// as soon as the bytes cannot be a valid message (the stream cannot be resynchronised after that).
        /// </summary>
        [MethodImpl(HotPath.Optimize)]
        internal bool TryRead(out OmapiFrame frame)
        {
            frame = default;
            if (!ScanToEnd(out int length))
            {
                return false;
            }

            // The scan proved the message whole and within limits; decode it once.
            if (!OmapiCodec.TryDecode(_buffer, _start, length, _extraHeaderBytes, _maxMessageSize, out frame) || frame.Length != length)
            {
                throw new OmapiProtocolException("Malformed OMAPI message: its parts do not add up to its length.");
            }

            _start += length;
            _scan = 0;
            _part = 0;
            return true;
        }

        /// <summary>Advances the scan as far as the bytes allow; true with the message's length once it is whole.</summary>
        [MethodImpl(HotPath.Optimize)]
        private bool ScanToEnd(out int length)
        {
            length = 0;
            int available = _end - _start;
            int headerLength = OmapiCodec.HeaderLength + _extraHeaderBytes;
            if (_part == 0)
            {
                if (available < OmapiCodec.HeaderLength)
                {
                    return false;
                }

                uint authLen = OmapiEncoding.ReadUInt32(_buffer, _start + 4);
                uint op = OmapiEncoding.ReadUInt32(_buffer, _start + 8);
                if (authLen > OmapiAlgorithms.MaxSignatureLength)
                {
                    throw new OmapiProtocolException(string.Format(CultureInfo.InvariantCulture, "Malformed OMAPI message: authlen {0} is not a signature length (at most 64).", authLen));
                }

                if (op < (uint)OmapiOpcode.Open || op > (uint)OmapiOpcode.Delete)
                {
                    throw new OmapiProtocolException(string.Format(CultureInfo.InvariantCulture, "Malformed OMAPI message: unknown opcode {0}.", op));
                }

                if (available < headerLength)
                {
                    return false;
                }

                _scan = headerLength;
                _part = 1;
            }

            while (_part == 1 || _part == 2)
            {
                Steps++;
                if (available < _scan + 2)
                {
                    return false;
                }

                int nameLength = OmapiEncoding.ReadUInt16(_buffer, _start + _scan);
                if (nameLength == 0)
                {
                    _scan += 2;
                    _part++;
                    continue;
                }

                CheckSize((long)_scan + 2 + nameLength + 4);
                if (available < _scan + 2 + nameLength + 4)
                {
                    return false;
                }

                uint valueLength = OmapiEncoding.ReadUInt32(_buffer, _start + _scan + 2 + nameLength);
                long next = (long)_scan + 2 + nameLength + 4 + valueLength;
                CheckSize(next);
                if (available < next)
                {
                    return false;
                }

                _scan = (int)next;
            }

            long total = (long)_scan + OmapiEncoding.ReadUInt32(_buffer, _start + 4);
            CheckSize(total);
            if (available < total)
            {
                return false;
            }

            length = (int)total;
            return true;
        }

        [MethodImpl(HotPath.Optimize)]
        private void CheckSize(long size)
        {
            if (size > _maxMessageSize)
            {
                throw new OmapiProtocolException(string.Format(CultureInfo.InvariantCulture, "Malformed OMAPI message: it announces at least {0} bytes, more than the {1}-byte limit on a message (MaxMessageSize).", size, _maxMessageSize));
            }
        }
    }
}
