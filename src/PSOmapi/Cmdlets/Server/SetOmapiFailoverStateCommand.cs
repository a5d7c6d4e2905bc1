using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using Omapi.Core;
using Omapi.Core.Objects;

namespace PSOmapi
{
    // InputObject is the default set on purpose: for pipeline input PowerShell tries the default set first, so with the
    // name set as default a piped failover state would bind by property name and be looked up again instead of used by handle.
    /// <summary>
    /// <para type="synopsis">Sets this server's failover state for a peer — typically PartnerDown, which is DANGEROUS if the partner is in fact alive.</para>
    /// <para type="description">-LocalState PartnerDown tells dhcpd that its failover partner is down, so that after the MCLT it
    /// serves the whole pool, the partner's share included. Use it only when you know the partner is not running
    /// (powered off, crashed, unreachable for good): if the partner is in fact alive, both servers hand out the same
    /// addresses and clients get duplicate leases. For that reason the cmdlet has ConfirmImpact High and asks for
    /// confirmation unless -Confirm:$false is given. dhcpd moves on from the state it is set to by itself (e.g. back to
    /// normal after the partner returns).</para>
    /// </summary>
    [Cmdlet(VerbsCommon.Set, "OmapiFailoverState", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = InputObjectSet, HelpUri = ModuleLinks.HelpBase + "Set-OmapiFailoverState.md")]
    [OutputType(typeof(OmapiFailoverState))]
    public sealed class SetOmapiFailoverStateCommand : OmapiSessionCmdlet
    {
        private const string NameSet = "Name";
        private const string InputObjectSet = "InputObject";

        /// <summary>The failover peer name (also from an input object's Name property).</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = NameSet, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string Name { get; set; } = string.Empty;

        /// <summary>A failover state from Get-OmapiFailoverState: changed by its handle, without a lookup.</summary>
        [Parameter(Mandatory = true, ParameterSetName = InputObjectSet, ValueFromPipeline = true)]
        [ValidateNotNull]
        public OmapiFailoverState? InputObject { get; set; }

        /// <summary>
        /// The state to put this server in, usually PartnerDown. PartnerDown makes this server serve the whole pool:
        /// only when the partner is really down, or clients get duplicate addresses.
        /// </summary>
        [Parameter(Mandatory = true)]
        public FailoverState LocalState { get; set; }

        /// <summary>Return the failover state as re-read from the server after the change.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            OmapiSessionInfo info = ResolveSession();
            OmapiSession session = info.Core;
            FailoverState state = LocalState;
            string action = "Set local state to " + state + (state == FailoverState.PartnerDown
                ? " (this server will serve the whole pool: do this only if the partner is really down)"
                : string.Empty);
            bool passThru = PassThru.IsPresent;

            if (InputObject != null)
            {
                OmapiFailoverState input = InputObject;
                if (!CheckSameServer(input.Server, input) || !ShouldProcess("failover peer '" + input.Name + "' on " + info.Server, action))
                {
                    return;
                }

                if (TryRun(ct => SetAsync(session, input, state, passThru, ct), input, ErrorIds.FailoverStateNotFound, ErrorIds.ObjectAlreadyExists, out OmapiFailoverState? result))
                {
                    Report(_lastResult!);
                    if (result != null)
                    {
                        WriteObject(result);
                    }
                }

                return;
            }

            string name = Name;
            if (!ShouldProcess("failover peer '" + name + "' on " + info.Server, action))
            {
                return;
            }

            if (TryRun(
                    async ct =>
                    {
                        OmapiFailoverState current = await session.GetFailoverStateAsync(name, ct).ConfigureAwait(false);
                        return await SetAsync(session, current, state, passThru, ct).ConfigureAwait(false);
                    },
                    name,
                    ErrorIds.FailoverStateNotFound,
                    ErrorIds.ObjectAlreadyExists,
                    out OmapiFailoverState? changed))
            {
                Report(_lastResult!);
                if (changed != null)
                {
                    WriteObject(changed);
                }
            }
        }

        private async Task<OmapiFailoverState?> SetAsync(OmapiSession session, OmapiFailoverState peer, FailoverState state, bool passThru, CancellationToken ct)
        {
            _lastResult = await session.SetFailoverLocalStateAsync(peer, state, ct).ConfigureAwait(false);
            if (!passThru)
            {
                return null;
            }

            return OmapiFailoverState.FromObject(await session.RefreshAsync(peer.GetHandle(), "failover-state", ct).ConfigureAwait(false), session.ServerName);
        }

        private OmapiWriteResult? _lastResult;
    }
}
