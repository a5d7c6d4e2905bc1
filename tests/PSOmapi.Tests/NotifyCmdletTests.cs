using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Threading;
using Omapi.Core.Tests.Dhcpd;
using PSOmapi.Testing;
using Xunit;

namespace PSOmapi.Tests
{
    /// <summary>
    /// Register-OmapiNotify and Unregister-OmapiNotify through the real engine against the real dhcpd. Changes are made
    /// from a second runspace with its own Connect-Omapi, on unseeded free leases 198.51.100.131-140 only (each put back
    /// to Free without flags) and on hosts named notify-*; every watch polls each second, so events must arrive within
    /// two intervals. The hosted engine has no Get-Event or Wait-Event: the tests read the runspace's event queue
    /// (<c>Runspace.Events.ReceivedEvents</c>), which is what those cmdlets read.
    /// </summary>
    public class NotifyCmdletTests : ModuleTestBase
    {
        private const string SubscriptionType = "PSOmapi.OmapiNotifySubscription";
        private const string EventArgsType = "PSOmapi.OmapiChangeEventArgs";
        private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
        /// <summary>How long a test waits for an event it expects: the waits end as soon as it comes (within about one
        /// interval), so a generous deadline costs nothing, and a loaded CI machine does not fail a test whose event is merely
        /// late. How soon a change is seen is asserted once, on its own (TwoIntervals).</summary>
        private static readonly TimeSpan EventDeadline = TimeSpan.FromSeconds(10);

        private static readonly TimeSpan TwoIntervals = TimeSpan.FromSeconds(2.5);
        private static readonly DateTime Future = new DateTime(2033, 4, 5, 6, 7, 8, DateTimeKind.Utc);

        public NotifyCmdletTests(DhcpdFixture fixture) : base(fixture)
        {
            ConnectMain();
        }

        // ---- events for leases ----

        [Fact]
        public void A_lease_change_made_from_another_session_is_queued_as_an_event_with_old_and_new_values()
        {
            string address = Address(131);
            using ModuleHarness other = SecondSession(Fixture.Main);
            Shell.SetVariable("data", "my data");
            PSObject subscription = Assert.Single(Shell.Invoke("Register-OmapiNotify -IPAddress $args[0], $args[1] -IntervalSec 1 -SourceIdentifier lease-watch -MessageData $data -PassThru", address, Address(132)));
            try
            {
                Assert.Empty(Shell.Errors);
                Assert.Equal(SubscriptionType, subscription.TypeNames[0]);
                Assert.Equal("lease-watch", Prop<string>(subscription, "SourceIdentifier"));
                Assert.Equal("Polling", Prop<string>(subscription, "Method"));
                Assert.Contains("notify not implemented yet", Prop<string>(subscription, "ServerNotifications"), StringComparison.Ordinal);
                Assert.Equal(new[] { "lease " + address, "lease " + Address(132) }, Prop<string[]>(subscription, "Watched"));
                Assert.Equal(1, Prop<int>(subscription, "IntervalSec"));
                Assert.True(Prop<bool>(subscription, "IsRunning"));
                Assert.Equal(Fixture.Main.Host, Prop<string>(subscription, "Server"));

                DateTime since = DateTime.UtcNow;
                other.Invoke("Set-OmapiLease -IPAddress $args[0] -State Active -Ends $args[1] -Confirm:$false", address, Future);
                Assert.Empty(other.Errors);
                PSEventArgs taken = WaitForEvent("lease-watch", e => Kind(e) == "Appeared", EventDeadline, "lease taken");
                Assert.True(taken.TimeGenerated.ToUniversalTime() - since <= TwoIntervals + TimeSpan.FromSeconds(0.5));
                PSObject args = PSObject.AsPSObject(taken.SourceEventArgs);
                Assert.Equal(EventArgsType, args.TypeNames[0]);
                Assert.Equal("lease " + address, Prop<string>(args, "Key"));
                Assert.Equal("lease-watch", Prop<string>(args, "SourceIdentifier"));
                Assert.Equal(Fixture.Main.Host, Prop<string>(args, "Server"));
                AssertChange(args, "State", "Free", "Active");
                AssertChange(args, "Ends", null, Future);
                PSObject target = PSObject.AsPSObject(Prop<object>(args, "Target"));
                Assert.Equal("Omapi.Core.Objects.OmapiLease", target.TypeNames[0]);
                Assert.Equal(IPAddress.Parse(address), AddressOf(target));
                Assert.Equal("Active", target.Properties["State"].Value.ToString());
                Assert.Equal(TimeSpan.Zero, Prop<DateTimeOffset>(args, "Timestamp").Offset);
                Assert.Equal("my data", taken.MessageData.BaseObject);
                Assert.Same(subscription.BaseObject, taken.Sender);
                Assert.Same(taken.SourceEventArgs, taken.SourceArgs[1]);

                since = DateTime.UtcNow;
                other.Invoke("Set-OmapiLease -IPAddress $args[0] -Reserved $true -Confirm:$false", address);
                PSEventArgs flagged = WaitForEvent("lease-watch", e => Kind(e) == "Changed", EventDeadline, "flags");
                AssertChange(PSObject.AsPSObject(flagged.SourceEventArgs), "Flags", "None", "Reserved");

                other.Invoke("Set-OmapiLease -IPAddress $args[0] -State Free -Reserved $false -Confirm:$false", address);
                PSEventArgs freed = WaitForEvent("lease-watch", e => Kind(e) == "Disappeared", EventDeadline, "lease freed");
                AssertChange(PSObject.AsPSObject(freed.SourceEventArgs), "State", "Active", "Free");
                Assert.DoesNotContain(Events("lease-watch"), e => Prop<string>(PSObject.AsPSObject(e.SourceEventArgs), "Key") == "lease " + Address(132));
            }
            finally
            {
                Shell.Invoke("Unregister-OmapiNotify lease-watch");
                Restore(other, address);
            }
        }

        [Fact]
        public void Nothing_is_queued_while_nothing_changes_and_Unregister_stops_all_traffic()
        {
            PSObject subscription = Assert.Single(Shell.Invoke("Register-OmapiNotify -Range 198.51.100.131-198.51.100.140 -HostName $args[0] -IntervalSec 1 -SourceIdentifier quiet -PassThru", DhcpdScenario.FixedAddressHost.Name));
            Assert.Empty(Shell.Errors);
            Assert.Equal(11, Prop<int>(subscription, "WatchedCount"));
            WaitForPolls(subscription, 1);
            long polls = Prop<long>(subscription, "Polls");
            long requests = Prop<long>(subscription, "RequestsSent");
            WaitForPolls(subscription, 3);
            Assert.Empty(Events("quiet"));
            Assert.Equal(3, Prop<long>(subscription, "Polls") - polls);
            Assert.Equal(3 * 11, Prop<long>(subscription, "RequestsSent") - requests);
            Assert.True(Prop<long>(subscription, "BytesReceived") > 0);

            Shell.Invoke("Unregister-OmapiNotify -SourceIdentifier quiet -Verbose");
            Assert.Empty(Shell.Errors);
            Assert.Contains(Shell.Verbose, v => v.Contains("Unregistering quiet", StringComparison.Ordinal));
            Assert.False(Prop<bool>(subscription, "IsRunning"));
            Assert.Equal("Stopped", subscription.Properties["State"].Value.ToString());
            Assert.Empty(Subscribers("quiet"));
            long sent = Prop<long>(subscription, "BytesSent");
            requests = Prop<long>(subscription, "RequestsSent");
            polls = Prop<long>(subscription, "Polls");
            Thread.Sleep(Interval * 3);
            Assert.Equal(requests, Prop<long>(subscription, "RequestsSent"));
            Assert.Equal(sent, Prop<long>(subscription, "BytesSent"));
            Assert.Equal(polls, Prop<long>(subscription, "Polls"));
            Assert.Empty(Events("quiet"));
        }

        [Fact]
        public void Action_returns_the_job_like_Register_ObjectEvent_and_runs_with_Event_EventArgs_and_Sender()
        {
            string address = Address(133);
            using ModuleHarness other = SecondSession(Fixture.Main);
            var seen = ArrayList.Synchronized(new ArrayList());
            Shell.SetVariable("seen", seen);
            PSObject job = Assert.Single(Shell.Invoke("Register-OmapiNotify $args[0] -IntervalSec 1 -SourceIdentifier with-action -MessageData 42 -Action { [void]$global:seen.Add(@($Event.SourceIdentifier, $EventArgs.Kind.ToString(), $Event.MessageData, $Sender.SourceIdentifier, $EventArgs.Changes.Count)) }", address));
            try
            {
                Assert.Empty(Shell.Errors);
                Assert.Equal("System.Management.Automation.PSEventJob", job.TypeNames[0]);
                Assert.Equal("with-action", Prop<string>(job, "Name"));
                Assert.Single(Subscribers("with-action"));

                other.Invoke("Set-OmapiLease -IPAddress $args[0] -State Active -Ends $args[1] -Confirm:$false", address, Future);
                WaitUntil(() => seen.Count > 0, EventDeadline, "the action to run");
                object[] first = ((object[])seen[0]!).Select(o => PSObject.AsPSObject(o).BaseObject).ToArray();
                Assert.Equal("with-action", first[0]);
                Assert.Equal("Appeared", first[1]);
                Assert.Equal(42, first[2]);
                Assert.Equal("with-action", first[3]);
                Assert.True((int)first[4] >= 2);
                Assert.Empty(Events("with-action")); // the action took it: nothing is queued for Get-Event
            }
            finally
            {
                Shell.Invoke("Unregister-OmapiNotify with-action");
                Restore(other, address);
            }

            Assert.Equal(JobState.Stopped, ((Job)job.BaseObject).JobStateInfo.State);
        }

        [Fact]
        public void MaxTriggerCount_unregisters_after_that_many_events_and_the_watch_stops()
        {
            string address = Address(134);
            string second = Address(135);
            using ModuleHarness other = SecondSession(Fixture.Main);
            PSObject subscription = Assert.Single(Shell.Invoke("Register-OmapiNotify $args[0], $args[1] -IntervalSec 1 -SourceIdentifier once -MaxTriggerCount 1 -PassThru", address, second));
            try
            {
                // Both leases change before the next poll, which detects two changes: only one event may come.
                other.Invoke("Set-OmapiLease -IPAddress $args[0], $args[1] -State Active -Ends $args[2] -Confirm:$false", address, second, Future);
                WaitForEvent("once", e => Kind(e) == "Appeared", EventDeadline, "the one event");
                WaitUntil(() => !Prop<bool>(subscription, "IsRunning"), TimeSpan.FromSeconds(2), "the watch to stop");
                Assert.Empty(Subscribers("once"));
                long requests = Prop<long>(subscription, "RequestsSent");
                other.Invoke("Set-OmapiLease -IPAddress $args[0] -Reserved $true -Confirm:$false", address);
                Thread.Sleep(Interval * 3);
                Assert.Single(Events("once"));
                Assert.Equal(requests, Prop<long>(subscription, "RequestsSent"));
            }
            finally
            {
                Restore(other, address);
                Restore(other, second);
            }
        }

        [Fact]
        public void SupportEvent_hides_the_subscription_and_outputs_no_job()
        {
            Assert.Empty(Shell.Invoke("Register-OmapiNotify $args[0] -IntervalSec 1 -SourceIdentifier hidden -SupportEvent -Action { }", Address(135)));
            Assert.Empty(Shell.Errors);
            PSEventSubscriber subscriber = Assert.Single(Subscribers("hidden"));
            Assert.True(subscriber.SupportEvent);
            Assert.Equal("Changed", subscriber.EventName);
            Shell.Invoke("Unregister-OmapiNotify hidden");
            Assert.Empty(Subscribers("hidden"));
        }

        [Fact]
        public void Unsubscribing_through_the_event_manager_as_Unregister_Event_does_stops_the_watch()
        {
            PSObject subscription = Assert.Single(Shell.Invoke("Register-OmapiNotify $args[0] -IntervalSec 1 -SourceIdentifier via-event-manager -PassThru", Address(136)));
            WaitForPolls(subscription, 1);

            // Unregister-Event (not in the hosted engine) calls exactly this.
            Shell.Invoke("$ExecutionContext.Events.UnsubscribeEvent($ExecutionContext.Events.GetEventSubscribers('via-event-manager')[0])");
            Assert.Empty(Shell.Errors);
            Assert.False(Prop<bool>(subscription, "IsRunning"));
            long requests = Prop<long>(subscription, "RequestsSent");
            Thread.Sleep(Interval * 3);
            Assert.Equal(requests, Prop<long>(subscription, "RequestsSent"));

            // It is gone from the module's list too.
            ErrorRecord error = Shell.ErrorOf("Unregister-OmapiNotify via-event-manager");
            Assert.Equal("SubscriptionNotFound,PSOmapi.UnregisterOmapiNotifyCommand", error.FullyQualifiedErrorId);
        }

        // ---- events for hosts, pipeline input ----

        [Fact]
        public void A_host_created_and_removed_from_another_session_is_reported()
        {
            const string name = "notify-ps-host";
            using ModuleHarness other = SecondSession(Fixture.Main);
            Shell.Invoke("Register-OmapiNotify -HostName $args[0] -HostMacAddress 02-00-00-4e-00-02 -IntervalSec 1 -SourceIdentifier hosts -Verbose", name);
            try
            {
                Assert.Empty(Shell.Errors);
                Assert.Contains(Shell.Verbose, v => v.Contains("host " + name + " does not exist yet", StringComparison.Ordinal));
                Assert.Contains(Shell.Verbose, v => v.Contains("notify not implemented yet", StringComparison.Ordinal) || v.Contains("not asked", StringComparison.Ordinal));

                other.Invoke("New-OmapiHost -Name $args[0] -MacAddress 02:00:00:4e:00:02", name);
                Assert.Empty(other.Errors);
                PSEventArgs created = WaitForEvent("hosts", e => Kind(e) == "Appeared" && Key(e) == "host " + name, EventDeadline, "host created");
                PSObject args = PSObject.AsPSObject(created.SourceEventArgs);
                AssertChange(args, "Name", null, name);
                AssertChange(args, "MacAddress", null, "02:00:00:4e:00:02");
                Assert.Equal("Omapi.Core.Objects.OmapiHost", PSObject.AsPSObject(Prop<object>(args, "Target")).TypeNames[0]);
                Assert.Null(Prop<object>(args, "Previous"));
                WaitForEvent("hosts", e => Kind(e) == "Appeared" && Key(e) == "host with MAC 02:00:00:4e:00:02", EventDeadline, "host by MAC");

                other.Invoke("Remove-OmapiHost -Name $args[0] -Confirm:$false", name);
                Assert.Empty(other.Errors);
                PSEventArgs removed = WaitForEvent("hosts", e => Kind(e) == "Disappeared" && Key(e) == "host " + name, EventDeadline, "host removed");
                PSObject gone = PSObject.AsPSObject(removed.SourceEventArgs);
                Assert.Null(Prop<object>(gone, "Current"));
                Assert.Equal(name, Prop<string>(PSObject.AsPSObject(Prop<object>(gone, "Target")), "Name"));
                AssertChange(gone, "Name", name, null);
            }
            finally
            {
                Shell.Invoke("Unregister-OmapiNotify hosts");
                other.Invoke("Remove-OmapiHost -Name $args[0] -Confirm:$false -ErrorAction SilentlyContinue", name);
            }
        }

        [Fact]
        public void Leases_and_hosts_piped_from_Get_OmapiLease_and_Get_OmapiHost_are_watched_by_address_and_name()
        {
            PSObject subscription = Assert.Single(Shell.Invoke(
                "@(Get-OmapiLease -IPAddress $args[0]; Get-OmapiHost -Name $args[1]) | Register-OmapiNotify -IntervalSec 1 -SourceIdentifier piped -PassThru",
                Address(137), DhcpdScenario.FixedAddressHost.Name));
            Assert.Empty(Shell.Errors);
            Assert.Equal(new[] { "lease " + Address(137), "host " + DhcpdScenario.FixedAddressHost.Name }, Prop<string[]>(subscription, "Watched"));
            Assert.Equal(3, Prop<long>(subscription, "RequestsSent")); // one REFRESH each by the piped handle (no lookup), and the NOTIFY
            Shell.Invoke("$args[0] | Unregister-OmapiNotify", subscription);
            Assert.Empty(Shell.Errors);
            Assert.False(Prop<bool>(subscription, "IsRunning"));
        }

        [Fact]
        public void A_CIDR_range_watches_the_addresses_that_have_lease_objects()
        {
            PSObject subscription = Assert.Single(Shell.Invoke("Register-OmapiNotify -Range 198.51.100.0/24 -IntervalSec 1 -SourceIdentifier subnet -PassThru -Verbose"));
            Assert.Empty(Shell.Errors);
            Assert.Equal(DhcpdScenario.RangeSize, Prop<int>(subscription, "WatchedCount"));
            Assert.Contains(Shell.Verbose, v => v.Contains((256 - DhcpdScenario.RangeSize) + " addresses of the given ranges have no lease object", StringComparison.Ordinal));
            WaitForPolls(subscription, 1);
            Shell.Invoke("Unregister-OmapiNotify subnet");
            Assert.True(Fixture.Main.IsRunning);
        }

        // ---- the watch ends with its session, its module, its runspace ----

        [Fact]
        public void Disconnect_Omapi_stops_the_watch_with_a_Stopped_event()
        {
            PSObject subscription = Assert.Single(Shell.Invoke("Register-OmapiNotify $args[0] -IntervalSec 1 -SourceIdentifier until-disconnect -PassThru", Address(138)));
            WaitForPolls(subscription, 1);
            Shell.Invoke("Disconnect-Omapi");
            PSEventArgs stopped = WaitForEvent("until-disconnect", e => Kind(e) == "Stopped", TimeSpan.FromSeconds(2), "stopped");
            Assert.Contains("Disconnect-Omapi", Prop<string>(PSObject.AsPSObject(stopped.SourceEventArgs), "Message"), StringComparison.Ordinal);
            Assert.False(Prop<bool>(subscription, "IsRunning"));
            Assert.Contains("was closed", Prop<string>(subscription, "StopReason"), StringComparison.Ordinal);
            long requests = Prop<long>(subscription, "RequestsSent");
            Thread.Sleep(Interval * 3);
            Assert.Equal(requests, Prop<long>(subscription, "RequestsSent"));

            // The subscription stays until it is unregistered, like an event subscription on a disposed object.
            Shell.Invoke("Unregister-OmapiNotify until-disconnect");
            Assert.Empty(Shell.Errors);
            Assert.Empty(Subscribers("until-disconnect"));
        }

        [Fact]
        public void Removing_the_module_or_closing_the_runspace_stops_every_watch()
        {
            PSObject first = Assert.Single(Shell.Invoke("Register-OmapiNotify $args[0] -IntervalSec 1 -SourceIdentifier module-a -PassThru", Address(139)));
            PSObject second = Assert.Single(Shell.Invoke("Register-OmapiNotify $args[0] -IntervalSec 1 -SourceIdentifier module-b -SupportEvent -PassThru", Address(140)));
            Shell.Invoke("Remove-Module PSOmapi");
            Assert.Empty(Shell.Errors);
            Assert.False(Prop<bool>(first, "IsRunning"));
            Assert.False(Prop<bool>(second, "IsRunning"));
            Assert.Empty(Subscribers("module-a"));
            Assert.Empty(Subscribers("module-b"));

            using var closing = new ModuleHarness();
            closing.SetVariable("cred", CredentialFor(Fixture.Main));
            closing.Invoke("Connect-Omapi -Server $args[0] -Port $args[1] -Credential $cred -Algorithm $args[2]", Fixture.Main.Host, Fixture.Main.Port, Fixture.Main.Algorithm);
            PSObject third = Assert.Single(closing.Invoke("Register-OmapiNotify $args[0] -IntervalSec 1 -PassThru", Address(139)));
            Assert.True(Prop<bool>(third, "IsRunning"));
            closing.Runspace.Close();
            WaitUntil(() => !Prop<bool>(third, "IsRunning"), TimeSpan.FromSeconds(2), "the watch of a closed runspace to stop");
            long requests = Prop<long>(third, "RequestsSent");
            Thread.Sleep(Interval * 2);
            Assert.Equal(requests, Prop<long>(third, "RequestsSent"));
        }

        // ---- Unregister-OmapiNotify ----

        [Fact]
        public void Unregister_OmapiNotify_takes_wildcards_pipeline_objects_and_WhatIf()
        {
            Shell.Invoke("Register-OmapiNotify $args[0] -IntervalSec 1 -SourceIdentifier wild-1; Register-OmapiNotify $args[0] -IntervalSec 1 -SourceIdentifier wild-2", Address(131));
            Assert.Empty(Shell.Errors);
            Shell.Invoke("Unregister-OmapiNotify wild-* -WhatIf");
            Assert.Single(Subscribers("wild-1"));
            Assert.Single(Subscribers("wild-2"));
            Shell.Invoke("Unregister-OmapiNotify wild-*");
            Assert.Empty(Shell.Errors);
            Assert.Empty(Subscribers("wild-1"));
            Assert.Empty(Subscribers("wild-2"));
            Shell.Invoke("Unregister-OmapiNotify nothing-matches-*");
            Assert.Empty(Shell.Errors);

            // A job from -Action binds by its Name, which is the source identifier.
            Shell.Invoke("Register-OmapiNotify $args[0] -IntervalSec 1 -SourceIdentifier by-job -Action { } | Unregister-OmapiNotify", Address(131));
            Assert.Empty(Shell.Errors);
            Assert.Empty(Subscribers("by-job"));
        }

        // ---- errors ----

        [Fact]
        public void A_source_identifier_in_use_is_SubscriptionExists_and_sends_nothing()
        {
            Shell.Invoke("Register-OmapiNotify $args[0] -IntervalSec 1 -SourceIdentifier taken", Address(131));
            try
            {
                ErrorRecord error = Shell.ErrorOf("Register-OmapiNotify $args[0] -IntervalSec 1 -SourceIdentifier taken", Address(132));
                Assert.Equal("SubscriptionExists,PSOmapi.RegisterOmapiNotifyCommand", error.FullyQualifiedErrorId);
                Assert.Equal(ErrorCategory.ResourceExists, error.CategoryInfo.Category);
                Assert.Equal("taken", error.TargetObject);
                Assert.Single(Subscribers("taken"));

                ErrorRecord reserved = Shell.ErrorOf("Register-OmapiNotify $args[0] -SourceIdentifier PowerShell.Mine", Address(132));
                Assert.Equal("InvalidArgument,PSOmapi.RegisterOmapiNotifyCommand", reserved.FullyQualifiedErrorId);
                Assert.Equal("PowerShell.Mine", reserved.TargetObject);
            }
            finally
            {
                Shell.Invoke("Unregister-OmapiNotify taken");
            }
        }

        [Fact]
        public void Inputs_that_cannot_be_watched_are_errors_for_that_input_and_the_rest_is_watched()
        {
            string outside = DhcpdScenario.AddressOutsideRange.ToString();
            PSObject subscription = Assert.Single(Shell.Invoke(
                "Register-OmapiNotify -IPAddress $args[0], $args[1] -MacAddress not-a-mac, $args[2] -Range bogus -IntervalSec 1 -SourceIdentifier partial -PassThru",
                outside, Address(131), DhcpdScenario.SharedLeaseMac));
            try
            {
                Assert.Equal(4, Shell.Errors.Count);
                ErrorRecord mac = Assert.Single(Shell.Errors, e => e.FullyQualifiedErrorId == "InvalidMacAddress,PSOmapi.RegisterOmapiNotifyCommand");
                Assert.Equal("not-a-mac", mac.TargetObject);
                ErrorRecord range = Assert.Single(Shell.Errors, e => e.FullyQualifiedErrorId == "InvalidArgument,PSOmapi.RegisterOmapiNotifyCommand");
                Assert.Equal("bogus", range.TargetObject);
                ErrorRecord notFound = Assert.Single(Shell.Errors, e => e.FullyQualifiedErrorId == "LeaseNotFound,PSOmapi.RegisterOmapiNotifyCommand");
                Assert.Equal(ErrorCategory.ObjectNotFound, notFound.CategoryInfo.Category);
                Assert.Equal(IPAddress.Parse(outside), notFound.TargetObject);
                ErrorRecord multiple = Assert.Single(Shell.Errors, e => e.FullyQualifiedErrorId == "MultipleMatches,PSOmapi.RegisterOmapiNotifyCommand");
                Assert.Equal(DhcpdScenario.SharedLeaseMac, multiple.TargetObject);
                Assert.Equal(new[] { "lease " + Address(131) }, Prop<string[]>(subscription, "Watched"));
            }
            finally
            {
                Shell.Invoke("Unregister-OmapiNotify partial");
            }

            ErrorRecord stop = Assert.Single(Shell.Invoke("try { Register-OmapiNotify -IPAddress $args[0] -ErrorAction Stop } catch { $_ }", outside)).BaseObject as ErrorRecord
                ?? throw new InvalidOperationException("no ErrorRecord");
            Assert.Equal("LeaseNotFound,PSOmapi.RegisterOmapiNotifyCommand", stop.FullyQualifiedErrorId);
            Assert.Empty(Shell.Invoke("$ExecutionContext.Events.Subscribers | Where-Object { $_.SourceObject -is [PSOmapi.OmapiNotifySubscription] }"));
        }

        [Fact]
        public void Addresses_piped_as_text_as_IPAddress_or_as_an_IPAddress_property_are_watched_as_leases()
        {
            PSObject subscription = Assert.Single(Shell.Invoke(
                "$args[0], [ipaddress]$args[1], [pscustomobject]@{ IPAddress = $args[2]; Owner = 'from a CSV row' } | Register-OmapiNotify -IntervalSec 1 -SourceIdentifier piped-addresses -PassThru",
                Address(131), Address(132), Address(133)));
            try
            {
                Assert.Empty(Shell.Errors);
                Assert.Equal(new[] { "lease " + Address(131), "lease " + Address(132), "lease " + Address(133) }, Prop<string[]>(subscription, "Watched"));
                WaitForPolls(subscription, 1);
                Assert.True(Prop<bool>(subscription, "IsRunning"));
            }
            finally
            {
                Shell.Invoke("Unregister-OmapiNotify piped-addresses");
            }
        }

        [Fact]
        public void Other_objects_piped_in_are_InvalidArgument_and_nothing_to_watch_is_refused()
        {
            ErrorRecord piped = Shell.ErrorOf("'pc-198-51-100-131' | Register-OmapiNotify -IntervalSec 1");
            Assert.Equal("InvalidArgument,PSOmapi.RegisterOmapiNotifyCommand", piped.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.InvalidType, piped.CategoryInfo.Category);
            Assert.Equal("pc-198-51-100-131", piped.TargetObject);
            Assert.Contains("IP addresses", piped.Exception.Message, StringComparison.Ordinal);

            ErrorRecord number = Shell.ErrorOf("[pscustomobject]@{ IPAddress = 42.5 } | Register-OmapiNotify -IntervalSec 1");
            Assert.Equal("InvalidArgument,PSOmapi.RegisterOmapiNotifyCommand", number.FullyQualifiedErrorId);

            ErrorRecord v6 = Shell.ErrorOf("'2001:db8::1' | Register-OmapiNotify -IntervalSec 1");
            Assert.Equal("InvalidIPAddress,PSOmapi.RegisterOmapiNotifyCommand", v6.FullyQualifiedErrorId);

            ErrorRecord nothing = Shell.ErrorOf("Register-OmapiNotify -SourceIdentifier empty");
            Assert.Equal("InvalidArgument,PSOmapi.RegisterOmapiNotifyCommand", nothing.FullyQualifiedErrorId);
            Assert.Contains("Nothing to watch", nothing.Exception.Message, StringComparison.Ordinal);
            Assert.Equal("empty", nothing.TargetObject);

            ErrorRecord interval = Shell.ErrorOf("Register-OmapiNotify $args[0] -IntervalSec 0", Address(131));
            Assert.Equal("ParameterArgumentValidationError,PSOmapi.RegisterOmapiNotifyCommand", interval.FullyQualifiedErrorId);
            Assert.Empty(Shell.Invoke("$ExecutionContext.Events.Subscribers"));
        }

        [Fact]
        public void A_lease_from_another_server_is_ServerMismatch_and_without_a_session_it_is_NoSession()
        {
            DhcpdInstance sha = Fixture.ForAlgorithm("HMAC-SHA512");
            using ModuleHarness other = SecondSession(sha);
            PSObject foreign = Assert.Single(other.Invoke("Get-OmapiLease $args[0]", Address(131)));
            ErrorRecord mismatch = Shell.ErrorOf("$args[0] | Register-OmapiNotify -IntervalSec 1", foreign);
            Assert.Equal("ServerMismatch,PSOmapi.RegisterOmapiNotifyCommand", mismatch.FullyQualifiedErrorId);
            Assert.Same(foreign.BaseObject, mismatch.TargetObject);

            using var fresh = new ModuleHarness();
            ErrorRecord noSession = fresh.ErrorOf("Register-OmapiNotify $args[0]", Address(131));
            Assert.Equal("NoSession,PSOmapi.RegisterOmapiNotifyCommand", noSession.FullyQualifiedErrorId);

            ErrorRecord unknown = Shell.ErrorOf("Unregister-OmapiNotify -SourceIdentifier never-registered");
            Assert.Equal("SubscriptionNotFound,PSOmapi.UnregisterOmapiNotifyCommand", unknown.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.ObjectNotFound, unknown.CategoryInfo.Category);
            Assert.Equal("never-registered", unknown.TargetObject);
        }

        // ---- dhcpd restarts and outages (the HMAC-SHA512 instance, so the main instance is untouched) ----

        [Fact]
        public async System.Threading.Tasks.Task A_dhcpd_restart_yields_ConnectionLost_then_Resumed_and_the_change_made_while_it_was_down()
        {
            var ct = TestContext.Current.CancellationToken;
            DhcpdInstance sha = Fixture.ForAlgorithm("HMAC-SHA512");
            string address = Address(133);
            using ModuleHarness shaShell = SecondSession(sha);
            PSObject subscription = Assert.Single(shaShell.Invoke("Register-OmapiNotify -IPAddress $args[0], $args[1] -IntervalSec 1 -SourceIdentifier across-restart -PassThru", address, Address(134)));
            try
            {
                WaitForPolls(subscription, 1);
                await sha.StopAsync(ct);
                WaitForEvent(shaShell, "across-restart", e => Kind(e) == "ConnectionLost", TimeSpan.FromSeconds(2), "connection lost");

                var file = new LeasesFileWriter("Appended by NotifyCmdletTests while dhcpd was stopped.");
                file.AddLease(IPAddress.Parse(address), new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc), Future, "active", "02:00:00:4e:01:33", null, "ps-while-down");
                await File.AppendAllTextAsync(sha.LeasesFilePath, file.ToString(), ct);
                await System.Threading.Tasks.Task.Delay(Interval * 2, ct);
                Assert.Equal("Reconnecting", subscription.Properties["State"].Value.ToString());
                await sha.StartAsync(ct);

                PSEventArgs resumed = WaitForEvent(shaShell, "across-restart", e => Kind(e) == "Resumed", TimeSpan.FromSeconds(20), "resumed");
                PSEventArgs taken = WaitForEvent(shaShell, "across-restart", e => Kind(e) == "Appeared", TimeSpan.FromSeconds(2), "the change made while down");
                PSObject args = PSObject.AsPSObject(taken.SourceEventArgs);
                Assert.True(Prop<long>(args, "Sequence") > Prop<long>(PSObject.AsPSObject(resumed.SourceEventArgs), "Sequence"));
                AssertChange(args, "State", "Free", "Active");
                AssertChange(args, "ClientHostname", null, "ps-while-down");
                AssertChange(args, "MacAddress", null, "02:00:00:4e:01:33");
                Assert.Equal("Running", subscription.Properties["State"].Value.ToString());
                WaitForPolls(subscription, 2);
                Assert.Equal(new[] { "ConnectionLost", "Resumed", "Appeared" }, Events(shaShell, "across-restart").OrderBy(e => e.EventIdentifier).Select(Kind));
            }
            finally
            {
                await sha.StartAsync(ct);
                shaShell.Invoke("Unregister-OmapiNotify across-restart");
                shaShell.Invoke("Set-OmapiLease -IPAddress $args[0] -State Free -Confirm:$false", address);
                Assert.Empty(shaShell.Errors);
            }

            // Registering while dhcpd is down cannot work at all: a terminating ConnectionFailed.
            await sha.StopAsync(ct);
            try
            {
                ErrorRecord down = shaShell.ErrorOf("Register-OmapiNotify $args[0] -IntervalSec 1", address);
                Assert.Equal("ConnectionFailed,PSOmapi.RegisterOmapiNotifyCommand", down.FullyQualifiedErrorId);
                Assert.Equal(ErrorCategory.ConnectionError, down.CategoryInfo.Category);
                Assert.Empty(shaShell.Invoke("$ExecutionContext.Events.Subscribers"));
            }
            finally
            {
                await sha.StartAsync(ct);
            }
        }

        // ---- helpers ----

        private static string Address(int lastOctet) => "198.51.100." + lastOctet.ToString(CultureInfo.InvariantCulture);

        private static string Kind(PSEventArgs e) => PSObject.AsPSObject(e.SourceEventArgs).Properties["Kind"].Value.ToString()!;

        private static string Key(PSEventArgs e) => Prop<string>(PSObject.AsPSObject(e.SourceEventArgs), "Key");

        private static void AssertChange(PSObject args, string name, object? oldValue, object? newValue)
        {
            var changes = ((IEnumerable)args.Properties["Changes"].Value).Cast<object>().Select(PSObject.AsPSObject).ToArray();
            PSObject change = Assert.Single(changes, c => Prop<string>(c, "Name") == name);
            Assert.Equal(oldValue, Normalize(change.Properties["OldValue"].Value, oldValue));
            Assert.Equal(newValue, Normalize(change.Properties["NewValue"].Value, newValue));
        }

        // A change carries the values the objects exchange: states by name, times as instants (DateTimeOffset).
        private static object? Normalize(object? value, object? expected) => value is DateTimeOffset t && expected is DateTime ? t.UtcDateTime : value;

        private static void WaitUntil(Func<bool> condition, TimeSpan timeout, string what)
        {
            DateTime deadline = DateTime.UtcNow + timeout;
            while (!condition())
            {
                Assert.True(DateTime.UtcNow < deadline, "Timed out after " + timeout.TotalSeconds + " s waiting for " + what + ".");
                Thread.Sleep(50);
            }
        }

        private static void WaitForPolls(PSObject subscription, long polls)
        {
            long target = Prop<long>(subscription, "Polls") + polls;
            WaitUntil(() => Prop<long>(subscription, "Polls") >= target, Interval * polls + EventDeadline, polls + " polls");
        }

        private static PSEventArgs[] Events(ModuleHarness shell, string sourceIdentifier)
        {
            PSEventArgsCollection queue = shell.Runspace.Events.ReceivedEvents;
            lock (queue.SyncRoot)
            {
                return queue.Where(e => e.SourceIdentifier == sourceIdentifier).ToArray();
            }
        }

        private static PSEventArgs WaitForEvent(ModuleHarness shell, string sourceIdentifier, Func<PSEventArgs, bool> match, TimeSpan timeout, string what)
        {
            PSEventArgs? found = null;
            DateTime deadline = DateTime.UtcNow + timeout;
            while ((found = Events(shell, sourceIdentifier).FirstOrDefault(match)) == null)
            {
                if (DateTime.UtcNow > deadline)
                {
                    Assert.Fail("No matching event (" + what + ") within " + timeout.TotalSeconds + " s. Queued: " + string.Join(" | ", Events(shell, sourceIdentifier).Select(e => e.SourceEventArgs?.ToString())));
                }

                Thread.Sleep(50);
            }

            return found;
        }

        private PSEventArgs[] Events(string sourceIdentifier) => Events(Shell, sourceIdentifier);

        private PSEventArgs WaitForEvent(string sourceIdentifier, Func<PSEventArgs, bool> match, TimeSpan timeout, string what) =>
            WaitForEvent(Shell, sourceIdentifier, match, timeout, what);

        private IEnumerable<PSEventSubscriber> Subscribers(string sourceIdentifier) => Shell.Runspace.Events.GetEventSubscribers(sourceIdentifier).ToArray();

        private ModuleHarness SecondSession(DhcpdInstance instance)
        {
            var other = new ModuleHarness();
            other.SetVariable("cred", CredentialFor(instance));
            other.Invoke("Connect-Omapi -Server $args[0] -Port $args[1] -Credential $cred -Algorithm $args[2]", instance.Host, instance.Port, instance.Algorithm);
            Assert.Empty(other.Errors);
            return other;
        }

        private static void Restore(ModuleHarness shell, string address)
        {
            shell.Invoke("Set-OmapiLease -IPAddress $args[0] -State Free -Reserved $false -Confirm:$false", address);
            Assert.Empty(shell.Errors);
            PSObject lease = Assert.Single(shell.Invoke("Get-OmapiLease $args[0]", address));
            Assert.Equal("Free", lease.Properties["State"].Value.ToString());
            Assert.Equal("None", lease.Properties["Flags"].Value.ToString());
        }
    }
}
