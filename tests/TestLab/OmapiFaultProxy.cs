using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace PSOmapi.Testing;

/// <summary>What the proxy does with a matched request or with the reply to it.</summary>
public enum FaultAction
{
    /// <summary>Forward as is (a rule that only counts or logs).</summary>
    Pass,

    /// <summary>The request reaches dhcpd; its reply is swallowed (the connection stays up).</summary>
    DropReply,

    /// <summary>The reply is held for <see cref="FaultRule.Delay"/> (later replies on the connection wait behind it).</summary>
    DelayReply,

    /// <summary>The first <see cref="FaultRule.Bytes"/> bytes of the reply are forwarded, then both sides are closed.</summary>
    TruncateReply,

    /// <summary>The request reaches dhcpd; the connection is closed instead of forwarding its reply.</summary>
    CloseBeforeReply,

    /// <summary>The reply is forwarded twice.</summary>
    DuplicateReply,

    /// <summary>The reply is held and forwarded after the next reply on the connection (the two swap places).</summary>
    ReorderReply,

    /// <summary>The reply is rewritten by <see cref="FaultRule.Rewrite"/> and re-signed with the proxy's key (a man in
    /// the middle that knows the key).</summary>
    RewriteReply,

    /// <summary>The reply is forwarded one byte at a time, <see cref="FaultRule.Delay"/> apart.</summary>
    TrickleReply,

    /// <summary>The request never reaches dhcpd and the connection is closed (nothing was applied).</summary>
    CloseBeforeRequest,

    /// <summary>The request never reaches dhcpd; the connection stays up and silent (a black hole).</summary>
    DropRequest,
}

/// <summary>One OMAPI message as the proxy sees it: header, message values, object values, signature.</summary>
public sealed class ProxyMessage
{
    /// <summary>The header's authenticator id.</summary>
    public uint AuthId { get; set; }

    /// <summary>The opcode (1 OPEN ... 6 DELETE).</summary>
    public uint Op { get; set; }

    /// <summary>The object handle.</summary>
    public uint Handle { get; set; }

    /// <summary>The message id.</summary>
    public uint Id { get; set; }

    /// <summary>The id of the request a reply answers.</summary>
    public uint Rid { get; set; }

    /// <summary>Message values, in wire order (names may repeat).</summary>
    public List<KeyValuePair<string, byte[]>> MessageValues { get; } = new();

    /// <summary>Object values, in wire order (names may repeat).</summary>
    public List<KeyValuePair<string, byte[]>> ObjectValues { get; } = new();

    /// <summary>The signature bytes (empty when unsigned).</summary>
    public byte[] Signature { get; set; } = Array.Empty<byte>();

    /// <summary>The message's object type (the <c>type</c> message value as text), or null.</summary>
    public string? Type => Get(MessageValues, "type") is byte[] t ? Encoding.ASCII.GetString(t) : null;

    /// <summary>The last object value of that name, or null.</summary>
    public byte[]? Object(string name) => Get(ObjectValues, name);

    /// <summary>Replaces (or adds) an object value.</summary>
    public void SetObject(string name, byte[] value)
    {
        int i = ObjectValues.FindIndex(p => p.Key == name);
        if (i < 0)
        {
            ObjectValues.Add(new(name, value));
        }
        else
        {
            ObjectValues[i] = new(name, value);
        }
    }

    /// <summary>A copy.</summary>
    public ProxyMessage Clone()
    {
        var copy = new ProxyMessage { AuthId = AuthId, Op = Op, Handle = Handle, Id = Id, Rid = Rid, Signature = (byte[])Signature.Clone() };
        copy.MessageValues.AddRange(MessageValues);
        copy.ObjectValues.AddRange(ObjectValues);
        return copy;
    }

    /// <inheritdoc />
    public override string ToString() => $"op {Op} handle {Handle} id {Id} rid {Rid} type {Type ?? "-"}";

    private static byte[]? Get(List<KeyValuePair<string, byte[]>> list, string name)
    {
        for (int i = list.Count - 1; i >= 0; i--)
        {
            if (list[i].Key == name)
            {
                return list[i].Value;
            }
        }

        return null;
    }

    /// <summary>
    /// Decodes one whole message from <paramref name="buffer"/>[offset..count), or returns null when more bytes are needed.
    /// Written independently of Omapi.Core so that the tool the tests use does not share the code under test.
    /// </summary>
    public static ProxyMessage? TryDecode(byte[] buffer, int offset, int count, out int length)
    {
        length = 0;
        if (count - offset < 24)
        {
            return null;
        }

        uint authLen = BigEndian(buffer, offset + 4);
        var m = new ProxyMessage { AuthId = BigEndian(buffer, offset), Op = BigEndian(buffer, offset + 8), Handle = BigEndian(buffer, offset + 12), Id = BigEndian(buffer, offset + 16), Rid = BigEndian(buffer, offset + 20) };
        int pos = offset + 24;
        foreach (List<KeyValuePair<string, byte[]>> list in new[] { m.MessageValues, m.ObjectValues })
        {
            while (true)
            {
                if (pos + 2 > count)
                {
                    return null;
                }

                int nameLength = (buffer[pos] << 8) | buffer[pos + 1];
                pos += 2;
                if (nameLength == 0)
                {
                    break;
                }

                if (pos + nameLength + 4 > count)
                {
                    return null;
                }

                string name = Encoding.ASCII.GetString(buffer, pos, nameLength);
                pos += nameLength;
                long valueLength = BigEndian(buffer, pos);
                pos += 4;
                if (pos + valueLength > count)
                {
                    return null;
                }

                list.Add(new(name, buffer.AsSpan(pos, (int)valueLength).ToArray()));
                pos += (int)valueLength;
            }
        }

        if (pos + authLen > count)
        {
            return null;
        }

        m.Signature = buffer.AsSpan(pos, (int)authLen).ToArray();
        length = pos + (int)authLen - offset;
        return m;
    }

    /// <summary>Encodes the message; with <paramref name="key"/> it is signed (authlen = the HMAC size), else the
    /// signature it carries is appended as is.</summary>
    public byte[] Encode(ProxyKey? key = null)
    {
        var body = new List<byte>(256);
        void U32(uint v) => body.AddRange(new[] { (byte)(v >> 24), (byte)(v >> 16), (byte)(v >> 8), (byte)v });
        U32(AuthId);
        int signatureLength = key?.SignatureLength ?? Signature.Length;
        U32((uint)signatureLength);
        U32(Op);
        U32(Handle);
        U32(Id);
        U32(Rid);
        foreach (List<KeyValuePair<string, byte[]>> list in new[] { MessageValues, ObjectValues })
        {
            foreach (KeyValuePair<string, byte[]> v in list)
            {
                body.Add((byte)(v.Key.Length >> 8));
                body.Add((byte)v.Key.Length);
                body.AddRange(Encoding.ASCII.GetBytes(v.Key));
                U32((uint)v.Value.Length);
                body.AddRange(v.Value);
            }

            body.Add(0);
            body.Add(0);
        }

        byte[] bytes = body.ToArray();
        byte[] signature = key != null ? key.Sign(bytes, 4, bytes.Length - 4) : Signature;
        byte[] all = new byte[bytes.Length + signature.Length];
        bytes.CopyTo(all, 0);
        signature.CopyTo(all, bytes.Length);
        return all;
    }

    private static uint BigEndian(byte[] b, int offset) => (uint)((b[offset] << 24) | (b[offset + 1] << 16) | (b[offset + 2] << 8) | b[offset + 3]);
}

/// <summary>An OMAPI key as the proxy uses it to re-sign replies (HMAC-MD5/SHA1/SHA256/SHA384/SHA512).</summary>
public sealed class ProxyKey
{
    private readonly byte[] _secret;

    /// <summary>Creates a key from dhcpd.conf's algorithm name (<c>hmac-sha256</c>) and base64 secret.</summary>
    public ProxyKey(string algorithm, string secretBase64)
    {
        Algorithm = algorithm.Split('.')[0].ToUpperInvariant();
        _secret = Convert.FromBase64String(secretBase64);
        SignatureLength = Algorithm switch
        {
            "HMAC-MD5" => 16,
            "HMAC-SHA1" => 20,
            "HMAC-SHA256" => 32,
            "HMAC-SHA384" => 48,
            "HMAC-SHA512" => 64,
            _ => throw new NotSupportedException("The fault proxy re-signs with HMAC-MD5, -SHA1, -SHA256, -SHA384 or -SHA512, not " + algorithm),
        };
    }

    /// <summary>The algorithm, e.g. HMAC-SHA256.</summary>
    public string Algorithm { get; }

    /// <summary>The HMAC size in bytes.</summary>
    public int SignatureLength { get; }

    /// <summary>HMAC of bytes[offset, offset+count).</summary>
    public byte[] Sign(byte[] bytes, int offset, int count)
    {
        ReadOnlySpan<byte> data = bytes.AsSpan(offset, count);
#pragma warning disable CA5351 // HMAC-MD5 is one of the algorithms dhcpd speaks; this is a test tool.
        return Algorithm switch
        {
            "HMAC-MD5" => HMACMD5.HashData(_secret, data),
            "HMAC-SHA1" => HMACSHA1.HashData(_secret, data),
            "HMAC-SHA256" => HMACSHA256.HashData(_secret, data),
            "HMAC-SHA384" => HMACSHA384.HashData(_secret, data),
            _ => HMACSHA512.HashData(_secret, data),
        };
#pragma warning restore CA5351
    }
}

/// <summary>
/// A fault to inject: for each client request that <see cref="Match"/> accepts (at most <see cref="Times"/> times, -1 for
/// always), the proxy does <see cref="Action"/> to the request or to its reply.
/// </summary>
public sealed class FaultRule
{
    /// <summary>Creates a rule.</summary>
    public FaultRule(FaultAction action, Func<ProxyRequest, bool> match, int times = 1)
    {
        Action = action;
        Match = match;
        Times = times;
    }

    /// <summary>What to do.</summary>
    public FaultAction Action { get; }

    /// <summary>Which requests it applies to.</summary>
    public Func<ProxyRequest, bool> Match { get; }

    /// <summary>How many more requests it applies to (-1: every one).</summary>
    public int Times { get; internal set; }

    /// <summary>For DelayReply and TrickleReply: the delay (per byte for TrickleReply).</summary>
    public TimeSpan Delay { get; init; } = TimeSpan.FromMilliseconds(1);

    /// <summary>For TruncateReply: how many bytes of the reply still go through.</summary>
    public int Bytes { get; init; } = 10;

    /// <summary>For RewriteReply: changes the reply (its signature is then recomputed with the proxy's key).</summary>
    public Action<ProxyMessage, ProxyRequest>? Rewrite { get; init; }

    /// <summary>How many times the rule fired.</summary>
    public int Fired => Volatile.Read(ref _fired);

    internal int _fired;
}

/// <summary>A client request the proxy saw, for rule matching.</summary>
public sealed class ProxyRequest
{
    internal ProxyRequest(ProxyMessage message, int connection, long index)
    {
        Message = message;
        Connection = connection;
        Index = index;
    }

    /// <summary>The request.</summary>
    public ProxyMessage Message { get; }

    /// <summary>Which accepted connection it came on (0 = the first).</summary>
    public int Connection { get; }

    /// <summary>Its number among all requests the proxy saw (0 = the first).</summary>
    public long Index { get; }

    /// <summary>The opcode.</summary>
    public uint Op => Message.Op;

    /// <summary>The <c>type</c> message value (OPEN), or null.</summary>
    public string? Type => Message.Type;

    /// <summary>True for an OPEN of that type.</summary>
    public bool IsOpen(string type) => Op == 1 && Type == type;

    /// <summary>True for an OPEN of the authenticator (the handshake).</summary>
    public bool IsHandshake => Op == 1 && Type == "authenticator";
}

/// <summary>
/// A TCP proxy between an OMAPI client and a real dhcpd, on 127.0.0.1 inside the test namespace, that injects faults
/// (drop, delay, truncate, duplicate, reorder, close, re-sign a reply with the key; drop or close before a request; cut
/// the client's byte stream into small segments). It parses OMAPI itself (not with Omapi.Core): a test tool must not share
/// the code it tests.
/// </summary>
public sealed class OmapiFaultProxy : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly string _upstreamHost;
    private readonly int _upstreamPort;
    private readonly ProxyKey? _key;
    private readonly List<FaultRule> _rules = new();
    private readonly ConcurrentDictionary<int, Link> _links = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _acceptor;
    private int _accepted;
    private long _requests;
    private long _repliesForwarded;

    /// <summary>Starts listening; every accepted connection is relayed to <paramref name="upstreamHost"/>:<paramref name="upstreamPort"/>.</summary>
    public OmapiFaultProxy(string upstreamHost, int upstreamPort, ProxyKey? key = null)
    {
        _upstreamHost = upstreamHost;
        _upstreamPort = upstreamPort;
        _key = key;
        _listener.Start();
        _acceptor = new Thread(AcceptLoop) { IsBackground = true, Name = "fault proxy accept" };
        _acceptor.Start();
    }

    /// <summary>The proxy's address.</summary>
    public string Host => "127.0.0.1";

    /// <summary>The proxy's port.</summary>
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Connections accepted so far.</summary>
    public int Accepted => Volatile.Read(ref _accepted);

    /// <summary>Requests seen so far.</summary>
    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>Replies forwarded so far.</summary>
    public long RepliesForwarded => Interlocked.Read(ref _repliesForwarded);

    /// <summary>When true, new connections are accepted and closed at once, before any intro (a server restarting).</summary>
    public bool CloseNewConnections { get; set; }

    /// <summary>
    /// When above 0, the client's bytes reach dhcpd in segments of 1..<see cref="SegmentBytes"/> bytes, cut anywhere
    /// (also inside a message), each written on its own after a pause of <see cref="SegmentPause"/> (a network whose
    /// segments do not follow the client's writes).
    /// </summary>
    public int SegmentBytes { get; set; }

    /// <summary>The pause between segments (busy-waited, so it may be below a millisecond).</summary>
    public TimeSpan SegmentPause { get; set; } = TimeSpan.FromTicks(200); // 20 µs

    /// <summary>Adds a rule; rules are tried in the order added, the first that matches a request applies.</summary>
    public FaultRule Add(FaultRule rule)
    {
        lock (_rules)
        {
            _rules.Add(rule);
        }

        return rule;
    }

    /// <summary>Removes every rule.</summary>
    public void ClearRules()
    {
        lock (_rules)
        {
            _rules.Clear();
        }
    }

    /// <summary>Closes every relayed connection now (both sides), as a network failure would.</summary>
    public void CutAll()
    {
        foreach (Link link in _links.Values)
        {
            link.Close();
        }
    }

    /// <summary>Stops listening and closes every connection.</summary>
    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        CutAll();
        _acceptor.Join(TimeSpan.FromSeconds(5));
        _stop.Dispose();
    }

    private FaultRule? MatchRule(ProxyRequest request)
    {
        lock (_rules)
        {
            foreach (FaultRule rule in _rules)
            {
                if (rule.Times != 0 && rule.Match(request))
                {
                    if (rule.Times > 0)
                    {
                        rule.Times--;
                    }

                    Interlocked.Increment(ref rule._fired);
                    return rule;
                }
            }
        }

        return null;
    }

    private void AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = _listener.AcceptSocket();
            }
            catch (Exception ex) when (ex is SocketException || ex is ObjectDisposedException || ex is InvalidOperationException)
            {
                return;
            }

            int index = Interlocked.Increment(ref _accepted) - 1;
            if (CloseNewConnections)
            {
                client.Close();
                continue;
            }

            var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                upstream.Connect(_upstreamHost, _upstreamPort);
            }
            catch (SocketException)
            {
                client.Close();
                upstream.Dispose();
                continue;
            }

            client.NoDelay = true;
            var link = new Link(this, index, client, upstream);
            _links[index] = link;
            link.Start();
        }
    }

    /// <summary>One relayed connection: a thread per direction.</summary>
    private sealed class Link
    {
        private readonly OmapiFaultProxy _proxy;
        private readonly int _index;
        private readonly Socket _client;
        private readonly Socket _server;
        private readonly ConcurrentDictionary<uint, (ProxyRequest Request, FaultRule? Rule)> _requests = new();
        private readonly object _toClient = new();
        private readonly Random _random;
        private byte[]? _held; // a reply held back by ReorderReply
        private int _closed;

        internal Link(OmapiFaultProxy proxy, int index, Socket client, Socket server)
        {
            _proxy = proxy;
            _index = index;
            _client = client;
            _server = server;
            _random = new Random(index * 7919 + 1);
        }

        internal void Start()
        {
            new Thread(Upstream) { IsBackground = true, Name = "fault proxy up " + _index }.Start();
            new Thread(Downstream) { IsBackground = true, Name = "fault proxy down " + _index }.Start();
        }

        internal void Close()
        {
            if (Interlocked.Exchange(ref _closed, 1) != 0)
            {
                return;
            }

            foreach (Socket s in new[] { _client, _server })
            {
                try
                {
                    s.Shutdown(SocketShutdown.Both);
                }
                catch (Exception ex) when (ex is SocketException || ex is ObjectDisposedException)
                {
                }

                s.Close();
            }

            _proxy._links.TryRemove(_index, out _);
        }

        /// <summary>Client to server: each request is matched against the rules, then forwarded, dropped or cut off.</summary>
        private void Upstream() => Relay(_client, intro => SendToServer(intro, 0, intro.Length), (message, buffer, start, length) =>
        {
            var request = new ProxyRequest(message, _index, Interlocked.Increment(ref _proxy._requests) - 1);
            FaultRule? rule = _proxy.MatchRule(request);
            if (rule?.Action == FaultAction.CloseBeforeRequest)
            {
                return false;
            }

            if (rule?.Action != FaultAction.DropRequest)
            {
                _requests[message.Id] = (request, rule);
                SendToServer(buffer, start, length);
            }

            return true;
        });

        /// <summary>
        /// Reads <paramref name="from"/> until it closes: the 8-byte intro goes to <paramref name="intro"/>, then each whole
        /// message to <paramref name="message"/> (which returns false to close the link). Closes the link at the end.
        /// </summary>
        private void Relay(Socket from, Action<byte[]> intro, Func<ProxyMessage, byte[], int, int, bool> message)
        {
            var buffer = new byte[1 << 20];
            int count = 0;
            bool introDone = false;
            try
            {
                while (true)
                {
                    int n = from.Receive(buffer, count, buffer.Length - count, SocketFlags.None);
                    if (n == 0)
                    {
                        break;
                    }

                    count += n;
                    int start = 0;
                    if (!introDone)
                    {
                        if (count < 8)
                        {
                            continue;
                        }

                        intro(buffer[0..8]);
                        start = 8;
                        introDone = true;
                    }

                    while (ProxyMessage.TryDecode(buffer, start, count, out int length) is ProxyMessage decoded)
                    {
                        if (!message(decoded, buffer, start, length))
                        {
                            Close();
                            return;
                        }

                        start += length;
                    }

                    Buffer.BlockCopy(buffer, start, buffer, 0, count - start);
                    count -= start;
                }
            }
            catch (Exception ex) when (ex is SocketException || ex is ObjectDisposedException)
            {
            }

            Close();
        }

        private void SendToServer(byte[] bytes, int offset, int count)
        {
            int segment = _proxy.SegmentBytes;
            if (segment <= 0)
            {
                _server.Send(bytes, offset, count, SocketFlags.None);
                return;
            }

            while (count > 0)
            {
                int n = Math.Min(count, _random.Next(1, segment + 1));
                _server.Send(bytes, offset, n, SocketFlags.None);
                offset += n;
                count -= n;
                long until = Stopwatch.GetTimestamp() + (long)(_proxy.SegmentPause.TotalSeconds * Stopwatch.Frequency);
                while (Stopwatch.GetTimestamp() < until)
                {
                    Thread.SpinWait(20);
                }
            }
        }

        /// <summary>Server to client: each reply gets the rule of the request it answers.</summary>
        private void Downstream() => Relay(_server, SendToClient, (reply, buffer, start, length) => Forward(reply, buffer[start..(start + length)]));

        /// <summary>Applies the rule of the request this reply answers; false when the connection must close now.</summary>
        private bool Forward(ProxyMessage reply, byte[] bytes)
        {
            _requests.TryRemove(reply.Rid, out (ProxyRequest Request, FaultRule? Rule) asked);
            FaultRule? rule = asked.Rule;
            switch (rule?.Action)
            {
                case FaultAction.DropReply:
                    return true;
                case FaultAction.CloseBeforeReply:
                    return false;
                case FaultAction.DelayReply:
                    Thread.Sleep(rule.Delay);
                    break;
                case FaultAction.TruncateReply:
                    SendToClient(bytes[..Math.Min(rule.Bytes, bytes.Length)]);
                    return false;
                case FaultAction.DuplicateReply:
                    SendToClient(bytes);
                    break;
                case FaultAction.ReorderReply:
                    _held = bytes;
                    return true;
                case FaultAction.RewriteReply:
                    ProxyMessage changed = reply.Clone();
                    rule.Rewrite?.Invoke(changed, asked.Request);
                    bytes = changed.Encode(changed.Signature.Length == 0 ? null : _proxy._key ?? throw new InvalidOperationException("RewriteReply of a signed reply needs the proxy's key"));
                    break;
                case FaultAction.TrickleReply:
                    foreach (byte b in bytes)
                    {
                        SendToClient(new[] { b });
                        Thread.Sleep(rule.Delay);
                    }

                    Interlocked.Increment(ref _proxy._repliesForwarded);
                    return true;
            }

            SendToClient(bytes);
            Interlocked.Increment(ref _proxy._repliesForwarded);
            if (_held is byte[] held)
            {
                _held = null;
                SendToClient(held);
                Interlocked.Increment(ref _proxy._repliesForwarded);
            }

            return true;
        }

        private void SendToClient(byte[] bytes)
        {
            lock (_toClient)
            {
                _client.Send(bytes, SocketFlags.None);
            }
        }
    }
}
