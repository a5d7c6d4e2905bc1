using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Net;
using Omapi.Core;
using Omapi.Core.Objects;
using Omapi.Core.Watch;

namespace PSOmapi
{
    /// <summary>
    /// <para type="synopsis">Subscribes to changes of dhcpd leases and hosts: events for Get-Event, Wait-Event and -Action, as Register-ObjectEvent does.</para>
    /// <para type="description">Watches leases (by IP address, MAC address, client identifier, or a whole address range) and
    /// hosts (by name or MAC address), or the leases and hosts piped in from Get-OmapiLease and Get-OmapiHost. It first asks
    /// dhcpd for real notifications (OMAPI NOTIFY); dhcpd 4.4 declines ("notify not implemented yet"), so the watch polls:
    /// every -IntervalSec seconds it re-reads each watched object by its handle over a connection of its own, compares it
    /// with the previous read, and raises an event for every change, appearance and disappearance, with the old and new
    /// value of each changed property. See about_PSOmapi_Notifications for what polling costs the server.</para>
    /// </summary>
    [Cmdlet(VerbsLifecycle.Register, "OmapiNotify", DefaultParameterSetName = KeySet, HelpUri = ModuleLinks.HelpBase + "Register-OmapiNotify.md")]
    [OutputType(typeof(PSEventJob), typeof(OmapiNotifySubscription))]
    public sealed class RegisterOmapiNotifyCommand : OmapiSessionCmdlet
    {
        private const string KeySet = "Key";
        private const string InputObjectSet = "InputObject";

        // What to watch, with what the user gave for it (for errors) and whether it came from a -Range (whose addresses
        // outside every dhcpd range are left out quietly).
        private readonly List<(OmapiWatchTarget Target, object Value, bool FromRange)> _inputs = new List<(OmapiWatchTarget Target, object Value, bool FromRange)>();
        private readonly HashSet<OmapiWatchTarget> _seen = new HashSet<OmapiWatchTarget>();
        private bool _inputFailed;

        /// <summary>Lease addresses to watch (IPv4). Every address of a dhcpd range has a lease, free ones too.</summary>
        [Parameter(Position = 0, ParameterSetName = KeySet)]
        [Alias("IP", "Address")]
        [ValidateNotNullOrEmpty]
        public IPAddress[]? IPAddress { get; set; }

        /// <summary>Client MAC addresses whose lease to watch: 00:11:22:33:44:55, 00-11-22-33-44-55 or 001122334455.</summary>
        [Parameter(ParameterSetName = KeySet)]
        [ValidateNotNullOrEmpty]
        public string[]? MacAddress { get; set; }

        /// <summary>DHCP client identifiers whose lease to watch, as hex (01:00:11:22:33:44:55) or text.</summary>
        [Parameter(ParameterSetName = KeySet)]
        [ValidateNotNullOrEmpty]
        public string[]? ClientId { get; set; }

        /// <summary>Host names to watch. A host that does not exist yet is watched for its creation.</summary>
        [Parameter(ParameterSetName = KeySet)]
        [ValidateNotNullOrEmpty]
        public string[]? HostName { get; set; }

        /// <summary>MAC addresses of hosts to watch.</summary>
        [Parameter(ParameterSetName = KeySet)]
        [ValidateNotNullOrEmpty]
        public string[]? HostMacAddress { get; set; }

        /// <summary>
        /// Address ranges whose leases to watch: CIDR (198.51.100.0/24) or first-last (198.51.100.10-198.51.100.250).
        /// Addresses without a lease object (outside every dhcpd range) are left out. At most 65,536 addresses.
        /// </summary>
        [Parameter(ParameterSetName = KeySet)]
        [ValidateNotNullOrEmpty]
        public string[]? Range { get; set; }

        /// <summary>Leases and hosts from Get-OmapiLease and Get-OmapiHost (leases are watched by address, hosts by name).</summary>
        [Parameter(Mandatory = true, ParameterSetName = InputObjectSet, ValueFromPipeline = true)]
        [ValidateNotNull]
        public PSObject[]? InputObject { get; set; }

        /// <summary>Seconds between two polls, 1 to 3600 (default 5). Each poll sends one request per watched object.</summary>
        [Parameter]
        [ValidateRange(1, 3600)]
        public int IntervalSec { get; set; } = (int)OmapiWatcherOptions.DefaultInterval.TotalSeconds;

        /// <summary>The name of the subscription, for Get-Event, Wait-Event and Unregister-OmapiNotify (default: a new GUID).</summary>
        [Parameter(Position = 100)]
        [ValidateNotNullOrEmpty]
        public string SourceIdentifier { get; set; } = Guid.NewGuid().ToString();

        /// <summary>A script block run for each event, with $Event, $EventArgs, $Sender and $EventSubscriber; the job is returned.</summary>
        [Parameter(Position = 101)]
        public ScriptBlock? Action { get; set; }

        /// <summary>Data attached to every event (<c>$Event.MessageData</c>).</summary>
        [Parameter]
        public PSObject? MessageData { get; set; }

        /// <summary>Unregister by itself after this many events (0: no limit).</summary>
        [Parameter]
        [ValidateRange(0, int.MaxValue)]
        public int MaxTriggerCount { get; set; }

        /// <summary>Hide the subscription (and its action job) from Get-EventSubscriber and Get-Job, as for Register-ObjectEvent.</summary>
        [Parameter]
        public SwitchParameter SupportEvent { get; set; }

        /// <summary>Also output the subscription object (state, polls, and the watch's own requests and bytes).</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        /// <inheritdoc />
        protected override void BeginProcessing()
        {
            if (SourceIdentifier.StartsWith("PowerShell.", StringComparison.OrdinalIgnoreCase))
            {
                ThrowTerminatingError(OmapiErrors.Create(ErrorIds.InvalidArgument, ErrorCategory.InvalidArgument, "The source identifier '" + SourceIdentifier + "' starts with 'PowerShell.', which is reserved for PowerShell's own engine events.", SourceIdentifier));
            }

            // Fail before any traffic, as Register-ObjectEvent does, when the name is taken.
            if (Events.GetEventSubscribers(SourceIdentifier).Any())
            {
                ThrowTerminatingError(OmapiErrors.Create(ErrorIds.SubscriptionExists, ErrorCategory.ResourceExists, "An event subscription with the source identifier '" + SourceIdentifier + "' already exists in this session. Choose another -SourceIdentifier, or remove it with Unregister-OmapiNotify or Unregister-Event.", SourceIdentifier));
            }
        }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            if (ParameterSetName == InputObjectSet)
            {
                foreach (PSObject item in InputObject ?? Array.Empty<PSObject>())
                {
                    AddObject(item);
                }

                return;
            }

            foreach (IPAddress address in IPAddress ?? Array.Empty<IPAddress>())
            {
                if (Inputs.TryIPv4(this, address))
                {
                    Add(OmapiWatchTarget.ForLease(address), address, fromRange: false);
                }
                else
                {
                    _inputFailed = true;
                }
            }

            foreach (string text in MacAddress ?? Array.Empty<string>())
            {
                AddBytes(text, Inputs.TryMac, OmapiWatchTarget.ForLeaseByMacAddress);
            }

            foreach (string text in ClientId ?? Array.Empty<string>())
            {
                AddBytes(text, Inputs.TryClientId, OmapiWatchTarget.ForLeaseByClientId);
            }

            foreach (string name in HostName ?? Array.Empty<string>())
            {
                Add(OmapiWatchTarget.ForHost(name), name, fromRange: false);
            }

            foreach (string text in HostMacAddress ?? Array.Empty<string>())
            {
                AddBytes(text, Inputs.TryMac, OmapiWatchTarget.ForHostByMacAddress);
            }

            foreach (string text in Range ?? Array.Empty<string>())
            {
                try
                {
                    (IPAddress first, IPAddress last) = OmapiWatchTarget.ParseRange(text);
                    foreach (OmapiWatchTarget target in OmapiWatchTarget.ForRange(first, last))
                    {
                        Add(target, text, fromRange: true);
                    }
                }
                catch (Exception ex) when (ex is FormatException || ex is ArgumentException)
                {
                    WriteError(new ErrorRecord(ex, ErrorIds.InvalidArgument, ErrorCategory.InvalidArgument, text));
                    _inputFailed = true;
                }
            }
        }

        /// <inheritdoc />
        protected override void EndProcessing()
        {
            if (_inputs.Count == 0)
            {
                if (!_inputFailed)
                {
                    ThrowTerminatingError(OmapiErrors.Create(ErrorIds.InvalidArgument, ErrorCategory.InvalidArgument, "Nothing to watch: give -IPAddress, -MacAddress, -ClientId, -HostName, -HostMacAddress or -Range, or pipe leases and hosts in.", SourceIdentifier));
                }

                return;
            }

            OmapiSessionInfo session = ResolveSession();
            Runspace runspace = Runspace.DefaultRunspace;

            var options = new OmapiWatcherOptions
            {
                Interval = TimeSpan.FromSeconds(IntervalSec),
                StopWhen = () => session.IsClosed
                    ? "The session " + session + " was closed (Disconnect-Omapi); watching stopped."
                    : IsGone(runspace) ? "The runspace was closed; watching stopped." : null,
            };

            // A session of the watch's own, with one connection: its polls never queue behind or in front of the user's
            // commands in the send window, its traffic can be counted exactly, closing it stops everything at once, and it
            // reconnects (with the watch's back-off between rounds) even when the user's session was opened with -NoReconnect.
            OmapiWatcher watcher;
            try
            {
                watcher = Run(ct => OmapiWatcher.ConnectAsync(session.Core.Options, options, ct));
            }
            catch (Exception ex) when (IsReportable(ex))
            {
                ThrowError(ex, session);
                return;
            }

            bool started = false;
            try
            {
                IReadOnlyList<OmapiWatchResolution> resolutions;
                try
                {
                    resolutions = Run(ct => watcher.AddAsync(_inputs.Select(i => i.Target), ct));
                }
                catch (Exception ex) when (IsReportable(ex))
                {
                    ThrowError(ex, session);
                    return;
                }

                Dictionary<OmapiWatchTarget, (OmapiWatchTarget Target, object Value, bool FromRange)> byTarget = _inputs.ToDictionary(i => i.Target);
                int outsideRanges = 0;
                foreach (OmapiWatchResolution resolution in resolutions)
                {
                    var input = byTarget[resolution.Target];
                    if (resolution.Error != null)
                    {
                        if (input.FromRange && resolution.Error is OmapiNotFoundException)
                        {
                            outsideRanges++;
                            continue;
                        }

                        WriteError(OmapiErrors.ToErrorRecord(resolution.Error, input.Value, resolution.Target.IsLease ? ErrorIds.LeaseNotFound : ErrorIds.HostNotFound, ErrorIds.ObjectAlreadyExists));
                    }
                    else if (resolution.Current == null)
                    {
                        WriteVerbose(resolution.Target.Key + " does not exist yet; its appearance will be reported.");
                    }
                }

                if (outsideRanges > 0)
                {
                    WriteVerbose(string.Format(CultureInfo.InvariantCulture, "{0} addresses of the given ranges have no lease object (they are in no dhcpd range) and are not watched.", outsideRanges));
                }

                if (watcher.Count == 0)
                {
                    if (outsideRanges > 0 && resolutions.All(r => r.Error is OmapiNotFoundException && byTarget[r.Target].FromRange))
                    {
                        WriteError(OmapiErrors.Create(ErrorIds.LeaseNotFound, ErrorCategory.ObjectNotFound, "None of the addresses of " + string.Join(", ", Range ?? Array.Empty<string>()) + " has a lease object: the range is outside every dhcpd range. Nothing is watched.", Range));
                    }

                    return;
                }

                string status;
                try
                {
                    status = Run(ct => watcher.RequestNotificationsAsync(ct));
                }
                catch (Exception ex) when (IsReportable(ex))
                {
                    ThrowError(ex, session);
                    return;
                }

                WriteVerbose(string.Format(CultureInfo.InvariantCulture, "Server notifications: {0}. Watching {1} objects on {2} every {3} s as '{4}'.", status, watcher.Count, watcher.Session.ServerName, IntervalSec, SourceIdentifier));

                var subscription = new OmapiNotifySubscription(SourceIdentifier, session, watcher, IntervalSec, MaxTriggerCount);
                PSEventSubscriber subscriber;
                try
                {
                    subscriber = Events.SubscribeEvent(subscription, nameof(OmapiNotifySubscription.Changed), SourceIdentifier, MessageData, Action, SupportEvent.IsPresent, false, MaxTriggerCount);
                }
                catch (Exception ex) when (ex is ArgumentException || ex is InvalidOperationException)
                {
                    ThrowTerminatingError(new ErrorRecord(ex, ErrorIds.InvalidArgument, ErrorCategory.InvalidArgument, SourceIdentifier));
                    return;
                }

                subscription.Attach(Events, subscriber, NotifyStore.Current);
                watcher.Start();
                started = true;

                if (Action != null && !SupportEvent.IsPresent)
                {
                    WriteObject(subscriber.Action);
                }

                if (PassThru.IsPresent)
                {
                    WriteObject(subscription);
                }
            }
            finally
            {
                if (!started)
                {
                    watcher.Stop();
                }
            }
        }

        private static bool IsGone(Runspace runspace)
        {
            RunspaceState state = runspace.RunspaceStateInfo.State;
            return state == RunspaceState.Closing || state == RunspaceState.Closed || state == RunspaceState.Broken;
        }

        private void AddObject(PSObject item)
        {
            object value = item.BaseObject;
            switch (value)
            {
                case OmapiLease lease:
                    if (CheckSameServer(lease.Server, lease))
                    {
                        Add(OmapiWatchTarget.ForObject(lease), lease, fromRange: false);
                    }
                    else
                    {
                        _inputFailed = true;
                    }

                    break;
                case OmapiHost host:
                    if (!CheckSameServer(host.Server, host))
                    {
                        _inputFailed = true;
                        break;
                    }

                    try
                    {
                        Add(OmapiWatchTarget.ForObject(host), host, fromRange: false);
                    }
                    catch (ArgumentException ex)
                    {
                        WriteError(new ErrorRecord(ex, ErrorIds.InvalidArgument, ErrorCategory.InvalidArgument, host));
                        _inputFailed = true;
                    }

                    break;
                default:
                    if (AddressOf(item) is IPAddress address)
                    {
                        if (Inputs.TryIPv4(this, address))
                        {
                            Add(OmapiWatchTarget.ForLease(address), address, fromRange: false);
                        }
                        else
                        {
                            _inputFailed = true;
                        }

                        break;
                    }

                    WriteError(OmapiErrors.Create(ErrorIds.InvalidArgument, ErrorCategory.InvalidType, "Register-OmapiNotify watches leases and hosts (from Get-OmapiLease and Get-OmapiHost) and IP addresses (as text, [IPAddress], or the IPAddress property of an object such as an Import-Csv row); '" + value + "' (a " + value.GetType().FullName + ") is none of these.", value));
                    _inputFailed = true;
                    break;
            }
        }

        /// <summary>
        /// The address a piped object stands for, converted as the -IPAddress parameter would convert it: an IPAddress, text
        /// that is one, or an object whose IPAddress property is either (an Import-Csv row, a custom object). Null otherwise.
        /// </summary>
        private static IPAddress? AddressOf(PSObject item)
        {
            object value = item.BaseObject;
            if (!(value is string) && !(value is IPAddress) && !(value is IPv4Address) && item.Properties["IPAddress"]?.Value is object property)
            {
                value = property is PSObject wrapped ? wrapped.BaseObject : property;
            }

            return value is IPv4Address v4 ? v4.ToIPAddress()
                : (value is string || value is IPAddress) && LanguagePrimitives.TryConvertTo(value, out IPAddress? address) ? address : null;
        }

        private delegate bool TryParse(Cmdlet cmdlet, string text, out byte[] bytes);

        private void AddBytes(string text, TryParse parse, Func<byte[], OmapiWatchTarget> create)
        {
            if (parse(this, text, out byte[] bytes))
            {
                Add(create(bytes), text, fromRange: false);
            }
            else
            {
                _inputFailed = true;
            }
        }

        private void Add(OmapiWatchTarget target, object value, bool fromRange)
        {
            if (_seen.Add(target))
            {
                _inputs.Add((target, value, fromRange));
            }
        }
    }
}
