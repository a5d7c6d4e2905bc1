using System;
using System.Linq;
using System.Management.Automation;

namespace PSOmapi
{
    /// <summary>
    /// <para type="synopsis">Stops Register-OmapiNotify watches: removes their event subscriptions and closes their connections.</para>
    /// <para type="description">After it returns, the watch sends nothing more to dhcpd. Events already queued stay in the
    /// queue (remove them with Remove-Event). Unregister-Event on the same source identifier has the same effect.</para>
    /// </summary>
    [Cmdlet(VerbsLifecycle.Unregister, "OmapiNotify", DefaultParameterSetName = SourceIdentifierSet, SupportsShouldProcess = true, HelpUri = ModuleLinks.HelpBase + "Unregister-OmapiNotify.md")]
    [OutputType(typeof(void))]
    public sealed class UnregisterOmapiNotifyCommand : OmapiCmdlet
    {
        private const string SourceIdentifierSet = "SourceIdentifier";
        private const string InputObjectSet = "InputObject";

        /// <summary>Source identifiers of the watches to stop; wildcards allowed (* stops every watch of this session).</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = SourceIdentifierSet, ValueFromPipelineByPropertyName = true)]
        [Alias("Name")]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(OmapiNotifySourceIdentifierCompleter))]
        public string[] SourceIdentifier { get; set; } = Array.Empty<string>();

        /// <summary>Subscriptions from Register-OmapiNotify -PassThru.</summary>
        [Parameter(Mandatory = true, ParameterSetName = InputObjectSet, ValueFromPipeline = true)]
        [ValidateNotNull]
        public OmapiNotifySubscription[] InputObject { get; set; } = Array.Empty<OmapiNotifySubscription>();

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            RunspaceList<OmapiNotifySubscription> store = NotifyStore.Current;
            if (ParameterSetName == InputObjectSet)
            {
                foreach (OmapiNotifySubscription subscription in InputObject)
                {
                    if (!store.All.Contains(subscription))
                    {
                        WriteError(OmapiErrors.Create(ErrorIds.SubscriptionNotFound, ErrorCategory.ObjectNotFound, "The watch '" + subscription.SourceIdentifier + "' is not registered in this session (it was unregistered already, or belongs to another runspace).", subscription));
                        continue;
                    }

                    Stop(subscription);
                }

                return;
            }

            foreach (string pattern in SourceIdentifier)
            {
                var wildcard = WildcardPattern.Get(pattern, WildcardOptions.IgnoreCase);
                OmapiNotifySubscription[] matches = store.All.Where(s => wildcard.IsMatch(s.SourceIdentifier)).ToArray();
                if (matches.Length == 0 && !WildcardPattern.ContainsWildcardCharacters(pattern))
                {
                    WriteError(OmapiErrors.Create(ErrorIds.SubscriptionNotFound, ErrorCategory.ObjectNotFound, "No Register-OmapiNotify watch has the source identifier '" + pattern + "' in this session.", pattern));
                    continue;
                }

                foreach (OmapiNotifySubscription subscription in matches)
                {
                    Stop(subscription);
                }
            }
        }

        private void Stop(OmapiNotifySubscription subscription)
        {
            if (ShouldProcess(subscription.ToString(), "Stop watching and unregister the event subscription"))
            {
                WriteVerbose("Unregistering " + subscription + ".");
                subscription.Unregister();
            }
        }
    }
}
