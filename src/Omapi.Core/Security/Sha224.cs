using System;

namespace Omapi.Core.Security
{
    /// <summary>
    /// SHA-224 as specified in FIPS 180-4: the SHA-256 compression function started from the
    /// SHA-224 initial hash values, with the digest truncated to the first seven 32-bit words.
    /// </summary>
    /// <remarks>
    /// Exists because System.Security.Cryptography offers no SHA-224 and OMAPI signs messages
    /// with HMAC-SHA224. All methods are stateless and safe to call from several threads.
    /// </remarks>
    internal static class Sha224
    {
        /// <summary>Length of a SHA-224 digest, in bytes.</summary>
        public const int HashSize = 28;

        /// <summary>Length of the message block the compression function consumes, in bytes.</summary>
        public const int BlockSize = 64;

        // FIPS 180-4, section 5.3.2: initial hash value H(0) for SHA-224.
        private static readonly uint[] InitialState =
        {
            0xc1059ed8u, 0x367cd507u, 0x3070dd17u, 0xf70e5939u,
            0xffc00b31u, 0x68581511u, 0x64f98fa7u, 0xbefa4fa4u,
        };

        // FIPS 180-4, section 4.2.2: the SHA-224/SHA-256 round constants.
        private static readonly uint[] RoundConstants =
        {
            0x428a2f98u, 0x71374491u, 0xb5c0fbcfu, 0xe9b5dba5u, 0x3956c25bu, 0x59f111f1u, 0x923f82a4u, 0xab1c5ed5u,
            0xd807aa98u, 0x12835b01u, 0x243185beu, 0x550c7dc3u, 0x72be5d74u, 0x80deb1feu, 0x9bdc06a7u, 0xc19bf174u,
            0xe49b69c1u, 0xefbe4786u, 0x0fc19dc6u, 0x240ca1ccu, 0x2de92c6fu, 0x4a7484aau, 0x5cb0a9dcu, 0x76f988dau,
            0x983e5152u, 0xa831c66du, 0xb00327c8u, 0xbf597fc7u, 0xc6e00bf3u, 0xd5a79147u, 0x06ca6351u, 0x14292967u,
            0x27b70a85u, 0x2e1b2138u, 0x4d2c6dfcu, 0x53380d13u, 0x650a7354u, 0x766a0abbu, 0x81c2c92eu, 0x92722c85u,
            0xa2bfe8a1u, 0xa81a664bu, 0xc24b8b70u, 0xc76c51a3u, 0xd192e819u, 0xd6990624u, 0xf40e3585u, 0x106aa070u,
            0x19a4c116u, 0x1e376c08u, 0x2748774cu, 0x34b0bcb5u, 0x391c0cb3u, 0x4ed8aa4au, 0x5b9cca4fu, 0x682e6ff3u,
            0x748f82eeu, 0x78a5636fu, 0x84c87814u, 0x8cc70208u, 0x90befffau, 0xa4506cebu, 0xbef9a3f7u, 0xc67178f2u,
        };

        /// <summary>Computes the SHA-224 digest of <paramref name="count"/> bytes of <paramref name="data"/> starting at <paramref name="offset"/>.</summary>
        /// <param name="data">The buffer holding the message.</param>
        /// <param name="offset">Index of the first message byte in <paramref name="data"/>.</param>
        /// <param name="count">Number of message bytes.</param>
        /// <returns>A new 28-byte array holding the digest.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="data"/> is null.</exception>
        /// <exception cref="ArgumentOutOfRangeException">The range lies outside <paramref name="data"/>.</exception>
        public static byte[] ComputeHash(byte[] data, int offset, int count)
        {
            CheckRange(data, offset, count);
            return Finish(CreateInitialState(), data, offset, count, 0);
        }

        /// <summary>Returns a fresh copy of the SHA-224 initial hash value.</summary>
        internal static uint[] CreateInitialState() => (uint[])InitialState.Clone();

        /// <summary>Validates an (array, offset, count) triple the way the framework's hash APIs do.</summary>
        internal static void CheckRange(byte[] data, int offset, int count)
        {
            if (data is null)
            {
                throw new ArgumentNullException(nameof(data));
            }

            if (offset < 0 || offset > data.Length)
            {
                throw new ArgumentOutOfRangeException(nameof(offset), offset, "Offset must lie within the buffer.");
            }

            if (count < 0 || count > data.Length - offset)
            {
                throw new ArgumentOutOfRangeException(nameof(count), count, "Count must not run past the end of the buffer.");
            }
        }

        /// <summary>
        /// Absorbs the message bytes into <paramref name="state"/>, applies the FIPS 180-4 padding and
        /// returns the truncated digest. <paramref name="state"/> must already have absorbed
        /// <paramref name="prefixLength"/> bytes (a multiple of <see cref="BlockSize"/>); it is consumed
        /// and wiped. The range must already have been validated.
        /// </summary>
        internal static byte[] Finish(uint[] state, byte[] data, int offset, int count, long prefixLength)
        {
            var schedule = new uint[64];
            int fullBlocksLength = count - (count % BlockSize);
            for (int i = 0; i < fullBlocksLength; i += BlockSize)
            {
                Compress(state, data, offset + i, schedule);
            }

            // Tail: the remaining 0..63 bytes, the 0x80 marker, zero fill and the 64-bit
            // big-endian bit length. That fits one block when at most 55 bytes remain, else two.
            int remaining = count - fullBlocksLength;
            var tail = new byte[remaining < BlockSize - 8 ? BlockSize : 2 * BlockSize];
            Buffer.BlockCopy(data, offset + fullBlocksLength, tail, 0, remaining);
            tail[remaining] = 0x80;
            ulong bitLength = ((ulong)prefixLength + (ulong)count) << 3;
            for (int i = 0; i < 8; i++)
            {
                tail[tail.Length - 1 - i] = (byte)(bitLength >> (8 * i));
            }

            for (int i = 0; i < tail.Length; i += BlockSize)
            {
                Compress(state, tail, i, schedule);
            }

            var digest = new byte[HashSize];
            for (int i = 0; i < HashSize / 4; i++)
            {
                uint word = state[i];
                digest[4 * i] = (byte)(word >> 24);
                digest[(4 * i) + 1] = (byte)(word >> 16);
                digest[(4 * i) + 2] = (byte)(word >> 8);
                digest[(4 * i) + 3] = (byte)word;
            }

            // The buffers may hold message or key-derived material; do not leave it behind.
            Array.Clear(schedule, 0, schedule.Length);
            Array.Clear(tail, 0, tail.Length);
            Array.Clear(state, 0, state.Length);
            return digest;
        }

        /// <summary>
        /// The SHA-256 compression function (FIPS 180-4, section 6.2.2) applied to the 64-byte block at
        /// <paramref name="offset"/>. <paramref name="schedule"/> is a 64-word scratch buffer.
        /// </summary>
        internal static void Compress(uint[] state, byte[] block, int offset, uint[] schedule)
        {
            for (int t = 0; t < 16; t++)
            {
                int p = offset + (4 * t);
                schedule[t] = ((uint)block[p] << 24) | ((uint)block[p + 1] << 16) | ((uint)block[p + 2] << 8) | block[p + 3];
            }

            for (int t = 16; t < 64; t++)
            {
                uint w15 = schedule[t - 15];
                uint w2 = schedule[t - 2];
                uint sigma0 = RotateRight(w15, 7) ^ RotateRight(w15, 18) ^ (w15 >> 3);
                uint sigma1 = RotateRight(w2, 17) ^ RotateRight(w2, 19) ^ (w2 >> 10);
                schedule[t] = unchecked(sigma1 + schedule[t - 7] + sigma0 + schedule[t - 16]);
            }

            uint a = state[0];
            uint b = state[1];
            uint c = state[2];
            uint d = state[3];
            uint e = state[4];
            uint f = state[5];
            uint g = state[6];
            uint h = state[7];

            for (int t = 0; t < 64; t++)
            {
                uint bigSigma1 = RotateRight(e, 6) ^ RotateRight(e, 11) ^ RotateRight(e, 25);
                uint choose = (e & f) ^ (~e & g);
                uint t1 = unchecked(h + bigSigma1 + choose + RoundConstants[t] + schedule[t]);
                uint bigSigma0 = RotateRight(a, 2) ^ RotateRight(a, 13) ^ RotateRight(a, 22);
                uint majority = (a & b) ^ (a & c) ^ (b & c);
                uint t2 = unchecked(bigSigma0 + majority);
                h = g;
                g = f;
                f = e;
                e = unchecked(d + t1);
                d = c;
                c = b;
                b = a;
                a = unchecked(t1 + t2);
            }

            unchecked
            {
                state[0] += a;
                state[1] += b;
                state[2] += c;
                state[3] += d;
                state[4] += e;
                state[5] += f;
                state[6] += g;
                state[7] += h;
            }
        }

        private static uint RotateRight(uint value, int bits) => (value >> bits) | (value << (32 - bits));
    }

    /// <summary>
    /// HMAC-SHA224 (RFC 2104 over SHA-224, full 28-byte tag), used to sign OMAPI messages.
    /// </summary>
    /// <remarks>
    /// The key is absorbed once, in the constructor: the SHA-224 states after the
    /// <c>K xor ipad</c> and <c>K xor opad</c> blocks are kept and never changed afterwards, so one
    /// instance may be shared between threads. The key itself is not retained.
    /// </remarks>
    internal sealed class HmacSha224
    {
        private const byte InnerPad = 0x36;
        private const byte OuterPad = 0x5c;

        // SHA-224 states after compressing the padded key block; private key material.
        private readonly uint[] innerState;
        private readonly uint[] outerState;

        /// <summary>Creates an HMAC-SHA224 instance for <paramref name="key"/>.</summary>
        /// <param name="key">The secret key, of any length; keys longer than 64 bytes are first hashed with SHA-224 (RFC 2104). The array is not retained.</param>
        /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
        public HmacSha224(byte[] key)
        {
            if (key is null)
            {
                throw new ArgumentNullException(nameof(key));
            }

            byte[] keyBlock = new byte[Sha224.BlockSize];
            if (key.Length > Sha224.BlockSize)
            {
                byte[] hashedKey = Sha224.ComputeHash(key, 0, key.Length);
                Buffer.BlockCopy(hashedKey, 0, keyBlock, 0, hashedKey.Length);
                Array.Clear(hashedKey, 0, hashedKey.Length);
            }
            else
            {
                Buffer.BlockCopy(key, 0, keyBlock, 0, key.Length);
            }

            var schedule = new uint[64];
            innerState = AbsorbPaddedKey(keyBlock, InnerPad, schedule);
            outerState = AbsorbPaddedKey(keyBlock, OuterPad, schedule);
            Array.Clear(schedule, 0, schedule.Length);
            Array.Clear(keyBlock, 0, keyBlock.Length);
        }

        /// <summary>Computes the HMAC-SHA224 tag of <paramref name="count"/> bytes of <paramref name="data"/> starting at <paramref name="offset"/>.</summary>
        /// <param name="data">The buffer holding the message.</param>
        /// <param name="offset">Index of the first message byte in <paramref name="data"/>.</param>
        /// <param name="count">Number of message bytes.</param>
        /// <returns>A new 28-byte array holding the tag.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="data"/> is null.</exception>
        /// <exception cref="ArgumentOutOfRangeException">The range lies outside <paramref name="data"/>.</exception>
        public byte[] ComputeHash(byte[] data, int offset, int count)
        {
            Sha224.CheckRange(data, offset, count);

            // Work on copies: the precomputed states are shared and must stay unchanged.
            byte[] innerHash = Sha224.Finish((uint[])innerState.Clone(), data, offset, count, Sha224.BlockSize);
            byte[] tag = Sha224.Finish((uint[])outerState.Clone(), innerHash, 0, innerHash.Length, Sha224.BlockSize);
            Array.Clear(innerHash, 0, innerHash.Length);
            return tag;
        }

        private static uint[] AbsorbPaddedKey(byte[] keyBlock, byte pad, uint[] schedule)
        {
            var padded = new byte[Sha224.BlockSize];
            for (int i = 0; i < padded.Length; i++)
            {
                padded[i] = (byte)(keyBlock[i] ^ pad);
            }

            uint[] state = Sha224.CreateInitialState();
            Sha224.Compress(state, padded, 0, schedule);
            Array.Clear(padded, 0, padded.Length);
            return state;
        }
    }
}
