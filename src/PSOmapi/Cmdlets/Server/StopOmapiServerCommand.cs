using System.Globalization;
using System.Management.Automation;

namespace PSOmapi
{
    /// <summary>
    /// <para type="synopsis">Shuts the dhcpd server down (an orderly shutdown through its control object). It does not come back by itself.</para>
    /// <para type="description">Sets the control object's state to 2 (shutdown): dhcpd closes its listeners, then its OMAPI
    /// connections, and exits. It usually sends no reply and closes the connection some 5 to 11 seconds later; the
    /// cmdlet waits for that and treats it as success. The server stops serving DHCP until someone starts it again
    /// (systemctl start isc-dhcp-server, or the service manager), so the cmdlet has ConfirmImpact High and asks for
    /// confirmation unless -Confirm:$false is given. The session stays open: its next command tries to reconnect.</para>
    /// </summary>
    [Cmdlet(VerbsLifecycle.Stop, "OmapiServer", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, HelpUri = ModuleLinks.HelpBase + "Stop-OmapiServer.md")]
    [OutputType(typeof(void))]
    public sealed class StopOmapiServerCommand : OmapiSessionCmdlet
    {
        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            OmapiSessionInfo info = ResolveSession();
            string target = string.Format(CultureInfo.InvariantCulture, "dhcpd at {0}:{1}", info.Server, info.Port);
            if (!ShouldProcess(target, "Shut down (dhcpd stops serving DHCP until it is started again)"))
            {
                return;
            }

            WriteVerbose("Asking " + target + " to shut down; dhcpd usually closes the connection without a reply after 5 to 11 seconds.");
            if (TryRun(ct => info.Core.ShutdownServerAsync(ct), info, ErrorIds.ObjectNotFound, ErrorIds.ObjectAlreadyExists))
            {
                WriteVerbose(target + " accepted the shutdown.");
            }
        }
    }
}
