using System;
using System.Management.Automation;
using Omapi.Core;
using Omapi.Core.Objects;

namespace PSOmapi
{
    /// <summary>
    /// The shared body of Get-OmapiClass, Get-OmapiGroup and Get-OmapiFailoverState: look objects of one name-keyed family
    /// up by name, one request each, writing an error per name that fails and carrying on with the next.
    /// </summary>
    /// <typeparam name="T">The object type the cmdlet returns.</typeparam>
    public abstract class GetNamedObjectCommand<T> : OmapiSessionCmdlet
        where T : class, IOmapiObject
    {
        /// <summary>Names, exactly as declared. Strings from the pipeline, or objects with a Name property.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string[] Name { get; set; } = Array.Empty<string>();

        /// <summary>The family the cmdlet gets.</summary>
        private protected abstract NamedObjectKind<T> Kind { get; }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            OmapiSession session = Core;
            NamedObjectKind<T> kind = Kind;
            foreach (string name in Name)
            {
                if (TryRun(ct => kind.LookUpAsync(session, name, ct), name, kind.NotFoundId, kind.ExistsId, out T found))
                {
                    WriteObject(found);
                }
            }
        }
    }
}
