using System.Linq;
using System.Management.Automation;

namespace PSOmapi
{
    /// <summary>
    /// <para type="synopsis">Lists this runspace's OMAPI sessions (or the default one with -Default).</para>
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "OmapiSession", DefaultParameterSetName = AllSet, HelpUri = ModuleLinks.HelpBase + "Get-OmapiSession.md")]
    [OutputType(typeof(OmapiSessionInfo))]
    public sealed class GetOmapiSessionCommand : OmapiCmdlet
    {
        private const string AllSet = "All";
        private const string DefaultSet = "Default";

        /// <summary>Only the sessions with these ids.</summary>
        [Parameter(ParameterSetName = AllSet, Position = 0)]
        [ArgumentCompleter(typeof(OmapiSessionIdCompleter))]
        public int[]? Id { get; set; }

        /// <summary>Only the default session (the one other cmdlets use without -Session).</summary>
        [Parameter(ParameterSetName = DefaultSet, Mandatory = true)]
        public SwitchParameter Default { get; set; }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            SessionStore.RunspaceSessions store = SessionStore.Current;
            if (Default)
            {
                if (store.Default != null)
                {
                    WriteObject(store.Default);
                }

                return;
            }

            foreach (OmapiSessionInfo session in store.All.Where(s => Id == null || Id.Contains(s.Id)))
            {
                WriteObject(session);
            }
        }
    }
}
