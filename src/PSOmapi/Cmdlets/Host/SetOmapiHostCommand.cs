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

        /// <summary>The changes the parameters ask for (fixed addresses null when they are kept, empty when cleared).</summary>
        private OmapiHostChanges Changes() => new OmapiHostChanges
        {
            IPAddresses = IPAddress ?? (ClearIPAddress ? Array.Empty<IPAddress>() : null),
            Statements = Statements,
            Group = Group,
        };

        /// <summary>How the error of a change that stopped half way names a value already in effect.</summary>
        private string Label(string attribute) => attribute switch
        {
            "group" => "group '" + Group + "'",
            "statements" => "the statements",
            _ => ClearIPAddress ? "no fixed address" : "the fixed addresses",
        };

        private void Update(OmapiSession session, OmapiHost host, object input)
        {
            if (!TryRun(ct => session.SetHostAsync(host, Changes(), ct), input, ErrorIds.HostNotFound, ErrorIds.HostAlreadyExists, out OmapiHostUpdateResult result))
            {
                return;
            }

            WriteNotes(result);
            if (result.Failure != null)
            {
                ErrorRecord record = HostError(result.Failure, input, creating: false);
                if (result.Applied.Count > 0)
                {
                    record.ErrorDetails = new ErrorDetails((record.ErrorDetails?.Message ?? result.Failure.Message) + " Already set: " + string.Join(", ", result.Applied.Select(Label)) + ".")
                    {
                        RecommendedAction = record.ErrorDetails?.RecommendedAction,
                    };
                }

                WriteError(record);
                return;
            }

            if (PassThru && TryRun(ct => session.RefreshHostAsync(host.GetHandle(), ct), input, ErrorIds.HostNotFound, ErrorIds.HostAlreadyExists, out OmapiHost refreshed))
            {
                WriteObject(refreshed);
            }
        }

        /// <summary>A warning per request whose reply was lost and that reading back found applied.</summary>
        private void WriteNotes(OmapiWriteResult result)
        {
            foreach (string note in result.Notes)
            {
                WriteWarning(note);
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

            if (!TryRun(ct => session.RenameHostAsync(old, NewName!, Changes(), ct), input, ErrorIds.HostNotFound, ErrorIds.HostAlreadyExists, out OmapiHostRenameResult result))
            {
                return;
            }

            WriteNotes(result);
            switch (result.Outcome)
            {
                case OmapiHostRenameOutcome.Renamed:
                    if (PassThru)
                    {
                        WriteObject(result.Host);
                    }

                    break;
                case OmapiHostRenameOutcome.NameTaken:
                    WriteError(OmapiErrors.Create(ErrorIds.HostAlreadyExists, ErrorCategory.ResourceExists, "A host named '" + NewName + "' already exists; host '" + old.Name + "' was left unchanged.", input));
                    break;
                default:
                    WriteRenameFailure(result, input);
                    break;
            }
        }

        /// <summary>The errors of a rename whose new host could not be created: the old one restored, or lost too.</summary>
        private void WriteRenameFailure(OmapiHostRenameResult result, object input)
        {
            OmapiHost old = result.Original;
            Exception createFailure = result.CreateFailure!;
            ErrorRecord failure = HostError(createFailure, input, creating: true);
            string what = "Host '" + old.Name + "' was deleted to be re-created as '" + NewName + "', which failed: " + (failure.ErrorDetails?.Message ?? createFailure.Message);
            if (result.Outcome == OmapiHostRenameOutcome.Restored)
            {
                failure.ErrorDetails = new ErrorDetails(what + " Host '" + old.Name + "' was created again with its MAC address, client id and fixed addresses; statements and group it had are lost (dhcpd never returns them): give them again with Set-OmapiHost -Statements/-Group.")
                {
                    RecommendedAction = failure.ErrorDetails?.RecommendedAction,
                };
                WriteError(failure);
                return;
            }

            Exception restoreFailure = result.RestoreFailure!;
            failure.ErrorDetails = new ErrorDetails(what + " Creating host '" + old.Name + "' again failed too (next error).")
            {
                RecommendedAction = failure.ErrorDetails?.RecommendedAction,
            };
            WriteError(failure);
            ErrorRecord lost = OmapiErrors.ToErrorRecord(restoreFailure, input, ErrorIds.HostNotFound, ErrorIds.HostAlreadyExists);
            lost.ErrorDetails = new ErrorDetails("Host '" + old.Name + "' is deleted and could not be created again: " + restoreFailure.Message + " It had " + Describe(old) + ".")
            {
                RecommendedAction = "Create it again with New-OmapiHost (and its statements and group, which dhcpd never returns).",
            };
            WriteError(lost);
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
