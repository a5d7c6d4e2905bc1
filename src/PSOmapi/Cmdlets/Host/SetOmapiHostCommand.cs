using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Net;
using Omapi.Core;
using Omapi.Core.Objects;
using Omapi.Core.Protocol;

namespace PSOmapi
{
    /// <summary>
    /// <para type="synopsis">Changes a dhcpd host: its fixed addresses, statements or group, or renames it.</para>
    /// <para type="description">dhcpd lets an existing host's fixed addresses, statements and group be changed. Its name,
    /// MAC address and client identifier are write-once, so -NewName deletes the host and creates it again under the new
    /// name with the same MAC address, hardware type, client identifier and fixed addresses. dhcpd never returns a host's
    /// statements or group, so a rename cannot carry them over: give them again with -Statements and -Group.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.Set, "OmapiHost", DefaultParameterSetName = NameSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = ModuleLinks.HelpBase + "Set-OmapiHost.md")]
    [OutputType(typeof(OmapiHost))]
    public sealed class SetOmapiHostCommand : OmapiSessionCmdlet
    {
        private const string NameSet = "Name";
        private const string MacAddressSet = "MacAddress";
        private const string InputObjectSet = "InputObject";

        /// <summary>The name of the host to change.</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = NameSet, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string Name { get; set; } = string.Empty;

        /// <summary>The Ethernet MAC address of the host to change: 00:11:22:33:44:55, 00-11-22-33-44-55 or 001122334455.</summary>
        [Parameter(Mandatory = true, ParameterSetName = MacAddressSet, ValueFromPipelineByPropertyName = true)]
        [Alias("HardwareAddress")]
        [ValidateNotNullOrEmpty]
        public string MacAddress { get; set; } = string.Empty;

        /// <summary>A host as Get-OmapiHost or New-OmapiHost returned it (changed by its handle).</summary>
        [Parameter(Mandatory = true, ParameterSetName = InputObjectSet, ValueFromPipeline = true)]
        [ValidateNotNull]
        public OmapiHost? InputObject { get; set; }

        /// <summary>New fixed addresses (IPv4); they replace all the host's current fixed addresses.</summary>
        [Parameter]
        [Alias("FixedAddress")]
        [ValidateNotNullOrEmpty]
        public IPAddress[]? IPAddress { get; set; }

        /// <summary>Removes all the host's fixed addresses.</summary>
        [Parameter]
        public SwitchParameter ClearIPAddress { get; set; }

        /// <summary>
        /// dhcpd.conf statements for the host, e.g. <c>option host-name "pc1";</c>. dhcpd refuses statements it cannot parse
        /// (InvalidStatements) and silently drops one it can only half parse (e.g. <c>option host-name</c> without a value).
        /// dhcpd does not replace statements a host already has (PermissionDenied): give -Group in the same call, which
        /// replaces them, or re-create the host.
        /// </summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Statements { get; set; }

        /// <summary>
        /// The name of a named group to put the host in; the host then has that group's statements. dhcpd keeps a host's own
        /// statements in its group, so setting a group REPLACES them: give -Statements in the same call to keep some. An
        /// unknown group is GroupNotFound.
        /// </summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Group { get; set; }

        /// <summary>
        /// A new name. dhcpd cannot rename a host, so the host is deleted and created again with the new name and the old
        /// MAC address, hardware type, client identifier and fixed addresses (or those of -IPAddress / -ClearIPAddress).
        /// Its statements and group are NOT carried over (dhcpd never returns them): give them with -Statements and -Group.
        /// If the new host cannot be created, the old one is created again and both failures are reported.
        /// </summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? NewName { get; set; }

        /// <summary>Returns the changed host.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            object input = ParameterSetName switch
            {
                MacAddressSet => MacAddress,
                InputObjectSet => InputObject!,
                _ => Name,
            };
            CheckChanges(input);

            IPAddress[] addresses = IPAddress ?? Array.Empty<IPAddress>();
            if (addresses.Any(a => !Inputs.TryIPv4(this, a)))
            {
                return;
            }

            if (!Inputs.TryStatements(this, Statements) || (NewName != null && !Inputs.TryHostName(this, NewName)))
            {
                return;
            }

            byte[] mac = Array.Empty<byte>();
            if (ParameterSetName == MacAddressSet && !Inputs.TryMac(this, MacAddress, out mac))
            {
                return;
            }

            OmapiSessionInfo sessionInfo = ResolveSession();
            if (InputObject != null && !CheckSameServer(InputObject.Server, InputObject))
            {
                return;
            }

            string target = (ParameterSetName == MacAddressSet ? "host with MAC address " + HardwareAddress.Format(mac) : "host '" + (InputObject?.ToString() ?? Name) + "'") + " on " + sessionInfo.Server;
            if (NewName != null)
            {
                if (Statements == null || Group == null)
                {
                    string missing = Statements == null && Group == null ? "no statements and no group unless they are given with -Statements and -Group"
                        : Statements == null ? "no statements unless they are given with -Statements" : "no group unless it is given with -Group";
                    WriteWarning("Renaming deletes " + target + " and creates it again as '" + NewName + "'. dhcpd never returns a host's statements or group, so they cannot be carried over: the new host has " + missing + ".");
                }

                string action = "Rename (delete and re-create) as '" + NewName + "'" + (HasUpdate ? " with " + DescribeChanges() : string.Empty);
                if (ShouldProcess(target, action))
                {
                    Rename(sessionInfo.Core, input, mac);
                }

                return;
            }

            if (!ShouldProcess(target, "Set " + DescribeChanges()))
            {
                return;
            }

            OmapiSession session = sessionInfo.Core;
            if (InputObject != null)
            {
                Update(session, InputObject, input);
            }
            else if (TryRun(ct => Find(session, mac, ct), input, ErrorIds.HostNotFound, ErrorIds.HostAlreadyExists, out OmapiHost host))
            {
                Update(session, host, input);
            }
        }

        private bool HasUpdate => IPAddress != null || ClearIPAddress || Statements != null || Group != null;

        private void CheckChanges(object input)
        {
            if (IPAddress != null && ClearIPAddress)
            {
                ThrowTerminatingError(OmapiErrors.Create(ErrorIds.InvalidArgument, ErrorCategory.InvalidArgument, "-IPAddress and -ClearIPAddress cannot be used together: -IPAddress replaces the fixed addresses, -ClearIPAddress removes them.", input));
            }

            if (!HasUpdate && NewName == null)
            {
                ThrowTerminatingError(OmapiErrors.Create(ErrorIds.InvalidArgument, ErrorCategory.InvalidArgument, "Nothing to change: give -IPAddress, -ClearIPAddress, -Statements, -Group or -NewName.", input));
            }
        }

        private string DescribeChanges()
        {
            var parts = new List<string>();
            if (IPAddress != null)
            {
                parts.Add("fixed address " + string.Join(", ", IPAddress.Select(a => a.ToString())));
            }

            if (ClearIPAddress)
            {
                parts.Add("no fixed address");
            }

            if (Group != null)
            {
                parts.Add("group '" + Group + "'");
            }

            if (Statements != null)
            {
                parts.Add("statements '" + Statements + "'");
            }

            return string.Join("; ", parts);
        }

        private async System.Threading.Tasks.Task<OmapiHost> Find(OmapiSession session, byte[] mac, System.Threading.CancellationToken ct)
        {
            switch (ParameterSetName)
            {
                case InputObjectSet:
                    // Re-read: a rename needs the host's current MAC, client id and fixed addresses, not a stale copy.
                    return await session.RefreshHostAsync(InputObject!.GetHandle(), ct).ConfigureAwait(false);
                case MacAddressSet:
                    return await session.GetHostByHardwareAddressAsync(mac, HardwareAddress.Ethernet, ct).ConfigureAwait(false);
                default:
                    return await session.GetHostByNameAsync(Name, ct).ConfigureAwait(false);
            }
        }

        /// <summary>
        /// The changes as separate UPDATEs, group first, then statements, then fixed addresses. dhcpd applies the values of
        /// one UPDATE in order and stops at the first it refuses WITHOUT undoing the earlier ones and without committing
        /// them (they are live but not in the leases file, so a restart loses them). One value per UPDATE keeps what dhcpd
        /// serves and what it has written the same; the values that can be refused (group, statements) go first.
        /// </summary>
        private List<(string What, OmapiHostChanges Change)> Steps()
        {
            var steps = new List<(string, OmapiHostChanges)>();
            if (Group != null)
            {
                steps.Add(("group '" + Group + "'", new OmapiHostChanges { Group = Group }));
            }

            if (Statements != null)
            {
                steps.Add(("the statements", new OmapiHostChanges { Statements = Statements }));
            }

            if (IPAddress != null || ClearIPAddress)
            {
                steps.Add((ClearIPAddress ? "no fixed address" : "the fixed addresses", new OmapiHostChanges { IPAddresses = ClearIPAddress ? Array.Empty<IPAddress>() : IPAddress }));
            }

            return steps;
        }

        private void Update(OmapiSession session, OmapiHost host, object input)
        {
            uint handle = host.GetHandle();
            var done = new List<string>();
            foreach ((string what, OmapiHostChanges change) in Steps())
            {
                try
                {
                    Report(Run(ct => session.UpdateHostAsync(host, change, ct)));
                    done.Add(what);
                }
                catch (Exception ex) when (IsReportable(ex))
                {
                    ErrorRecord record = HostError(ex, input, creating: false);
                    if (done.Count > 0)
                    {
                        record.ErrorDetails = new ErrorDetails((record.ErrorDetails?.Message ?? ex.Message) + " Already set: " + string.Join(", ", done) + ".")
                        {
                            RecommendedAction = record.ErrorDetails?.RecommendedAction,
                        };
                    }

                    WriteError(record);
                    return;
                }
            }

            if (PassThru && TryRun(ct => session.RefreshHostAsync(handle, ct), input, ErrorIds.HostNotFound, ErrorIds.HostAlreadyExists, out OmapiHost refreshed))
            {
                WriteObject(refreshed);
            }
        }

        /// <summary>
        /// The ErrorRecord for a refused create or update. dhcpd answers NOTFOUND for an unknown group (the host itself,
        /// if gone, is "no matching handle") and EXISTS for statements on a host that has its own already.
        /// </summary>
        private ErrorRecord HostError(Exception ex, object input, bool creating)
        {
            if (ex is OmapiNotFoundException notFound && Group != null && notFound.ServerMessage != "no matching handle")
            {
                return new ErrorRecord(ex, ErrorIds.GroupNotFound, ErrorCategory.ObjectNotFound, Group)
                {
                    ErrorDetails = new ErrorDetails(ex.Message + " There is no group named '" + Group + "'."),
                };
            }

            if (ex is OmapiAlreadyExistsException && Statements != null && !creating)
            {
                return new ErrorRecord(ex, ErrorIds.PermissionDenied, ErrorCategory.PermissionDenied, input)
                {
                    ErrorDetails = new ErrorDetails(ex.Message + " dhcpd does not replace statements a host already has.")
                    {
                        RecommendedAction = "Give -Group in the same call (setting a group replaces the host's own statements), or re-create the host with the new statements.",
                    },
                };
            }

            return OmapiErrors.ToErrorRecord(ex, input, ErrorIds.HostNotFound, ErrorIds.HostAlreadyExists);
        }

        private void Rename(OmapiSession session, object input, byte[] mac)
        {
            if (!TryRun(ct => Find(session, mac, ct), input, ErrorIds.HostNotFound, ErrorIds.HostAlreadyExists, out OmapiHost old))
            {
                return;
            }

            if (string.Equals(old.Name, NewName, StringComparison.Ordinal))
            {
                WriteVerbose("The host is already named '" + NewName + "'; nothing to rename.");
                if (HasUpdate)
                {
                    Update(session, old, input);
                }
                else if (PassThru)
                {
                    WriteObject(old);
                }

                return;
            }

            OmapiHostDefinition replacement = Definition(old, NewName!, IPAddress ?? (ClearIPAddress ? Array.Empty<IPAddress>() : old.GetIPAddresses().Select(a => a.ToIPAddress()).ToArray()));
            replacement.Statements = Statements;
            replacement.Group = Group;
            OmapiHostDefinition original = Definition(old, old.Name!, old.GetIPAddresses().Select(a => a.ToIPAddress()).ToArray());
            try
            {
                // Both are validated before anything is deleted, so a host that cannot be re-created is never deleted.
                replacement.ToValues();
                original.ToValues();
            }
            catch (ArgumentException ex)
            {
                WriteError(OmapiErrors.ToErrorRecord(ex, input));
                return;
            }

            // The name must be free before the old host is deleted (the MAC and client id are the old host's own).
            try
            {
                Run(ct => session.GetHostByNameAsync(NewName!, ct));
                WriteError(OmapiErrors.Create(ErrorIds.HostAlreadyExists, ErrorCategory.ResourceExists, "A host named '" + NewName + "' already exists; host '" + old.Name + "' was left unchanged.", input));
                return;
            }
            catch (OmapiNotFoundException)
            {
                // The new name is free.
            }
            catch (Exception ex) when (IsReportable(ex))
            {
                WriteError(OmapiErrors.ToErrorRecord(ex, input, ErrorIds.HostNotFound, ErrorIds.HostAlreadyExists));
                return;
            }

            if (!TryRun(ct => session.DeleteHostAsync(old, ct), input, ErrorIds.HostNotFound, ErrorIds.HostAlreadyExists, out OmapiWriteResult deleted))
            {
                return;
            }

            Report(deleted);
            OmapiHost created;
            try
            {
                created = Report(Run(ct => session.CreateHostAsync(replacement, ct)));
            }
            catch (Exception ex) when (IsReportable(ex))
            {
                Restore(session, input, old, original, ex);
                return;
            }

            if (PassThru)
            {
                WriteObject(created);
            }
        }

        private void Restore(OmapiSession session, object input, OmapiHost old, OmapiHostDefinition original, Exception createFailure)
        {
            ErrorRecord failure = HostError(createFailure, input, creating: true);
            string what = "Host '" + old.Name + "' was deleted to be re-created as '" + NewName + "', which failed: " + (failure.ErrorDetails?.Message ?? createFailure.Message);
            try
            {
                Report(Run(ct => session.CreateHostAsync(original, ct)));
                failure.ErrorDetails = new ErrorDetails(what + " Host '" + old.Name + "' was created again with its MAC address, client id and fixed addresses; statements and group it had are lost (dhcpd never returns them): give them again with Set-OmapiHost -Statements/-Group.")
                {
                    RecommendedAction = failure.ErrorDetails?.RecommendedAction,
                };
                WriteError(failure);
            }
            catch (Exception ex) when (IsReportable(ex))
            {
                failure.ErrorDetails = new ErrorDetails(what + " Creating host '" + old.Name + "' again failed too (next error).")
                {
                    RecommendedAction = failure.ErrorDetails?.RecommendedAction,
                };
                WriteError(failure);
                ErrorRecord lost = OmapiErrors.ToErrorRecord(ex, input, ErrorIds.HostNotFound, ErrorIds.HostAlreadyExists);
                lost.ErrorDetails = new ErrorDetails("Host '" + old.Name + "' is deleted and could not be created again: " + ex.Message + " It had " + Describe(old) + ".")
                {
                    RecommendedAction = "Create it again with New-OmapiHost (and its statements and group, which dhcpd never returns).",
                };
                WriteError(lost);
            }
        }

        private static OmapiHostDefinition Definition(OmapiHost old, string name, IPAddress[] addresses)
        {
            var definition = new OmapiHostDefinition { Name = name, IPAddresses = addresses.Length == 0 ? null : addresses };
            if (old.MacAddress != null)
            {
                definition.HardwareAddress = OmapiEncoding.TryParseHex(old.MacAddress);
                definition.HardwareType = old.HardwareType ?? HardwareAddress.Ethernet;
            }

            if (old.ClientId != null)
            {
                definition.ClientId = OmapiEncoding.TryParseHex(old.ClientId);
            }

            return definition;
        }

        private static string Describe(OmapiHost host)
        {
            var parts = new List<string>();
            if (host.MacAddress != null)
            {
                parts.Add("MAC address " + host.MacAddress + " (hardware type " + host.HardwareType + ")");
            }

            if (host.ClientId != null)
            {
                parts.Add("client id " + host.ClientId);
            }

            if (host.IPAddress.Count > 0)
            {
                parts.Add("fixed address " + string.Join(", ", host.IPAddress));
            }

            return string.Join(", ", parts);
        }
    }
}
