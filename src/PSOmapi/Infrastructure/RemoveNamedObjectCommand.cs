using System;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using Omapi.Core;

namespace PSOmapi
{
    /// <summary>
    /// The shared body of Remove-OmapiGroup and Remove-OmapiClass: delete objects of one name-keyed type, by name (looked
    /// up, then deleted by handle) or as piped objects (deleted by their handle, after a same-server check).
    /// ShouldProcess comes before any request.
    /// </summary>
    /// <typeparam name="T">The object type the Get- cmdlet of the family returns.</typeparam>
    public abstract class RemoveNamedObjectCommand<T> : OmapiSessionCmdlet
        where T : class
    {
        /// <summary>The parameter set of -Name.</summary>
        protected const string NameSet = "Name";

        /// <summary>The parameter set of -InputObject (the default: piped objects are used by handle, not looked up again).</summary>
        protected const string InputObjectSet = "InputObject";

        /// <summary>Names of the objects to delete (strings from the pipeline, or objects with a Name property).</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = NameSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string[] Name { get; set; } = Array.Empty<string>();

        /// <summary>Objects from the family's Get- or New- cmdlet: deleted by their handle, without a lookup.</summary>
        [Parameter(Mandatory = true, ParameterSetName = InputObjectSet, ValueFromPipeline = true)]
        [ValidateNotNull]
        public T[] InputObject { get; set; } = Array.Empty<T>();

        /// <summary>The object kind as users read it: "group", "class".</summary>
        private protected abstract string Kind { get; }

        /// <summary>The ErrorId when the object does not exist.</summary>
        private protected abstract string NotFoundId { get; }

        /// <summary>The ErrorId when the object already exists.</summary>
        private protected abstract string ExistsId { get; }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            OmapiSessionInfo info = ResolveSession();
            OmapiSession session = info.Core;
            if (ParameterSetName == InputObjectSet)
            {
                foreach (T item in InputObject)
                {
                    (string? name, string server, uint handle) = Describe(item);
                    if (CheckSameServer(server, item) && ShouldProcess(Kind + " '" + name + "' on " + info.Server, "Remove"))
                    {
                        if (TryRun(ct => DeleteAsync(session, handle, name!, ct), item, NotFoundId, ExistsId, out OmapiWriteResult deleted))
                        {
                            Report(deleted);
                        }
                    }
                }

                return;
            }

            foreach (string name in Name)
            {
                if (!ShouldProcess(Kind + " '" + name + "' on " + info.Server, "Remove"))
                {
                    continue;
                }

                if (TryRun(
                    async ct =>
                    {
                        T found = await LookUpAsync(session, name, ct).ConfigureAwait(false);
                        return await DeleteAsync(session, Describe(found).Handle, name, ct).ConfigureAwait(false);
                    },
                    name,
                    NotFoundId,
                    ExistsId,
                    out OmapiWriteResult deleted))
                {
                    Report(deleted);
                }
            }
        }

        /// <summary>Deletes by handle; a lost reply is resolved by looking the name up again (gone means deleted).</summary>
        private Task<OmapiWriteResult> DeleteAsync(OmapiSession session, uint handle, string name, CancellationToken cancellationToken) =>
            session.DeleteObjectAsync(
                handle,
                "delete " + Kind + " " + name,
                async ct =>
                {
                    try
                    {
                        return Describe(await LookUpAsync(session, name, ct).ConfigureAwait(false)).Handle == handle;
                    }
                    catch (OmapiNotFoundException)
                    {
                        return false;
                    }
                },
                cancellationToken);

        /// <summary>The object's name, server and handle.</summary>
        private protected abstract (string? Name, string Server, uint Handle) Describe(T item);

        /// <summary>Looks the object up by name.</summary>
        private protected abstract Task<T> LookUpAsync(OmapiSession session, string name, CancellationToken cancellationToken);
    }
}
