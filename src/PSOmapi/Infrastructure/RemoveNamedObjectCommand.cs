using System;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using Omapi.Core;
using Omapi.Core.Objects;

namespace PSOmapi
{
    /// <summary>
    /// The shared body of Remove-OmapiGroup and Remove-OmapiClass: delete objects of one name-keyed type, by name (looked
    /// up, then deleted by handle) or as piped objects (deleted by their handle, after a same-server check).
    /// ShouldProcess comes before any request.
    /// </summary>
    /// <typeparam name="T">The object type the Get- cmdlet of the family returns.</typeparam>
    public abstract class RemoveNamedObjectCommand<T> : OmapiSessionCmdlet
        where T : class, IOmapiObject
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

        /// <summary>The family the cmdlet deletes from.</summary>
        private protected abstract NamedObjectKind<T> Kind { get; }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            OmapiSessionInfo info = ResolveSession();
            OmapiSession session = info.Core;
            NamedObjectKind<T> kind = Kind;
            if (ParameterSetName == InputObjectSet)
            {
                foreach (T item in InputObject)
                {
                    string? name = kind.NameOf(item);
                    if (CheckSameServer(item) && ShouldProcess(kind.Noun + " '" + name + "' on " + info.Server, "Remove"))
                    {
                        if (TryRun(ct => DeleteAsync(session, kind, item.GetHandle(), name!, ct), item, kind.NotFoundId, kind.ExistsId, out OmapiWriteResult deleted))
                        {
                            Report(deleted);
                        }
                    }
                }

                return;
            }

            foreach (string name in Name)
            {
                if (!ShouldProcess(kind.Noun + " '" + name + "' on " + info.Server, "Remove"))
                {
                    continue;
                }

                if (TryRun(
                    async ct =>
                    {
                        T found = await kind.LookUpAsync(session, name, ct).ConfigureAwait(false);
                        return await DeleteAsync(session, kind, found.GetHandle(), name, ct).ConfigureAwait(false);
                    },
                    name,
                    kind.NotFoundId,
                    kind.ExistsId,
                    out OmapiWriteResult deleted))
                {
                    Report(deleted);
                }
            }
        }

        /// <summary>Deletes by handle; a lost reply is resolved by looking the name up again (gone means deleted).</summary>
        private static Task<OmapiWriteResult> DeleteAsync(OmapiSession session, NamedObjectKind<T> kind, uint handle, string name, CancellationToken cancellationToken) =>
            session.DeleteObjectAsync(
                handle,
                "delete " + kind.Noun + " " + name,
                async ct =>
                {
                    try
                    {
                        return (await kind.LookUpAsync(session, name, ct).ConfigureAwait(false)).GetHandle() == handle;
                    }
                    catch (OmapiNotFoundException)
                    {
                        return false;
                    }
                },
                cancellationToken);
    }
}
