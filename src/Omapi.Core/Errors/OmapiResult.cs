using System.Collections.Generic;
using System.Globalization;

namespace Omapi.Core
{
    /// <summary>
    /// Result codes in the dhcpd 4.2+ numbering: libisc codes 0..n, and DHCP codes 393216 + n
    /// (omapi-protocol.md section 5.2). Codes the server sends that are not listed here are kept as their number.
    /// </summary>
#pragma warning disable CA1028 // The wire value is an unsigned 32-bit isc_result_t.
#pragma warning disable CA1008 // Success is 0 by protocol definition.
    public enum OmapiResult : uint
#pragma warning restore CA1008, CA1028
    {
        /// <summary>ISC_R_SUCCESS.</summary>
        Success = 0,
        /// <summary>ISC_R_NOMEMORY.</summary>
        NoMemory = 1,
        /// <summary>ISC_R_TIMEDOUT.</summary>
        TimedOut = 2,
        /// <summary>ISC_R_NOPERM: the attribute or object may not be changed.</summary>
        NoPermission = 6,
        /// <summary>ISC_R_EXISTS: the object (or a write-once attribute) already exists.</summary>
        Exists = 18,
        /// <summary>ISC_R_NOTFOUND: no object matches, or no such handle.</summary>
        NotFound = 23,
        /// <summary>ISC_R_FAILURE.</summary>
        Failure = 25,
        /// <summary>ISC_R_IOERROR: dhcpd could not write its leases file.</summary>
        IOError = 26,
        /// <summary>ISC_R_NOTIMPLEMENTED: NOTIFY, create/remove stubs, unsearchable types.</summary>
        NotImplemented = 27,
        /// <summary>ISC_R_UNEXPECTED.</summary>
        Unexpected = 34,
        /// <summary>ISC_R_NOTCONNECTED (also the pre-4.2 DHCP code 40).</summary>
        NotConnected = 40,
        /// <summary>DHCP_R_HOSTUNKNOWN.</summary>
        HostUnknown = 393216,
        /// <summary>DHCP_R_VERSIONMISMATCH.</summary>
        VersionMismatch = 393217,
        /// <summary>DHCP_R_PROTOCOLERROR.</summary>
        ProtocolError = 393218,
        /// <summary>DHCP_R_INVALIDARG.</summary>
        InvalidArgument = 393219,
        /// <summary>DHCP_R_NOTYET.</summary>
        NotYet = 393220,
        /// <summary>DHCP_R_UNCHANGED (success inside updates).</summary>
        Unchanged = 393221,
        /// <summary>DHCP_R_MULTIPLE: more than one object matches the key.</summary>
        Multiple = 393222,
        /// <summary>DHCP_R_KEYCONFLICT: the lookup keys identify different objects.</summary>
        KeyConflict = 393223,
        /// <summary>DHCP_R_BADPARSE: statements failed to parse.</summary>
        BadParse = 393224,
        /// <summary>DHCP_R_NOKEYS: no authenticator on a message to a secure server.</summary>
        NoKeys = 393225,
        /// <summary>DHCP_R_KEY_UNKNOWN.</summary>
        KeyUnknown = 393226,
        /// <summary>DHCP_R_INVALIDKEY: bad signature, or a key that is not the server's omapi-key.</summary>
        InvalidKey = 393227,
        /// <summary>DHCP_R_INCOMPLETE.</summary>
        Incomplete = 393228,
        /// <summary>DHCP_R_UNKNOWNATTRIBUTE: the object type has no such attribute.</summary>
        UnknownAttribute = 393248,
    }

    /// <summary>Which numbering the server uses for DHCP result codes.</summary>
    public enum OmapiResultNumbering
    {
        /// <summary>dhcpd 4.2 and later (4.4 included): DHCP codes are 393216 + n.</summary>
        Modern,
        /// <summary>dhcpd 3.x and 4.1: DHCP codes follow libisc's, from 36 (HOSTUNKNOWN) to 69 (UNKNOWNATTRIBUTE).</summary>
        Legacy,
    }

    /// <summary>Names and texts of result codes, and the translation of pre-4.2 codes.</summary>
    public static class OmapiResults
    {
        /// <summary>The first DHCP-class code in the 4.2+ numbering (ISC_RESULTCLASS_DHCP).</summary>
        public const uint DhcpClassBase = 393216;

        private static readonly string[] DhcpNames =
        {
            "HOSTUNKNOWN", "VERSIONMISMATCH", "PROTOCOLERROR", "INVALIDARG", "NOTYET", "UNCHANGED", "MULTIPLE", "KEYCONFLICT",
            "BADPARSE", "NOKEYS", "KEY_UNKNOWN", "INVALIDKEY", "INCOMPLETE", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMPL",
            "REFUSED", "YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE", "BADSIG", "BADKEY", "BADTIME", "NOROOTZONE",
            "DESTADDRREQ", "CROSSZONE", "NO_TSIG", "NOT_EQUAL", "CONNRESET", "UNKNOWNATTRIBUTE",
        };

        private static readonly string[] DhcpTexts =
        {
            "host unknown", "protocol version mismatch", "protocol error", "invalid argument", "data not yet available",
            "object unchanged", "more than one object matches key", "key conflict", "parse error(s) occurred", "no key specified",
            "zone TSIG key not known", "invalid TSIG key", "operation in progress", "formerr", "servfail", "nxdomain", "notimpl",
            "refused", "yxdomain", "yxrrset", "nxrrset", "not authorized", "not in zone", "bad signature", "bad key", "bad time",
            "no root zone", "destination address required", "cross zone", "no TSIG signature", "not equal", "connection reset by peer",
            "unknown attribute",
        };

        private static readonly Dictionary<uint, (string Name, string Text)> IscCodes = new Dictionary<uint, (string, string)>
        {
            [0] = ("SUCCESS", "success"),
            [1] = ("NOMEMORY", "out of memory"),
            [2] = ("TIMEDOUT", "timed out"),
            [6] = ("NOPERM", "permission denied"),
            [18] = ("EXISTS", "already exists"),
            [23] = ("NOTFOUND", "not found"),
            [25] = ("FAILURE", "failure"),
            [26] = ("IOERROR", "I/O error"),
            [27] = ("NOTIMPLEMENTED", "not implemented"),
            [34] = ("UNEXPECTED", "unexpected error"),
            [40] = ("NOTCONNECTED", "not connected"),
        };

        /// <summary>
        /// Translates a code as received into the 4.2+ numbering. Under <see cref="OmapiResultNumbering.Legacy"/>,
        /// 36..39 map to DHCP 0..3, 40 stays NOTCONNECTED, and 41..69 map to DHCP 4..32; codes 0..35 are the same in both.
        /// </summary>
        public static uint Normalize(uint code, OmapiResultNumbering numbering)
        {
            if (numbering == OmapiResultNumbering.Legacy)
            {
                if (code >= 36 && code <= 39)
                {
                    return DhcpClassBase + (code - 36);
                }

                if (code >= 41 && code <= 69)
                {
                    return DhcpClassBase + (code - 37);
                }
            }

            return code;
        }

        /// <summary>The code's symbolic name, e.g. <c>ISC_R_NOTFOUND</c> or <c>DHCP_R_MULTIPLE</c>; a generic name for unknown codes.</summary>
        public static string Name(uint code)
        {
            if (code >= DhcpClassBase && code - DhcpClassBase < DhcpNames.Length)
            {
                return "DHCP_R_" + DhcpNames[code - DhcpClassBase];
            }

            return IscCodes.TryGetValue(code, out var entry)
                ? "ISC_R_" + entry.Name
                : "RESULT_" + code.ToString(CultureInfo.InvariantCulture);
        }

        /// <summary>The library's text for the code, e.g. "not found".</summary>
        public static string Text(uint code)
        {
            if (code >= DhcpClassBase && code - DhcpClassBase < DhcpTexts.Length)
            {
                return DhcpTexts[code - DhcpClassBase];
            }

            return IscCodes.TryGetValue(code, out var entry)
                ? entry.Text
                : "result code " + code.ToString(CultureInfo.InvariantCulture);
        }
    }
}
