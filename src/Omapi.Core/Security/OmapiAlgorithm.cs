using System;

namespace Omapi.Core.Security
{
    /// <summary>The HMAC algorithms dhcpd 4.4 accepts for OMAPI keys (omapi-protocol.md section 4.2).</summary>
    /// <remarks>SHA-2 variants work end to end only against dhcpd 4.4.3 and later.</remarks>
    public enum OmapiAlgorithm
    {
        /// <summary>HMAC-MD5 (16-byte signature). dhcpd's default; not allowed under FIPS.</summary>
        HmacMd5,
        /// <summary>HMAC-SHA1 (20-byte signature).</summary>
        HmacSha1,
        /// <summary>HMAC-SHA224 (28-byte signature).</summary>
        HmacSha224,
        /// <summary>HMAC-SHA256 (32-byte signature).</summary>
        HmacSha256,
        /// <summary>HMAC-SHA384 (48-byte signature).</summary>
        HmacSha384,
        /// <summary>HMAC-SHA512 (64-byte signature).</summary>
        HmacSha512,
    }

    /// <summary>Names and sizes of <see cref="OmapiAlgorithm"/> values.</summary>
    public static class OmapiAlgorithms
    {
        /// <summary>The longest signature any supported algorithm produces (HMAC-SHA512).</summary>
        public const int MaxSignatureLength = 64;

        /// <summary>The signature (full digest) length in bytes.</summary>
        public static int SignatureLength(OmapiAlgorithm algorithm) => algorithm switch
        {
            OmapiAlgorithm.HmacMd5 => 16,
            OmapiAlgorithm.HmacSha1 => 20,
            OmapiAlgorithm.HmacSha224 => 28,
            OmapiAlgorithm.HmacSha256 => 32,
            OmapiAlgorithm.HmacSha384 => 48,
            OmapiAlgorithm.HmacSha512 => 64,
            _ => throw new ArgumentOutOfRangeException(nameof(algorithm)),
        };

        /// <summary>The display name, e.g. <c>HMAC-SHA256</c>.</summary>
        public static string DisplayName(OmapiAlgorithm algorithm) => algorithm switch
        {
            OmapiAlgorithm.HmacMd5 => "HMAC-MD5",
            OmapiAlgorithm.HmacSha1 => "HMAC-SHA1",
            OmapiAlgorithm.HmacSha224 => "HMAC-SHA224",
            OmapiAlgorithm.HmacSha256 => "HMAC-SHA256",
            OmapiAlgorithm.HmacSha384 => "HMAC-SHA384",
            OmapiAlgorithm.HmacSha512 => "HMAC-SHA512",
            _ => throw new ArgumentOutOfRangeException(nameof(algorithm)),
        };

        /// <summary>The name sent in the authenticator open, e.g. <c>hmac-md5.SIG-ALG.REG.INT.</c> (dhcpd compares it ignoring case).</summary>
        public static string WireName(OmapiAlgorithm algorithm) => DisplayName(algorithm).ToLowerInvariant() + ".SIG-ALG.REG.INT.";

        /// <summary>
        /// Parses <c>HMAC-MD5</c>, <c>hmac-sha256</c>, <c>HMAC_SHA256</c>, <c>hmac-md5.SIG-ALG.REG.INT.</c> and the enum names
        /// (case-insensitive). Returns false for anything dhcpd cannot sign with.
        /// </summary>
        public static bool TryParse(string? text, out OmapiAlgorithm algorithm)
        {
            algorithm = OmapiAlgorithm.HmacMd5;
            if (string.IsNullOrWhiteSpace(text))
            {
                return false;
            }

            string s = text!.Trim().ToUpperInvariant();
            const string suffix = ".SIG-ALG.REG.INT";
            if (s.EndsWith(".", StringComparison.Ordinal))
            {
                s = s.Substring(0, s.Length - 1);
            }

            if (s.EndsWith(suffix, StringComparison.Ordinal))
            {
                s = s.Substring(0, s.Length - suffix.Length);
            }

            s = s.Replace("_", "-");
            if (!s.StartsWith("HMAC-", StringComparison.Ordinal) && s.StartsWith("HMAC", StringComparison.Ordinal))
            {
                s = "HMAC-" + s.Substring(4);
            }

            foreach (OmapiAlgorithm candidate in new[] { OmapiAlgorithm.HmacMd5, OmapiAlgorithm.HmacSha1, OmapiAlgorithm.HmacSha224, OmapiAlgorithm.HmacSha256, OmapiAlgorithm.HmacSha384, OmapiAlgorithm.HmacSha512 })
            {
                if (s == DisplayName(candidate))
                {
                    algorithm = candidate;
                    return true;
                }
            }

            return false;
        }

        /// <summary>Parses like <see cref="TryParse"/> or throws an <see cref="ArgumentException"/> naming the accepted values.</summary>
        public static OmapiAlgorithm Parse(string text)
        {
            if (TryParse(text, out OmapiAlgorithm algorithm))
            {
                return algorithm;
            }

            throw new ArgumentException("'" + text + "' is not an OMAPI key algorithm. Use HMAC-MD5, HMAC-SHA1, HMAC-SHA224, HMAC-SHA256, HMAC-SHA384 or HMAC-SHA512.", nameof(text));
        }
    }
}
