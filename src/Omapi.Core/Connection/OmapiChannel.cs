using System;
using System.Collections.Generic;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Threading;
using Omapi.Core.Protocol;
using Omapi.Core.Security;

namespace Omapi.Core.Connection
{
    /// <summary>
    /// The protocol state of one connection, without any I/O: request ids, the requests waiting for replies, the send
    /// window with its reply estimates, signing and verification, and the cutting of received bytes into replies. The
    /// transport (<see cref="OmapiConnection"/>) writes what this encodes and feeds it what it reads; tests feed it bytes
    /// directly. Encoding is called under the transport's write lock, receiving only from its one reader thread.
    /// </summary>
    internal sealed class OmapiChannel
    {
        private readonly object _gate = new object();
        private readonly Dictionary<uint, PendingRequest> _pending = new Dictionary<uint, PendingRequest>();
        private readonly OmapiFrameReader _frames;
        private readonly ReplySizes _sizes;
        private readonly OmapiResultNumbering _numbering;
        private OmapiMac? _sendMac;
        private OmapiMac? _receiveMac;
        private uint _authId;
        private uint _nextId;
        private long _requestsSent;
        private long _repliesReceived;
        private long _bytesSent;
        private long _bytesReceived;
        private long _surprises;

        internal OmapiChannel(string endpoint, int budget, int extraHeaderBytes, int maxMessageSize, ReplySizes sizes, OmapiResultNumbering numbering)
        {
            Endpoint = endpoint;
            Window = new SendWindow(budget);
            _frames = new OmapiFrameReader(extraHeaderBytes, maxMessageSize);
            _sizes = sizes;
            _numbering = numbering;
#pragma warning disable CA5394 // Not security-relevant: dhcpctl also starts at random(); it only has to be unique per connection.
            _nextId = (uint)new Random().Next(1, int.MaxValue / 2);
#pragma warning restore CA5394
        }

        internal string Endpoint { get; }

        internal SendWindow Window { get; }

        internal uint AuthId => Volatile.Read(ref _authId);

        internal int SignatureLength => _sendMac?.Length ?? 0;

        internal long RequestsSent => Interlocked.Read(ref _requestsSent);

        internal long RepliesReceived => Interlocked.Read(ref _repliesReceived);

        internal long BytesSent => Interlocked.Read(ref _bytesSent);

        internal long BytesReceived => Interlocked.Read(ref _bytesReceived);

        /// <summary>Replies that came back larger than the window had assumed (each made the connection drain).</summary>
        internal long Surprises => Interlocked.Read(ref _surprises);

        /// <summary>Requests registered and not yet ended.</summary>
        internal int Pending
        {
            get { lock (_gate) { return _pending.Count; } }
        }

        internal void CountIntro(int sent, int received)
        {
            Interlocked.Add(ref _bytesSent, sent);
            Interlocked.Add(ref _bytesReceived, received);
        }

        /// <summary>Signs and verifies with <paramref name="key"/> from now on (the authenticator's handle is <paramref name="authId"/>).</summary>
        internal void Authenticate(OmapiKey key, uint authId)
        {
            lock (_gate)
            {
                _sendMac = key.CreateMac();
                _receiveMac = key.CreateMac();
                _authId = authId;
            }
        }

        /// <summary>The window's size of a request on this connection.</summary>
        internal int RequestBytes(OmapiRequest request) => request.EncodedLength(SignatureLength);

        /// <summary>The reply size the window assumes for a request on this connection: an upper bound (see <see cref="ReplySizes"/>).</summary>
        internal int ExpectedReply(OmapiRequest request) => _sizes.Estimate(request.ReplyKind, SignatureLength);

        /// <summary>
        /// Registers a request the window admitted and encodes it into <paramref name="buffer"/> at <paramref name="offset"/>
        /// (room for <see cref="PendingRequest.RequestBytes"/>); returns the bytes written. Under the transport's write lock.
        /// </summary>
        [MethodImpl(HotPath.Optimize)]
        internal int Register(PendingRequest pending, byte[] buffer, int offset)
        {
            OmapiRequest r = pending.Request;
            uint id;
            lock (_gate)
            {
                do
                {
                    id = unchecked(_nextId++);
                }
                while (id == 0 || _pending.ContainsKey(id));

                pending.Id = id;
                _pending.Add(id, pending);
            }

            int written = OmapiCodec.EncodeInto(buffer, offset, _authId, r.Op, r.Handle, id, 0, r.MessageValues, r.ObjectValues, _sendMac);
            Interlocked.Add(ref _bytesSent, written);
            Interlocked.Increment(ref _requestsSent);
            return written;
        }

        /// <summary>Forgets a registered request whose bytes were never written (the write failed).</summary>
        internal void Unregister(PendingRequest pending)
        {
            lock (_gate)
            {
                _pending.Remove(pending.Id);
            }
        }

        /// <summary>Where the transport reads the next bytes into.</summary>
        internal ArraySegment<byte> ReceiveSpace() => _frames.Space();

        /// <summary>
        /// Takes <paramref name="count"/> bytes read into <see cref="ReceiveSpace"/>: every whole reply is matched to its
        /// request by rid, its room returned to the window, its signature verified, and its request ended. Throws
        /// <see cref="OmapiProtocolException"/> for anything a server may not send; the connection must then close (requests
        /// answered before the violation keep their replies). Returns how many replies ended requests. Reader thread only.
        /// </summary>
        [MethodImpl(HotPath.Optimize)]
        internal int Received(int count)
        {
            _frames.Advance(count);
            Interlocked.Add(ref _bytesReceived, count);
            int replies = 0;
            while (_frames.TryRead(out OmapiFrame frame))
            {
                Interlocked.Increment(ref _repliesReceived);
                OmapiMessage reply = frame.Message;
                if (reply.Op != OmapiOpcode.Update && reply.Op != OmapiOpcode.Status)
                {
                    throw new OmapiProtocolException("dhcpd sent a " + reply.Op + " message; a server only sends UPDATE and STATUS replies.");
                }

                PendingRequest? pending;
                lock (_gate)
                {
                    if (_pending.TryGetValue(reply.Rid, out pending))
                    {
                        _pending.Remove(reply.Rid);
                    }
                }

                if (pending == null)
                {
                    throw new OmapiProtocolException(string.Format(CultureInfo.InvariantCulture, "The server sent a reply to request id {0}, which this connection never sent or had already had answered (a duplicated or forged reply).", reply.Rid));
                }

                bool surprise = _sizes.Observe(pending.Request.ReplyKind, frame.Length, pending.ExpectedReply);
                if (surprise)
                {
                    Interlocked.Increment(ref _surprises);
                }

                Window.Release(pending.ExpectedReply, surprise);
                try
                {
                    Verify(frame, pending);
                }
                catch (OmapiProtocolException)
                {
                    // Not accepted as its reply: it stays registered, so the close that follows fails it with the others,
                    // marked as a lost reply (a change it asked for must then be read back, not believed).
                    lock (_gate)
                    {
                        _pending[reply.Rid] = pending;
                    }

                    throw;
                }

                pending.Succeed(reply);
                replies++;
            }

            return replies;
        }

        /// <summary>Every request still waiting (the connection closes); they are no longer registered afterwards.</summary>
        internal List<PendingRequest> TakeAll()
        {
            lock (_gate)
            {
                var all = new List<PendingRequest>(_pending.Values);
                _pending.Clear();
                return all;
            }
        }

        /// <summary>The earliest deadline of a waiting request, or null when none waits.</summary>
        internal PendingRequest? Earliest()
        {
            lock (_gate)
            {
                PendingRequest? first = null;
                foreach (PendingRequest p in _pending.Values)
                {
                    if (first == null || p.Deadline < first.Deadline)
                    {
                        first = p;
                    }
                }

                return first;
            }
        }

        /// <summary>Disposes the send MAC (under the write lock, after the connection closed).</summary>
        internal void DisposeSendMac() => _sendMac?.Dispose();

        /// <summary>Disposes the receive MAC (by the reader thread, as it ends).</summary>
        internal void DisposeReceiveMac() => _receiveMac?.Dispose();

        [MethodImpl(HotPath.Optimize)]
        private void Verify(OmapiFrame frame, PendingRequest pending)
        {
            OmapiMessage reply = frame.Message;
            string what = pending.Request.Description;
            bool signed = reply.AuthId != 0 || reply.Signature.Length != 0;
            if (_authId == 0)
            {
                if (signed)
                {
                    throw new OmapiProtocolException("The server signed its reply to '" + what + "' although this connection opened no authenticator.");
                }

                return;
            }

            if (!signed)
            {
                // dhcpd answers signature and key failures with unsigned STATUS messages; nothing else may come unsigned.
                uint code = reply.Op == OmapiOpcode.Status ? OmapiReplies.ResultOf(reply, _numbering) : 0;
                if (reply.Op == OmapiOpcode.Status && (code == (uint)OmapiResult.InvalidKey || code == (uint)OmapiResult.NoKeys || code == (uint)OmapiResult.KeyUnknown))
                {
                    return;
                }

                throw new OmapiProtocolException("The server's reply to '" + what + "' was not signed although this connection is authenticated (an unsigned " + reply.Op + "); it may have been forged, so it was refused.");
            }

            OmapiMac mac = _receiveMac!;
            if (reply.AuthId != _authId || reply.Signature.Length != mac.Length)
            {
                throw new OmapiProtocolException(string.Format(CultureInfo.InvariantCulture, "The server's reply to '{0}' was signed with authenticator {1} and a {2}-byte signature; expected authenticator {3} and {4} bytes.", what, reply.AuthId, reply.Signature.Length, _authId, mac.Length));
            }

            ArraySegment<byte> signedBytes = frame.SignedBytes;
            byte[] expected = mac.Compute(signedBytes.Array!, signedBytes.Offset, signedBytes.Count);
            if (!OmapiEncoding.FixedTimeEquals(expected, 0, reply.Signature, 0, expected.Length))
            {
                throw new OmapiProtocolException("The signature on the server's reply to '" + what + "' did not verify: the reply was altered or does not come from a server holding our key.");
            }
        }
    }
}
