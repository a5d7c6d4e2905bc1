using System;
using System.Globalization;
using Omapi.Core.Protocol;

namespace Omapi.Core
{
    /// <summary>The base of every exception Omapi.Core throws (except argument validation).</summary>
    public class OmapiException : Exception
    {
        /// <summary>Creates the exception.</summary>
        public OmapiException() { }

        /// <summary>Creates the exception.</summary>
        public OmapiException(string message) : base(message) { }

        /// <summary>Creates the exception, keeping the cause.</summary>
        public OmapiException(string message, Exception? innerException) : base(message, innerException) { }

        /// <summary>
        /// True when the request had been written and its reply never came (the connection closed, or the wait timed out and
        /// retired the connection): dhcpd may have applied it. A write's outcome must then be found out before the user is
        /// told anything (the session's write operations do that); a read can simply be asked again.
        /// </summary>
        public bool ReplyLost { get; internal set; }

        /// <summary>
        /// True when a change's reply was lost and reading the object back on a new connection showed the change was not
        /// applied: nothing changed, and it is safe to try again.
        /// </summary>
        public bool NotApplied { get; internal set; }
    }

    /// <summary>
    /// The server answered with a STATUS whose result is not success. Carries the code (in the 4.2+ numbering),
    /// its symbolic name, the server's own message text, and what was being done.
    /// </summary>
    public class OmapiServerException : OmapiException
    {
        /// <summary>Creates the exception.</summary>
        public OmapiServerException(uint resultCode, string? serverMessage, string operation)
            : base(Describe(resultCode, serverMessage, operation))
        {
            ResultCode = resultCode;
            ServerMessage = serverMessage;
            Operation = operation;
        }

        /// <summary>The result code (4.2+ numbering; pre-4.2 codes are translated).</summary>
        public uint ResultCode { get; }

        /// <summary>The code as an enum (the number itself when it has no name).</summary>
        public OmapiResult Result => (OmapiResult)ResultCode;

        /// <summary>The code's symbolic name, e.g. <c>ISC_R_NOTFOUND</c>.</summary>
        public string ResultName => OmapiResults.Name(ResultCode);

        /// <summary>The server's <c>message</c> value, when it sent one.</summary>
        public string? ServerMessage { get; }

        /// <summary>What was asked, e.g. "open lease".</summary>
        public string Operation { get; }

        /// <summary>Maps a STATUS result to the most specific exception type.</summary>
        public static OmapiServerException Create(uint resultCode, string? serverMessage, string operation) => (OmapiResult)resultCode switch
        {
            OmapiResult.NotFound => new OmapiNotFoundException(resultCode, serverMessage, operation),
            OmapiResult.Exists => new OmapiAlreadyExistsException(resultCode, serverMessage, operation),
            OmapiResult.Multiple => new OmapiMultipleMatchesException(resultCode, serverMessage, operation),
            OmapiResult.KeyConflict => new OmapiKeyConflictException(resultCode, serverMessage, operation),
            OmapiResult.BadParse => new OmapiParseErrorException(resultCode, serverMessage, operation),
            OmapiResult.NoPermission => new OmapiPermissionDeniedException(resultCode, serverMessage, operation),
            OmapiResult.NotImplemented => new OmapiNotSupportedException(resultCode, serverMessage, operation),
            OmapiResult.UnknownAttribute => new OmapiUnknownAttributeException(resultCode, serverMessage, operation),
            OmapiResult.InvalidArgument => new OmapiInvalidArgumentException(resultCode, serverMessage, operation),
            OmapiResult.NoKeys or OmapiResult.InvalidKey or OmapiResult.KeyUnknown => new OmapiAuthenticationException(resultCode, serverMessage, operation),
            _ => new OmapiServerException(resultCode, serverMessage, operation),
        };

        private static string Describe(uint code, string? serverMessage, string operation)
        {
            string text = string.Format(
                CultureInfo.InvariantCulture,
                "{0}: {1} ({2}, result {3})",
                operation,
                OmapiResults.Text(code),
                OmapiResults.Name(code),
                code);
            return string.IsNullOrEmpty(serverMessage) ? text + "." : text + "; dhcpd says \"" + serverMessage + "\".";
        }
    }

    /// <summary>ISC_R_NOTFOUND (23): no object matches the keys, or the handle is unknown.</summary>
    public sealed class OmapiNotFoundException : OmapiServerException
    {
        /// <summary>Creates the exception.</summary>
        public OmapiNotFoundException(uint resultCode, string? serverMessage, string operation) : base(resultCode, serverMessage, operation) { }
    }

    /// <summary>ISC_R_EXISTS (18): the object already exists, or a write-once attribute is already set.</summary>
    public sealed class OmapiAlreadyExistsException : OmapiServerException
    {
        /// <summary>Creates the exception.</summary>
        public OmapiAlreadyExistsException(uint resultCode, string? serverMessage, string operation) : base(resultCode, serverMessage, operation) { }
    }

    /// <summary>DHCP_R_MULTIPLE: more than one object matches the key (e.g. several leases for one MAC).</summary>
    public sealed class OmapiMultipleMatchesException : OmapiServerException
    {
        /// <summary>Creates the exception.</summary>
        public OmapiMultipleMatchesException(uint resultCode, string? serverMessage, string operation) : base(resultCode, serverMessage, operation) { }
    }

    /// <summary>DHCP_R_KEYCONFLICT: the lookup keys identify different objects.</summary>
    public sealed class OmapiKeyConflictException : OmapiServerException
    {
        /// <summary>Creates the exception.</summary>
        public OmapiKeyConflictException(uint resultCode, string? serverMessage, string operation) : base(resultCode, serverMessage, operation) { }
    }

    /// <summary>DHCP_R_BADPARSE: dhcpd could not parse the statements (its log has the details).</summary>
    public sealed class OmapiParseErrorException : OmapiServerException
    {
        /// <summary>Creates the exception.</summary>
        public OmapiParseErrorException(uint resultCode, string? serverMessage, string operation) : base(resultCode, serverMessage, operation) { }
    }

    /// <summary>ISC_R_NOPERM: the attribute or object may not be changed or deleted.</summary>
    public sealed class OmapiPermissionDeniedException : OmapiServerException
    {
        /// <summary>Creates the exception.</summary>
        public OmapiPermissionDeniedException(uint resultCode, string? serverMessage, string operation) : base(resultCode, serverMessage, operation) { }
    }

    /// <summary>ISC_R_NOTIMPLEMENTED: the server does not support this on that object type.</summary>
    public sealed class OmapiNotSupportedException : OmapiServerException
    {
        /// <summary>Creates the exception.</summary>
        public OmapiNotSupportedException(uint resultCode, string? serverMessage, string operation) : base(resultCode, serverMessage, operation) { }
    }

    /// <summary>DHCP_R_UNKNOWNATTRIBUTE: the object type has no such attribute.</summary>
    public sealed class OmapiUnknownAttributeException : OmapiServerException
    {
        /// <summary>Creates the exception.</summary>
        public OmapiUnknownAttributeException(uint resultCode, string? serverMessage, string operation) : base(resultCode, serverMessage, operation) { }
    }

    /// <summary>DHCP_R_INVALIDARG: a value the server cannot accept.</summary>
    public sealed class OmapiInvalidArgumentException : OmapiServerException
    {
        /// <summary>Creates the exception.</summary>
        public OmapiInvalidArgumentException(uint resultCode, string? serverMessage, string operation) : base(resultCode, serverMessage, operation) { }
    }

    /// <summary>
    /// Authentication failed: the server rejected the key (DHCP_R_NOKEYS, DHCP_R_INVALIDKEY, or NOTFOUND on the
    /// authenticator open), or a reply failed our signature check.
    /// </summary>
    public sealed class OmapiAuthenticationException : OmapiServerException
    {
        /// <summary>Creates the exception for a server STATUS.</summary>
        public OmapiAuthenticationException(uint resultCode, string? serverMessage, string operation) : base(resultCode, serverMessage, operation)
        {
            Hint = DefaultHint((OmapiResult)resultCode);
        }

        /// <summary>Creates the exception with our own explanation (for failures the client detects or interprets).</summary>
        public OmapiAuthenticationException(uint resultCode, string? serverMessage, string operation, string hint) : base(resultCode, serverMessage, operation)
        {
            Hint = hint;
        }

        /// <summary>What the user should check.</summary>
        public string Hint { get; }

        /// <inheritdoc />
        public override string Message => base.Message + " " + Hint;

        private static string DefaultHint(OmapiResult result) => result switch
        {
            OmapiResult.InvalidKey => "The server rejected our signature or our key: check that the secret matches the server's key, and that this key is the one dhcpd.conf names in omapi-key.",
            OmapiResult.NoKeys => "The server requires a key: connect with the key named in dhcpd.conf's omapi-key statement.",
            _ => "Check the key name, algorithm and secret against the server's dhcpd.conf.",
        };
    }

    /// <summary>
    /// The peer sent bytes that are not valid OMAPI (bad intro, absurd lengths, unknown opcode, bad or missing signature,
    /// a reply to an id never asked). The connection it came from is closed; the session can open a new one.
    /// </summary>
    public sealed class OmapiProtocolException : OmapiException
    {
        /// <summary>Creates the exception.</summary>
        public OmapiProtocolException(string message) : base(message) { }

        /// <summary>Creates the exception, keeping the cause.</summary>
        public OmapiProtocolException(string message, Exception? innerException) : base(message, innerException) { }
    }

    /// <summary>An attribute value that does not have the form its name requires (e.g. a 3-byte <c>state</c>). The connection stays usable.</summary>
    public sealed class OmapiMalformedValueException : OmapiException
    {
        /// <summary>Creates the exception.</summary>
        public OmapiMalformedValueException(string attributeName, byte[]? value, string expected)
            : base(string.Format(
                CultureInfo.InvariantCulture,
                "The server's '{0}' value could not be read: expected {1}, got {2}.",
                attributeName,
                expected,
                value == null ? "no value" : value.Length.ToString(CultureInfo.InvariantCulture) + " bytes (" + Preview(value) + ")"))
        {
            AttributeName = attributeName;
            Expected = expected;
        }

        /// <summary>The attribute whose value did not parse.</summary>
        public string AttributeName { get; }

        /// <summary>The form that was expected.</summary>
        public string Expected { get; }

        private static string Preview(byte[] value)
        {
            if (value.Length <= 16)
            {
                return OmapiEncoding.ToHex(value);
            }

            var head = new byte[16];
            Array.Copy(value, head, 16);
            return OmapiEncoding.ToHex(head) + "...";
        }
    }

    /// <summary>
    /// Statements refused before sending because dhcpd 4.4 can crash on them (see <see cref="Protocol.OmapiStatements"/>).
    /// Nothing was sent.
    /// </summary>
    public sealed class OmapiUnsafeStatementsException : ArgumentException
    {
        /// <summary>Creates the exception.</summary>
        public OmapiUnsafeStatementsException(string message) : base(message) { }
    }

    /// <summary>
    /// A name refused before anything was sent, because dhcpd would accept it but lose the object at its next start (see
    /// <see cref="Objects.OmapiNames"/>). Nothing was sent.
    /// </summary>
    public sealed class OmapiInvalidNameException : ArgumentException
    {
        /// <summary>Creates the exception.</summary>
        public OmapiInvalidNameException(string kind, string name, string problem)
            : base("'" + name + "' cannot be used as a " + kind + " name: " + problem + ". dhcpd writes " + kind + " names unquoted to its leases file and cannot read this one back, so the " + kind + " would disappear at its next restart. Use parts of ASCII letters, digits, '-' and '_' (not starting with '_'), separated by single dots.")
        {
            Kind = kind;
            Name = name;
            Problem = problem;
        }

        /// <summary>What was being named ("host").</summary>
        public string Kind { get; }

        /// <summary>The name refused.</summary>
        public string Name { get; }

        /// <summary>Why, in a few words.</summary>
        public string Problem { get; }
    }

    /// <summary>The TCP connection could not be made, or it was lost while a request was waiting.</summary>
    public sealed class OmapiConnectionException : OmapiException
    {
        /// <summary>Creates the exception.</summary>
        public OmapiConnectionException(string message) : base(message) { }

        /// <summary>Creates the exception, keeping the cause.</summary>
        public OmapiConnectionException(string message, Exception? innerException) : base(message, innerException) { }

        /// <summary>The request that was under way, when one was (null for a failed connect).</summary>
        public string? Operation { get; internal set; }

        /// <summary>
        /// True for a condition that usually passes by itself (the server accepted and closed at once, as dhcpd does while it
        /// restarts): connecting is worth trying again.
        /// </summary>
        public bool Transient { get; internal set; }
    }

    /// <summary>The server did not answer within the configured time.</summary>
    public sealed class OmapiTimeoutException : OmapiException
    {
        /// <summary>Creates the exception.</summary>
        public OmapiTimeoutException(string operation, TimeSpan timeout)
            : base(string.Format(CultureInfo.InvariantCulture, "dhcpd did not answer '{0}' within {1:0.###} s. The server may be overloaded or unreachable, or the connection half-open; the connection was closed and the next command opens a new one. Raise the timeout (Connect-Omapi -TimeoutSec) or check the server.", operation, timeout.TotalSeconds))
        {
            Operation = operation;
            Timeout = timeout;
        }

        /// <summary>Creates the exception for a request that timed out for a stated reason (e.g. it was never sent).</summary>
        public OmapiTimeoutException(string operation, TimeSpan timeout, string reason)
            : base(string.Format(CultureInfo.InvariantCulture, "'{0}' timed out after {1:0.###} s: {2}. The server may be overloaded; raise the timeout (Connect-Omapi -TimeoutSec) or check the server.", operation, timeout.TotalSeconds, reason))
        {
            Operation = operation;
            Timeout = timeout;
        }

        /// <summary>What was being waited for.</summary>
        public string Operation { get; }

        /// <summary>The limit that expired.</summary>
        public TimeSpan Timeout { get; }
    }

    /// <summary>
    /// A change was sent, its reply was lost, and the server could not be asked afterwards what it did (or the change is one
    /// dhcpd never reports back, such as a host's statements): it may or may not have been applied. Look at the object
    /// (or dhcpd's leases file) before trying again.
    /// </summary>
    public sealed class OmapiOutcomeUnknownException : OmapiException
    {
        /// <summary>Creates the exception.</summary>
        public OmapiOutcomeUnknownException(string operation, string message, Exception? innerException)
            : base(message, innerException)
        {
            Operation = operation;
            ReplyLost = true;
        }

        /// <summary>The change whose outcome is unknown.</summary>
        public string Operation { get; }
    }
}
