using System;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using Omapi.Core;
using Omapi.Core.Bulk;

namespace PSOmapi
{
    /// <summary>
    /// Cross-cutting cmdlet behaviour: a cancellation source that Ctrl+C (StopProcessing) cancels, so waits on the
    /// socket end at once; and the translation of Omapi.Core exceptions into ErrorRecords.
    /// </summary>
    public abstract class OmapiCmdlet : PSCmdlet, IDisposable
    {
        private readonly CancellationTokenSource _stopping = new CancellationTokenSource();

        /// <summary>Cancelled when the user presses Ctrl+C or the pipeline stops.</summary>
        protected CancellationToken StopToken => _stopping.Token;

        /// <summary>Releases the cancellation source.</summary>
        public void Dispose()
        {
            ReleaseResources();
            _stopping.Dispose();
            GC.SuppressFinalize(this);
        }

        /// <summary>
        /// Releases what the cmdlet still holds when PowerShell disposes it, which it does whether the pipeline completed or
        /// was stopped (Ctrl+C, Select-Object -First): e.g. a bulk operation EndProcessing never got to finish.
        /// </summary>
        protected virtual void ReleaseResources()
        {
        }

        /// <inheritdoc />
        protected override void StopProcessing() => _stopping.Cancel();

        /// <summary>Waits for core work on the pipeline thread; a stop request ends the wait at once.</summary>
        protected T Run<T>(Func<CancellationToken, Task<T>> work)
        {
            try
            {
                return work(StopToken).GetAwaiter().GetResult();
            }
            catch (OperationCanceledException) when (StopToken.IsCancellationRequested)
            {
                throw new PipelineStoppedException();
            }
        }

        /// <summary>Like <see cref="Run{T}"/> for work without a result.</summary>
        protected void Run(Func<CancellationToken, Task> work) => Run(async ct =>
        {
            await work(ct).ConfigureAwait(false);
            return true;
        });

        /// <summary>
        /// Runs the work and returns true; on an Omapi.Core failure writes a non-terminating error for <paramref name="target"/>
        /// and returns false, so the next input is processed.
        /// </summary>
        protected bool TryRun<T>(Func<CancellationToken, Task<T>> work, object target, string notFoundId, string existsId, out T result)
        {
            try
            {
                result = Run(work);
                return true;
            }
            catch (Exception ex) when (IsReportable(ex))
            {
                WriteError(OmapiErrors.ToErrorRecord(ex, target, notFoundId, existsId));
                result = default!;
                return false;
            }
        }

        /// <summary>Like <see cref="TryRun{T}"/> for work without a result.</summary>
        protected bool TryRun(Func<CancellationToken, Task> work, object target, string notFoundId, string existsId) =>
            TryRun(async ct =>
            {
                await work(ct).ConfigureAwait(false);
                return true;
            }, target, notFoundId, existsId, out _);

        /// <summary>
        /// A change's value, after warning when its reply was lost and reading back showed it applied (the user is told
        /// the truth, and that nothing needs to be done again).
        /// </summary>
        protected T Report<T>(OmapiWriteResult<T> result)
        {
            Report((OmapiWriteResult)result);
            return result.Value;
        }

        /// <summary>Warns when a change's reply was lost and reading back showed it applied.</summary>
        protected void Report(OmapiWriteResult result)
        {
            if (result != null && result.ReplyLost && result.Note != null)
            {
                WriteWarning(result.Note);
            }
        }

        /// <summary>
        /// Starts a bulk operation, or stops the cmdlet with an ErrorRecord for <paramref name="target"/> when it cannot
        /// start (no connection): nothing can be looked up then.
        /// </summary>
        protected OmapiBulkOperation<TKey, TValue> StartBulk<TKey, TValue>(Func<CancellationToken, Task<OmapiBulkOperation<TKey, TValue>>> start, object target, string notFoundId = ErrorIds.ObjectNotFound, string existsId = ErrorIds.ObjectAlreadyExists)
        {
            try
            {
                return Run(start);
            }
            catch (Exception ex) when (IsReportable(ex))
            {
                ThrowError(ex, target, notFoundId, existsId);
                throw; // ThrowTerminatingError does not return.
            }
        }

        /// <summary>Stops the cmdlet with an ErrorRecord for <paramref name="exception"/>.</summary>
        protected void ThrowError(Exception exception, object? target, string notFoundId = ErrorIds.ObjectNotFound, string existsId = ErrorIds.ObjectAlreadyExists) =>
            ThrowTerminatingError(OmapiErrors.ToErrorRecord(exception, target, notFoundId, existsId));

        /// <summary>Errors the module reports as ErrorRecords (everything from the core and bad user values).</summary>
        protected static bool IsReportable(Exception ex) => ex is OmapiException || ex is ArgumentException || ex is FormatException || ex is ObjectDisposedException;
    }
}
