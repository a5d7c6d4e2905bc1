using System;
using System.Threading;
using System.Threading.Tasks;
using Omapi.Core.Connection;
using Omapi.Core.Protocol;

namespace Omapi.Core
{
    public sealed partial class OmapiSession
    {
        /// <summary>
        /// Sends a change once and reports truthfully what dhcpd did (docs/design/request-lifecycle.md):
        /// <list type="bullet">
        /// <item>its reply came: <paramref name="interpret"/> turns it into the result, or throws dhcpd's refusal;</item>
        /// <item>the connection closed before the request was written: nothing reached dhcpd, so it is sent once more on a new
        /// connection;</item>
        /// <item>it was written and its reply was lost (closed, reset, timed out): the old connection is closed, so
        /// <paramref name="readBack"/> asks dhcpd on a new one what the object is now. Applied: a result with
        /// <see cref="OmapiWriteResult.ReplyLost"/>; not applied: the original error, saying so; undecidable or unreachable:
        /// <see cref="OmapiOutcomeUnknownException"/>.</item>
        /// </list>
        /// </summary>
        private async Task<OmapiWriteResult<T>> WriteAsync<T>(OmapiRequest request, Func<OmapiMessage, T> interpret, Func<CancellationToken, Task<Verdict<T>>> readBack, CancellationToken cancellationToken)
        {
            OmapiMessage reply;
            try
            {
                reply = await SendAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (OmapiException ex) when (ex.ReplyLost && !cancellationToken.IsCancellationRequested)
            {
                return await ResolveAsync(request.Description, ex, readBack, cancellationToken).ConfigureAwait(false);
            }

            return new OmapiWriteResult<T>(interpret(reply));
        }

        private async Task<OmapiWriteResult<T>> ResolveAsync<T>(string operation, OmapiException lost, Func<CancellationToken, Task<Verdict<T>>> readBack, CancellationToken cancellationToken)
        {
            string what = "The reply to '" + operation + "' was lost (" + Trim(lost.Message) + ")";
            Verdict<T> verdict;
            try
            {
                verdict = await readBack(cancellationToken).ConfigureAwait(false);
            }
            catch (OmapiException readError) when (readError is OmapiConnectionException || readError is OmapiTimeoutException || readError is OmapiProtocolException)
            {
                throw new OmapiOutcomeUnknownException(
                    operation,
                    what + " and dhcpd could not be asked afterwards what it did (" + Trim(readError.Message) + "). The change may or may not have been applied: look at the object once the server answers, before trying again.",
                    lost);
            }

            if (verdict.IsApplied)
            {
                return new OmapiWriteResult<T>(verdict.Value, replyLost: true, what + "; reading it back on a new connection shows the change was applied" + Detail(verdict.Detail) + ".");
            }

            if (verdict.IsNotApplied)
            {
                string message = what + "; reading it back on a new connection shows it was NOT applied" + Detail(verdict.Detail) + ". Nothing changed: it is safe to try again.";
                throw lost is OmapiTimeoutException timeout
                    ? new OmapiTimeoutException(timeout.Operation, timeout.Timeout, "its reply did not come, and reading back shows it was NOT applied" + Detail(verdict.Detail) + "; nothing changed, it is safe to try again") { NotApplied = true }
                    : new OmapiConnectionException(message, lost) { Operation = operation, NotApplied = true };
            }

            if (verdict.IsPartly)
            {
                string message = what + "; reading it back on a new connection shows it was only partly applied: " + verdict.Detail + ".";
                throw lost is OmapiTimeoutException timeout
                    ? new OmapiTimeoutException(timeout.Operation, timeout.Timeout, "its reply did not come, and reading back shows it was only partly applied: " + verdict.Detail)
                    : new OmapiConnectionException(message, lost) { Operation = operation };
            }

            throw new OmapiOutcomeUnknownException(
                operation,
                what + ", and reading back on a new connection cannot tell whether it was applied: " + verdict.Detail + ". Look at the object (or dhcpd's leases file) before trying again.",
                lost);
        }

        private static string Detail(string? detail) => string.IsNullOrEmpty(detail) ? string.Empty : " (" + detail + ")";

        private static string Trim(string message) => message.TrimEnd('.', ' ');
    }
}
