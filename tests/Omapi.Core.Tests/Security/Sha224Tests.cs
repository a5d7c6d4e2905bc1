using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using FsCheck;
using FsCheck.Fluent;
using Omapi.Core.Security;
using Xunit;

namespace Omapi.Core.Tests.Security;

// Where the expected values come from:
// - SHA-224 "abc", "", the 448-bit message and one million 'a': the FIPS 180-4 / NIST CSRC
//   example values (also reproduced by Python's hashlib and `openssl dgst -sha224`).
// - HMAC-SHA-224 test cases 1-7: RFC 4231, section 4 (also reproduced by Python's hmac module).
// - Boundary-length vectors over the Pattern() bytes: computed with `openssl dgst -sha224 -r` (OpenSSL
//   3.0) and cross-checked with Python's hashlib.sha224 / hmac; the empty-key HMAC only with Python,
//   because OpenSSL 3 rejects an empty hexkey. None of them were produced by the code under test.
public class Sha224Tests
{
    private const string MillionAExpected = "20794655980c91d8bbb4c1ea97618a4bf03f42581948b2ee4ee7ad67";

    [Theory]
    [InlineData("abc", "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7")]
    [InlineData("", "d14a028c2a3a2bc9476102bb288234c415a2b01f828ea62ac5b3e42f")]
    [InlineData("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "75388b16512776cc5dba5da1fd890150b0c6455cb4f58b1952522525")]
    public void ComputeHash_NistExample_MatchesPublishedDigest(string message, string expectedHex)
    {
        byte[] data = Encoding.ASCII.GetBytes(message);

        byte[] digest = Sha224.ComputeHash(data, 0, data.Length);

        Assert.Equal(expectedHex, Hex(digest));
    }

    [Fact]
    public void ComputeHash_OneMillionA_MatchesPublishedDigest()
    {
        byte[] data = Enumerable.Repeat((byte)'a', 1_000_000).ToArray();

        byte[] digest = Sha224.ComputeHash(data, 0, data.Length);

        Assert.Equal(MillionAExpected, Hex(digest));
    }

    [Fact]
    public void Constants_MatchSha224Parameters()
    {
        Assert.Equal(28, Sha224.HashSize);
        Assert.Equal(64, Sha224.BlockSize);
        Assert.Equal(Sha224.HashSize, Sha224.ComputeHash(Array.Empty<byte>(), 0, 0).Length);
    }

    // Lengths around the padding boundaries (55/56 bytes: one vs. two padding blocks; 63/64/65:
    // exact block; 119/120 and 127/128/129: the same one block later) and a few others.
    [Theory]
    [InlineData(0, "d14a028c2a3a2bc9476102bb288234c415a2b01f828ea62ac5b3e42f")]
    [InlineData(1, "00ecd5f138422b8ad74c9799fd826c531bad2fcabc7450bee2aa8c2a")]
    [InlineData(55, "c0c292e161a463ae5b77f08438f45cc0b34c0fa8e2fe0c6a8ddce7f5")]
    [InlineData(56, "ad0e4dae43e8b3bbcb2755e9bb1ef283a363a8155ff2531ef38c83d7")]
    [InlineData(57, "c344d89334a8aa6fef8823cf01d060fa12b8eb9d92127b9bdbbb142f")]
    [InlineData(63, "c6ba0426bcdb6fc8de3db3147ae140e48c003ddae8898acc1af67e81")]
    [InlineData(64, "0d8dc940d62a2c2926eb2602fec283d0e12a9cf9fac0db61a466a550")]
    [InlineData(65, "136e6cc78e857fdd1fa55c9e2fd6dec806e80ee988cccf7d80631b1d")]
    [InlineData(119, "e41b7ee02edc3d63ddc6c1ac516c63dcce10848609324f0726139a94")]
    [InlineData(120, "255bce819431c9f94932fc9f3e45bf92f1f0a33b5eaab71d443b1a83")]
    [InlineData(127, "99962c7ff8b4bd587556cd580ed2ed51549ed3300c9c36ab980682df")]
    [InlineData(128, "65d5a809d2ab2fde48a321060b4eb97d28fc6700df36dcf5c5db18b2")]
    [InlineData(129, "1d0a8cb4de859567156da4db3b70e16534409db9ab790899cdc26252")]
    [InlineData(300, "b76cf724b96117a3d64c662cf39e450f644828eba5eb0c35c98faff3")]
    public void ComputeHash_BoundaryLength_MatchesReferenceDigest(int length, string expectedHex)
    {
        byte[] data = Pattern(length);

        Assert.Equal(expectedHex, Hex(Sha224.ComputeHash(data, 0, data.Length)));
    }

    [Fact]
    public void ComputeHash_OffsetAndCount_HashesOnlyTheSlice()
    {
        byte[] message = Encoding.ASCII.GetBytes("abc");
        byte[] buffer = new byte[100];
        for (int i = 0; i < buffer.Length; i++)
        {
            buffer[i] = 0xEE;
        }

        Buffer.BlockCopy(message, 0, buffer, 37, message.Length);

        byte[] digest = Sha224.ComputeHash(buffer, 37, message.Length);

        Assert.Equal("23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7", Hex(digest));
        Assert.Equal("d14a028c2a3a2bc9476102bb288234c415a2b01f828ea62ac5b3e42f", Hex(Sha224.ComputeHash(buffer, 100, 0)));
    }

    [Fact]
    public void ComputeHash_AnySlice_EqualsHashOfCopiedSlice()
    {
        Arbitrary<byte[]> bytes = ArbMap.Default.ArbFor<byte[]>();
        Prop.ForAll(bytes, bytes, bytes, (prefix, middle, suffix) =>
        {
            byte[] buffer = prefix.Concat(middle).Concat(suffix).ToArray();
            byte[] fromSlice = Sha224.ComputeHash(buffer, prefix.Length, middle.Length);
            byte[] fromCopy = Sha224.ComputeHash(middle, 0, middle.Length);
            var hmac = new HmacSha224(suffix);
            return fromSlice.SequenceEqual(fromCopy)
                && hmac.ComputeHash(buffer, prefix.Length, middle.Length).SequenceEqual(hmac.ComputeHash(middle, 0, middle.Length));
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void ComputeHash_InvalidArguments_Throw()
    {
        byte[] data = new byte[10];
        var hmac = new HmacSha224(new byte[] { 1, 2, 3 });

        Assert.Throws<ArgumentNullException>(() => Sha224.ComputeHash(null!, 0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Sha224.ComputeHash(data, -1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Sha224.ComputeHash(data, 11, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Sha224.ComputeHash(data, 0, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Sha224.ComputeHash(data, 5, 6));
        Assert.Throws<ArgumentOutOfRangeException>(() => Sha224.ComputeHash(data, int.MaxValue, 1));
        Assert.Throws<ArgumentNullException>(() => new HmacSha224(null!));
        Assert.Throws<ArgumentNullException>(() => hmac.ComputeHash(null!, 0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => hmac.ComputeHash(data, 3, 8));
    }

    // RFC 4231, section 4: test cases 1-4, 6 and 7 compare the full 224-bit output.
    [Theory]
    [InlineData(1, "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "4869205468657265", "896fb1128abbdf196832107cd49df33f47b4b1169912ba4f53684b22")]
    [InlineData(2, "4a656665", "7768617420646f2079612077616e7420666f72206e6f7468696e673f", "a30e01098bc6dbbf45690f3a7e9e6d0f8bbea2a39e6148008fd05e44")]
    [InlineData(3, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd", "7fb3cb3588c6c1f6ffa9694d7d6ad2649365b0c1f65d69d1ec8333ea")]
    [InlineData(4, "0102030405060708090a0b0c0d0e0f10111213141516171819", "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd", "6c11506874013cac6a2abc1bb382627cec6a90d86efc012de7afec5a")]
    public void Hmac_Rfc4231_MatchesPublishedTag(int testCase, string keyHex, string dataHex, string expectedHex)
    {
        Assert.InRange(testCase, 1, 7);
        byte[] data = Convert.FromHexString(dataHex);

        byte[] tag = new HmacSha224(Convert.FromHexString(keyHex)).ComputeHash(data, 0, data.Length);

        Assert.Equal(expectedHex, Hex(tag));
    }

    [Fact]
    public void Hmac_Rfc4231Case5_TruncatedTagMatches()
    {
        // Test With Truncation: RFC 4231 only specifies the first 128 bits.
        byte[] key = Enumerable.Repeat((byte)0x0c, 20).ToArray();
        byte[] data = Encoding.ASCII.GetBytes("Test With Truncation");

        byte[] tag = new HmacSha224(key).ComputeHash(data, 0, data.Length);

        Assert.Equal(Sha224.HashSize, tag.Length);
        Assert.Equal("0e2aea68a90c8d37c988bcdb9fca6fa8", Hex(tag).Substring(0, 32));
    }

    [Theory]
    [InlineData(6, "Test Using Larger Than Block-Size Key - Hash Key First", "95e9a0db962095adaebe9b2d6f0dbce2d499f112f2d2b7273fa6870e")]
    [InlineData(7, "This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.", "3a854166ac5d9f023f54d517d0b39dbd946770db9c2b95c9f6f565d1")]
    public void Hmac_Rfc4231LongKey_MatchesPublishedTag(int testCase, string message, string expectedHex)
    {
        Assert.InRange(testCase, 6, 7);
        byte[] key = Enumerable.Repeat((byte)0xaa, 131).ToArray();
        byte[] data = Encoding.ASCII.GetBytes(message);

        byte[] tag = new HmacSha224(key).ComputeHash(data, 0, data.Length);

        Assert.Equal(expectedHex, Hex(tag));
    }

    // Key lengths 0, 63, 64 (padded) and 65, 100, 131 (hashed first); data lengths at padding
    // boundaries of the inner hash, which is preceded by one 64-byte key block.
    [Theory]
    [InlineData(0, 0, "5ce14f72894662213e2748d2a6ba234b74263910cedde2f5a9271524")]
    [InlineData(20, 55, "b7260b564f7ad3f806ec4ae7e2a3387c3823674b594610f68d866119")]
    [InlineData(20, 56, "bf73f626e9bbb3148b34444aec53dccea7b3f325480482085c07eeb1")]
    [InlineData(63, 63, "3e40a6e66ac6e4d051d66ba51d85705a80a17f4d5e3f5873da738144")]
    [InlineData(64, 64, "fa50bb905e05e9412e0d468030c4f0f7a49ffea9393f38bf926237a9")]
    [InlineData(65, 119, "429681ebb78e846f2c8b553e2e9e178732afea09831450ca3e9008d2")]
    [InlineData(100, 120, "24d8e5298322a156c2ebf7b880fa441500afaf4cf209c308456fa6ff")]
    [InlineData(131, 300, "a1d38e8bece6021073594ccb801ae4c96c18954629641a47be8dbde2")]
    public void Hmac_BoundaryLengths_MatchReferenceTag(int keyLength, int dataLength, string expectedHex)
    {
        byte[] key = KeyPattern(keyLength);
        byte[] data = Pattern(dataLength);

        Assert.Equal(expectedHex, Hex(new HmacSha224(key).ComputeHash(data, 0, data.Length)));
    }

    [Fact]
    public void Hmac_DoesNotKeepCallerKeyArray()
    {
        byte[] key = Convert.FromHexString("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b");
        byte[] data = Encoding.ASCII.GetBytes("Hi There");
        var hmac = new HmacSha224(key);

        Array.Clear(key);

        Assert.Equal("896fb1128abbdf196832107cd49df33f47b4b1169912ba4f53684b22", Hex(hmac.ComputeHash(data, 0, data.Length)));
    }

    [Fact]
    public void Hmac_SharedInstance_IsThreadSafe()
    {
        var hmac = new HmacSha224(KeyPattern(131));
        byte[][] messages = Enumerable.Range(0, 200).Select(Pattern).ToArray();
        string[] expected = messages.Select(m => Hex(new HmacSha224(KeyPattern(131)).ComputeHash(m, 0, m.Length))).ToArray();
        string[] actual = new string[messages.Length * 20];

        Parallel.For(0, actual.Length, i =>
        {
            byte[] m = messages[i % messages.Length];
            actual[i] = Hex(hmac.ComputeHash(m, 0, m.Length));
        });

        for (int i = 0; i < actual.Length; i++)
        {
            Assert.Equal(expected[i % messages.Length], actual[i]);
        }
    }

    // Every length 0..300 (so every padding boundary: 55, 56, 63, 64, 119, 120, ...) with random
    // content, checked against `openssl dgst -sha224` run live. Skipped where openssl is not on PATH;
    // the boundary theories above cover the same ground with stored OpenSSL output.
    [Fact]
    public void ComputeHash_AllLengthsTo300_MatchOpenSsl()
    {
        var random = new Random(20240611);
        List<byte[]> messages = Enumerable.Range(0, 301).Select(n => RandomBytes(random, n)).ToList();

        string[]? reference = RunOpenSsl(messages);

        Assert.SkipWhen(reference is null, "openssl is not installed");
        for (int n = 0; n < messages.Count; n++)
        {
            Assert.True(reference![n] == Hex(Sha224.ComputeHash(messages[n], 0, n)), $"SHA-224 differs from openssl for length {n}");
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(20)]
    [InlineData(64)]
    [InlineData(65)]
    [InlineData(200)]
    public void Hmac_AllLengthsTo300_MatchOpenSsl(int keyLength)
    {
        var random = new Random(7919 + keyLength);
        byte[] key = RandomBytes(random, keyLength);
        List<byte[]> messages = Enumerable.Range(0, 301).Select(n => RandomBytes(random, n)).ToList();

        string[]? reference = RunOpenSsl(messages, "-mac", "HMAC", "-macopt", "hexkey:" + Hex(key));

        Assert.SkipWhen(reference is null, "openssl is not installed");
        var hmac = new HmacSha224(key);
        for (int n = 0; n < messages.Count; n++)
        {
            Assert.True(reference![n] == Hex(hmac.ComputeHash(messages[n], 0, n)), $"HMAC-SHA-224 differs from openssl for key length {keyLength}, data length {n}");
        }
    }

    private static string Hex(byte[] bytes) => Convert.ToHexString(bytes).ToLowerInvariant();

    // The byte pattern the stored boundary vectors were computed over: (31 i + 7) mod 256.
    private static byte[] Pattern(int length)
    {
        byte[] data = new byte[length];
        for (int i = 0; i < length; i++)
        {
            data[i] = unchecked((byte)((i * 31) + 7));
        }

        return data;
    }

    // The key pattern of the stored HMAC boundary vectors: (13 i + 0xa5) mod 256.
    private static byte[] KeyPattern(int length)
    {
        byte[] key = new byte[length];
        for (int i = 0; i < length; i++)
        {
            key[i] = unchecked((byte)((i * 13) + 0xa5));
        }

        return key;
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        byte[] bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    // Writes each message to a temporary file and digests them all in one `openssl dgst -sha224 -r`
    // run. Returns the lowercase hex digests in message order, or null when openssl cannot be started.
    private static string[]? RunOpenSsl(IReadOnlyList<byte[]> messages, params string[] extraArguments)
    {
        string directory = Path.Combine(Path.GetTempPath(), "sha224-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            var startInfo = new ProcessStartInfo("openssl")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            startInfo.ArgumentList.Add("dgst");
            startInfo.ArgumentList.Add("-sha224");
            startInfo.ArgumentList.Add("-r");
            foreach (string argument in extraArguments)
            {
                startInfo.ArgumentList.Add(argument);
            }

            for (int i = 0; i < messages.Count; i++)
            {
                string file = Path.Combine(directory, i.ToString(CultureInfo.InvariantCulture) + ".bin");
                File.WriteAllBytes(file, messages[i]);
                startInfo.ArgumentList.Add(file);
            }

            Process process;
            try
            {
                process = Process.Start(startInfo)!;
            }
            catch (Win32Exception)
            {
                return null;
            }

            using (process)
            {
                Task<string> error = process.StandardError.ReadToEndAsync();
                string output = process.StandardOutput.ReadToEnd();
                process.WaitForExit();
                Assert.True(process.ExitCode == 0, "openssl failed: " + error.Result);

                // Each line reads "<hex digest> *<file name>"; map it back by file name.
                string[] digests = new string[messages.Count];
                foreach (string line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
                {
                    string[] parts = line.Trim().Split(" *", 2, StringSplitOptions.None);
                    int index = int.Parse(Path.GetFileNameWithoutExtension(parts[1]), CultureInfo.InvariantCulture);
                    digests[index] = parts[0].ToLowerInvariant();
                }

                Assert.All(digests, digest => Assert.Equal(2 * Sha224.HashSize, digest?.Length ?? 0));
                return digests;
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
