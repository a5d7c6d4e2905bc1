using System;
using System.Net;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Omapi.Core.Objects;
using Omapi.Core.Protocol;

namespace Omapi.Core.Benchmarks;

/// <summary>
/// The codec's per-message work on the lease path, through Omapi.Core's public API.
/// </summary>
/// <remarks>
/// <para>
/// Signing is not public: the library signs inside <c>OmapiConnection</c> (internal <c>OmapiCodec.EncodeInto</c> with an
/// internal <c>OmapiMac</c> from <c>OmapiKey.CreateMac()</c>, straight into the connection's send buffer) and verifies in
/// its read loop. What a user of the public API can do, and what is measured here as "signed", is
/// <see cref="OmapiCodec.Encode"/> (which writes authid and authlen 0) followed by the same HMAC the library computes —
/// a <see cref="HMAC"/> instance kept for the whole connection, <c>ComputeHash(buffer, 4, length - 4)</c> over the bytes
/// from the authlen field to the end of the object list — written behind the message with authid/authlen patched in.
/// That costs one more array and copy than the library's own path, so these rows are an upper bound for it.
/// </para>
/// <para>
/// The reply is what dhcpd 4.4.3 sends for a lease OPEN (omapi-protocol.md: the attributes of
/// <c>dhcp_lease_stuff_values</c> in order), with a 7-byte uid and a 15-character hostname: 325 bytes signed with
/// HMAC-MD5 (the end-to-end benchmark's mean reply is 300 bytes).
/// </para>
/// </remarks>
[MemoryDiagnoser]
public class CodecBenchmarks
{
    private const string Server = "127.0.0.1";
    private const uint AuthId = 0x2a;

    private static readonly byte[] Md5Secret = RandomNumberGenerator.GetBytes(32);
    private static readonly byte[] Sha256Secret = RandomNumberGenerator.GetBytes(32);

    private readonly IPAddress _address = IPAddress.Parse("198.18.12.34");
    private HMACMD5 _md5 = null!;
    private HMACSHA256 _sha256 = null!;
    private OmapiMessage _open = null!;
    private byte[] _replyMd5 = null!;
    private byte[] _replySha256 = null!;
    private OmapiFrame _frameMd5;
    private OmapiFrame _frameSha256;
    private OmapiObject _leaseObject = null!;

    /// <summary>Encoded sizes, for the report.</summary>
    public int OpenUnsignedBytes { get; private set; }

    public int OpenMd5Bytes { get; private set; }

    public int ReplyMd5Bytes { get; private set; }

    public int ReplySha256Bytes { get; private set; }

    [GlobalSetup]
    public void Setup()
    {
        _md5 = new HMACMD5(Md5Secret);
        _sha256 = new HMACSHA256(Sha256Secret);
        _open = LeaseOpen(_address, 1);

        OmapiMessage reply = LeaseReply();
        _replyMd5 = Sign(OmapiCodec.Encode(reply), _md5);
        _replySha256 = Sign(OmapiCodec.Encode(reply), _sha256);
        _frameMd5 = Decode(_replyMd5);
        _frameSha256 = Decode(_replySha256);
        _leaseObject = new OmapiObject("lease", _frameMd5.Message.Handle, _frameMd5.Message.ObjectValues);
        if (!Verify(_frameMd5, _md5) || !Verify(_frameSha256, _sha256) || OmapiLease.FromObject(_leaseObject, Server).GetState() != LeaseState.Active)
        {
            throw new InvalidOperationException("The benchmark's reply does not verify or does not read as an active lease.");
        }

        OpenUnsignedBytes = OmapiCodec.Encode(_open).Length;
        OpenMd5Bytes = EncodeSigned(_md5).Length;
        ReplyMd5Bytes = _replyMd5.Length;
        ReplySha256Bytes = _replySha256.Length;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _md5.Dispose();
        _sha256.Dispose();
    }

    /// <summary>A lease OPEN by IP address, as the session builds one (message type=lease, object ip-address), encoded unsigned.</summary>
    [Benchmark]
    public byte[] EncodeOpenUnsigned() => OmapiCodec.Encode(LeaseOpen(_address, 7));

    /// <summary>The OPEN encoded, then signed with HMAC-MD5 as described in the class remarks (public API).</summary>
    [Benchmark]
    public byte[] EncodeOpenMd5() => EncodeSigned(_md5);

    /// <summary>The same with HMAC-SHA256.</summary>
    [Benchmark]
    public byte[] EncodeOpenSha256() => EncodeSigned(_sha256);

    /// <summary>Decodes the signed reply (values copied out of the receive buffer; names from the shared name table).</summary>
    [Benchmark]
    public OmapiMessage DecodeReply() => Decode(_replyMd5).Message;

    /// <summary>The reply's HMAC-MD5 recomputed over its signed bytes and compared in constant time.</summary>
    [Benchmark]
    public bool VerifyReplyMd5() => Verify(_frameMd5, _md5);

    /// <summary>The same with HMAC-SHA256 (the reply is 16 bytes longer).</summary>
    [Benchmark]
    public bool VerifyReplySha256() => Verify(_frameSha256, _sha256);

    /// <summary>The typed lease from the decoded object values.</summary>
    [Benchmark]
    public OmapiLease LeaseFromObject() => OmapiLease.FromObject(_leaseObject, Server);

    /// <summary>Everything the client does per lease reply: decode, verify, build the lease.</summary>
    [Benchmark]
    public OmapiLease ReplyToLease()
    {
        OmapiFrame frame = Decode(_replyMd5);
        if (!Verify(frame, _md5))
        {
            throw new InvalidOperationException("bad signature");
        }

        return OmapiLease.FromObject(new OmapiObject("lease", frame.Message.Handle, frame.Message.ObjectValues), Server);
    }

    private static OmapiMessage LeaseOpen(IPAddress address, uint id) =>
        new(OmapiOpcode.Open, 0, id, 0,
            new OmapiValueList().Add("type", "lease"),
            new OmapiValueList().Add("ip-address", OmapiEncoding.FromIPv4(address)));

    private byte[] EncodeSigned(HMAC mac) => Sign(OmapiCodec.Encode(LeaseOpen(_address, 7)), mac);

    /// <summary>
    /// Appends the signature the library would write: authid, authlen = signature length, and the HMAC of every byte
    /// from the authlen field (offset 4) to the end of the object list.
    /// </summary>
    private static byte[] Sign(byte[] unsigned, HMAC mac)
    {
        int sigLength = mac.HashSize / 8;
        var signed = new byte[unsigned.Length + sigLength];
        Buffer.BlockCopy(unsigned, 0, signed, 0, unsigned.Length);
        WriteUInt32(signed, 0, AuthId);
        WriteUInt32(signed, 4, (uint)sigLength);
        byte[] signature = mac.ComputeHash(signed, 4, unsigned.Length - 4);
        Buffer.BlockCopy(signature, 0, signed, unsigned.Length, sigLength);
        return signed;
    }

    private static OmapiFrame Decode(byte[] bytes) =>
        OmapiCodec.TryDecode(bytes, 0, bytes.Length, 0, OmapiCodec.DefaultMaxMessageSize, out OmapiFrame frame)
            ? frame
            : throw new InvalidOperationException("incomplete message");

    /// <summary>As the connection does: HMAC over the frame's signed bytes, compared in constant time.</summary>
    private static bool Verify(OmapiFrame frame, HMAC mac)
    {
        ArraySegment<byte> signed = frame.SignedBytes;
        byte[] expected = mac.ComputeHash(signed.Array!, signed.Offset, signed.Count);
        return CryptographicOperations.FixedTimeEquals(expected, frame.Message.Signature);
    }

    /// <summary>A lease reply as dhcpd 4.4.3 sends it for an active lease: UPDATE with the object's handle, rid = request id.</summary>
    private OmapiMessage LeaseReply()
    {
        uint now = 1_800_000_000;
        var values = new OmapiValueList()
            .Add("state", 2u)
            .Add("ip-address", OmapiEncoding.FromIPv4(_address))
            .Add("dhcp-client-identifier", new byte[] { 1, 2, 0, 0, 0x12, 0x34, 0x56 })
            .Add("client-hostname", "host-0123456789")
            .Add("subnet", 5u)
            .Add("pool", 6u)
            .Add("hardware-address", new byte[] { 2, 0, 0, 0x12, 0x34, 0x56 })
            .Add("hardware-type", 1u)
            .Add("ends", now + 600)
            .Add("starts", now)
            .Add("tstp", 0u)
            .Add("tsfp", 0u)
            .Add("atsfp", 0u)
            .Add("cltt", now)
            .Add("flags", new byte[] { 0 });
        return new OmapiMessage(OmapiOpcode.Update, 0x1234, 99, 7, new OmapiValueList(), values) { AuthId = AuthId };
    }

    private static void WriteUInt32(byte[] buffer, int offset, uint value)
    {
        buffer[offset] = (byte)(value >> 24);
        buffer[offset + 1] = (byte)(value >> 16);
        buffer[offset + 2] = (byte)(value >> 8);
        buffer[offset + 3] = (byte)value;
    }
}
