using System;
using System.Security.Cryptography;

namespace Omapi.Core.Security
{
    /// <summary>
    /// An OMAPI key: the name and algorithm dhcpd.conf gives it, and the decoded secret.
    /// The secret never leaves this object except into an HMAC: it is not exposed as a property, not serialised,
    /// and never appears in <see cref="ToString"/> or any exception message.
    /// </summary>
    public sealed class OmapiKey
    {
        [NonSerialized]
        private readonly byte[] _secret;

        /// <summary>Creates a key from the raw (already base64-decoded) secret. The array is copied.</summary>
        public OmapiKey(string name, OmapiAlgorithm algorithm, byte[] secret)
        {
            if (string.IsNullOrWhiteSpace(name))
            {
                throw new ArgumentException("An OMAPI key needs the name it has in dhcpd.conf (key \"name\" { ... }).", nameof(name));
            }

            if (secret == null || secret.Length == 0)
            {
                throw new ArgumentException("The key's secret is empty.", nameof(secret));
            }

            Name = name;
            Algorithm = algorithm;
            _secret = (byte[])secret.Clone();
        }

        /// <summary>The key name, as in <c>key "name" { ... }</c> (dhcpd matches it ignoring case).</summary>
        public string Name { get; }

        /// <summary>The HMAC algorithm.</summary>
        public OmapiAlgorithm Algorithm { get; }

        /// <summary>The signature length for <see cref="Algorithm"/>.</summary>
        public int SignatureLength => OmapiAlgorithms.SignatureLength(Algorithm);

        /// <summary>
        /// Creates a key from the base64 secret exactly as written in dhcpd.conf's <c>secret "...";</c>.
        /// A secret that is not valid base64 gives an <see cref="ArgumentException"/> that does not repeat it.
        /// </summary>
        public static OmapiKey FromBase64(string name, OmapiAlgorithm algorithm, string base64Secret)
        {
            if (string.IsNullOrWhiteSpace(base64Secret))
            {
                throw new ArgumentException("The key's secret is empty; give the base64 text from the key's secret \"...\"; line.", nameof(base64Secret));
            }

            byte[] secret;
            try
            {
                secret = Convert.FromBase64String(base64Secret.Trim());
            }
            catch (FormatException)
            {
                // Deliberately no inner exception and no echo of the input: the text is a secret.
                throw new ArgumentException("The key's secret is not valid base64. Copy it exactly from the key's secret \"...\"; line (as tsig-keygen or dnssec-keygen wrote it).", nameof(base64Secret));
            }

            try
            {
                return new OmapiKey(name, algorithm, secret);
            }
            finally
            {
                Array.Clear(secret, 0, secret.Length);
            }
        }

        /// <summary>The same name and secret with another algorithm (for a key file whose algorithm line is overridden).</summary>
        public OmapiKey WithAlgorithm(OmapiAlgorithm algorithm) => new OmapiKey(Name, algorithm, _secret);

        /// <summary>Shows the name and algorithm only.</summary>
        public override string ToString() => "OMAPI key '" + Name + "' (" + OmapiAlgorithms.DisplayName(Algorithm) + ")";

        /// <summary>Creates a MAC instance for one connection direction (not thread-safe; one per user).</summary>
        internal OmapiMac CreateMac() => new OmapiMac(Algorithm, _secret);
    }

    /// <summary>A keyed HMAC for one algorithm. Not thread-safe: each connection keeps one for sending and one for receiving.</summary>
    internal sealed class OmapiMac : IDisposable
    {
        private readonly HMAC? _hmac;
        private readonly HmacSha224? _sha224;

        internal OmapiMac(OmapiAlgorithm algorithm, byte[] secret)
        {
            Length = OmapiAlgorithms.SignatureLength(algorithm);
#pragma warning disable CA5351, CA5350 // MD5 and SHA1 are what dhcpd speaks; the user chooses the key's algorithm.
            switch (algorithm)
            {
                case OmapiAlgorithm.HmacMd5: _hmac = new HMACMD5(secret); break;
                case OmapiAlgorithm.HmacSha1: _hmac = new HMACSHA1(secret); break;
                case OmapiAlgorithm.HmacSha224: _sha224 = new HmacSha224(secret); break;
                case OmapiAlgorithm.HmacSha256: _hmac = new HMACSHA256(secret); break;
                case OmapiAlgorithm.HmacSha384: _hmac = new HMACSHA384(secret); break;
                case OmapiAlgorithm.HmacSha512: _hmac = new HMACSHA512(secret); break;
                default: throw new ArgumentOutOfRangeException(nameof(algorithm));
            }
#pragma warning restore CA5351, CA5350
        }

        /// <summary>The signature length in bytes.</summary>
        internal int Length { get; }

        internal byte[] Compute(byte[] data, int offset, int count) =>
            _hmac != null ? _hmac.ComputeHash(data, offset, count) : _sha224!.ComputeHash(data, offset, count);

        public void Dispose() => _hmac?.Dispose();
    }
}
