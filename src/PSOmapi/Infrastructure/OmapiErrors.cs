using System;
using System.Management.Automation;
using Omapi.Core;

namespace PSOmapi
{
    /// <summary>Turns Omapi.Core exceptions into ErrorRecords: one place for ErrorIds and categories.</summary>
    internal static class OmapiErrors
    {
        /// <summary>
        /// Builds the ErrorRecord for <paramref name="exception"/>. <paramref name="notFoundId"/> and
        /// <paramref name="existsId"/> name the object kind (LeaseNotFound, HostAlreadyExists ...).
        /// </summary>
        internal static ErrorRecord ToErrorRecord(Exception exception, object? target, string notFoundId = ErrorIds.ObjectNotFound, string existsId = ErrorIds.ObjectAlreadyExists)
        {
            (string id, ErrorCategory category) = Classify(exception, notFoundId, existsId);
            var record = new ErrorRecord(exception, id, category, target);
            string? advice = Advice(exception, id);
            if (advice != null)
            {
                record.ErrorDetails = new ErrorDetails(exception.Message) { RecommendedAction = advice };
            }

            return record;
        }

        internal static ErrorRecord Create(string id, ErrorCategory category, string message, object? target, Exception? inner = null) =>
            new ErrorRecord(new ArgumentException(message, inner), id, category, target);

        /// <summary>What NoSession records name as their target when there is no session object to name.</summary>
        internal const string DefaultSessionTarget = "default OMAPI session";

        /// <summary>
        /// A NoSession record: not an argument problem but a state one (InvalidOperationException), with what to do in
        /// RecommendedAction.
        /// </summary>
        internal static ErrorRecord NoSession(string message, ErrorCategory category, object? target, string advice) =>
            new ErrorRecord(new InvalidOperationException(message), ErrorIds.NoSession, category, target)
            {
                ErrorDetails = new ErrorDetails(message) { RecommendedAction = advice },
            };

        private static (string, ErrorCategory) Classify(Exception exception, string notFoundId, string existsId) => exception switch
        {
            OmapiNotFoundException _ => (notFoundId, ErrorCategory.ObjectNotFound),
            OmapiAlreadyExistsException _ => (existsId, ErrorCategory.ResourceExists),
            OmapiMultipleMatchesException _ => (ErrorIds.MultipleMatches, ErrorCategory.InvalidResult),
            OmapiKeyConflictException _ => (ErrorIds.KeyConflict, ErrorCategory.InvalidArgument),
            OmapiAuthenticationException _ => (ErrorIds.AuthenticationFailed, ErrorCategory.AuthenticationError),
            OmapiParseErrorException _ => (ErrorIds.InvalidStatements, ErrorCategory.InvalidArgument),
            OmapiUnknownAttributeException _ => (ErrorIds.UnknownAttribute, ErrorCategory.InvalidArgument),
            OmapiPermissionDeniedException _ => (ErrorIds.PermissionDenied, ErrorCategory.PermissionDenied),
            OmapiNotSupportedException _ => (ErrorIds.NotSupported, ErrorCategory.NotImplemented),
            OmapiInvalidArgumentException _ => (ErrorIds.InvalidArgument, ErrorCategory.InvalidArgument),
            OmapiServerException _ => (ErrorIds.ServerError, ErrorCategory.NotSpecified),
            OmapiTimeoutException _ => (ErrorIds.OperationTimeout, ErrorCategory.OperationTimeout),
            OmapiConnectionException _ => (ErrorIds.ConnectionFailed, ErrorCategory.ConnectionError),
            OmapiProtocolException _ => (ErrorIds.ProtocolError, ErrorCategory.ProtocolError),
            OmapiMalformedValueException _ => (ErrorIds.MalformedValue, ErrorCategory.InvalidData),
            OmapiUnsafeStatementsException _ => (ErrorIds.InvalidStatements, ErrorCategory.InvalidArgument),
            OmapiOutcomeUnknownException _ => (ErrorIds.OutcomeUnknown, ErrorCategory.OperationStopped),
            OmapiInvalidNameException n when n.Kind == "host" => (ErrorIds.InvalidHostName, ErrorCategory.InvalidArgument),
            FormatException _ => (ErrorIds.InvalidArgument, ErrorCategory.InvalidArgument),
            ArgumentException _ => (ErrorIds.InvalidArgument, ErrorCategory.InvalidArgument),
            ObjectDisposedException _ => (ErrorIds.NoSession, ErrorCategory.ResourceUnavailable),
            _ => (ErrorIds.ServerError, ErrorCategory.NotSpecified),
        };

        private static string? Advice(Exception exception, string id) => id switch
        {
            ErrorIds.AuthenticationFailed => exception is OmapiAuthenticationException a ? a.Hint : null,
            ErrorIds.ConnectionFailed => exception is OmapiException { NotApplied: true }
                ? "Nothing was changed: run the command again once the server answers."
                : "Check that dhcpd is running, that dhcpd.conf sets omapi-port, and that TCP to that port is allowed; the next command reconnects by itself.",
            ErrorIds.OutcomeUnknown => "Look at the object once the server answers (Get-OmapiHost, Get-OmapiLease ...) before trying again: the change may have been applied.",
            ErrorIds.InvalidHostName => "Use a name of ASCII letters, digits, '-' and '_' (parts separated by single dots, none starting with '_').",
            ErrorIds.OperationTimeout => exception is OmapiException { NotApplied: true }
                ? "Nothing was changed: run the command again once the server answers in time."
                : "The server did not answer in time: check its load and reachability, or raise Connect-Omapi -TimeoutSec.",
            ErrorIds.ProtocolError => "The connection was closed because the peer sent invalid OMAPI; the next command opens a new connection. Check that the port is dhcpd's OMAPI port.",
            ErrorIds.MultipleMatches => "Several objects match: look it up by a key that identifies one (for leases, the IP address).",
            ErrorIds.InvalidStatements => "dhcpd could not parse the statements; its log (syslog or dhcpd -d output) names the error.",
            _ => null,
        };
    }
}
