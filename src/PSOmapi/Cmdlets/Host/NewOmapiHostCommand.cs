using System;
using System.Linq;
using System.Management.Automation;
using System.Net;
using Omapi.Core.Objects;

namespace PSOmapi
{
    /// <summary>
    /// <para type="synopsis">Creates a host declaration in dhcpd (a reservation by MAC address or DHCP client identifier).</para>
    /// <para type="description">dhcpd enters the host at once and writes it to its leases file, so it survives a restart.
    /// Every parameter also binds by property name, so objects and CSV rows (Import-Csv) can be piped in to create many
    /// hosts; empty IPAddress, Group and Statements cells mean none. A row cannot leave MacAddress empty to use ClientId:
    /// keep hosts by client id in a file without a MacAddress column. The created host is returned.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.New, "OmapiHost", DefaultParameterSetName = MacAddressSet, SupportsShouldProcess = true, HelpUri = ModuleLinks.HelpBase + "New-OmapiHost.md")]
    [OutputType(typeof(OmapiHost))]
    public sealed class NewOmapiHostCommand : OmapiSessionCmdlet
    {
        private const string MacAddressSet = "MacAddress";
        private const string ClientIdSet = "ClientId";

        /// <summary>The host's name. dhcpd requires it to be unique among hosts.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string Name { get; set; } = string.Empty;

        /// <summary>
        /// The client's hardware address: 00:11:22:33:44:55, 00-11-22-33-44-55 or 001122334455 (for a -HardwareType other
        /// than 1, any 1 to 20 hex bytes). dhcpd requires it to be unique among hosts.
        /// </summary>
        [Parameter(Mandatory = true, Position = 1, ParameterSetName = MacAddressSet, ValueFromPipelineByPropertyName = true)]
        [Alias("HardwareAddress")]
        [ValidateNotNullOrEmpty]
        public string MacAddress { get; set; } = string.Empty;

        /// <summary>The DHCP client identifier (option 61) to match instead of a MAC address: hex (01:00:11:22:33:44:55) or text.</summary>
        [Parameter(Mandatory = true, ParameterSetName = ClientIdSet, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string ClientId { get; set; } = string.Empty;

        /// <summary>Fixed addresses (fixed-address) to give the host; IPv4 only.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("FixedAddress")]
        public IPAddress[]? IPAddress { get; set; }

        /// <summary>
        /// The name of a named group (<c>group "name" { ... }</c> in dhcpd.conf, or New-OmapiGroup) whose statements the
        /// host inherits; -Statements are added on top. dhcpd records it but never returns it. An unknown group is
        /// GroupNotFound. An empty value (e.g. an empty CSV cell) means none.
        /// </summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string? Group { get; set; }

        /// <summary>
        /// dhcpd.conf statements for the host, e.g. <c>option host-name "pc1"; filename "pxelinux.0";</c>. dhcpd never returns
        /// them. Statements it cannot parse (e.g. an unknown option) are refused with InvalidStatements and nothing is
        /// created. BEWARE: dhcpd silently DROPS a statement it can only half parse, such as <c>option host-name</c> with no
        /// value: the host is then created without it and no error is reported. Check the host block dhcpd writes to its
        /// leases file when in doubt. An empty value (e.g. an empty CSV cell) means none.
        /// </summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string? Statements { get; set; }

        /// <summary>
        /// The ARP hardware type of -MacAddress: 1 (Ethernet, the default) is what dhcpd.conf's <c>hardware ethernet</c>
        /// means and what MAC lookups assume.
        /// </summary>
        [Parameter(ParameterSetName = MacAddressSet, ValueFromPipelineByPropertyName = true)]
        [ValidateRange(1, 255)]
        public int HardwareType { get; set; } = HardwareAddress.Ethernet;

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            if (!Inputs.TryHostName(this, Name))
            {
                return;
            }

            var definition = new OmapiHostDefinition
            {
                Name = Name,
                Statements = string.IsNullOrEmpty(Statements) ? null : Statements,
                Group = string.IsNullOrEmpty(Group) ? null : Group,
            };

            string key;
            if (ParameterSetName == ClientIdSet)
            {
                if (!Inputs.TryClientId(this, ClientId, out byte[] clientId))
                {
                    return;
                }

                definition.ClientId = clientId;
                key = "client id " + ClientId;
            }
            else
            {
                if (!TryHardwareAddress(out byte[] mac))
                {
                    return;
                }

                definition.HardwareAddress = mac;
                definition.HardwareType = HardwareType;
                key = "MAC " + HardwareAddress.Format(mac);
            }

            IPAddress[] addresses = IPAddress ?? Array.Empty<IPAddress>();
            foreach (IPAddress address in addresses)
            {
                if (!Inputs.TryIPv4(this, address))
                {
                    return;
                }
            }

            definition.IPAddresses = addresses.Length == 0 ? null : addresses;
            if (!Inputs.TryStatements(this, Statements))
            {
                return;
            }

            Omapi.Core.OmapiSession session = Core;

            // Before ShouldProcess, so that -Confirm shows the warnings before it asks. Under -WhatIf nothing at all is
            // sent to the server (a promise of the module), so nothing is checked.
            if (!IsWhatIf())
            {
                foreach (IPAddress address in addresses)
                {
                    WarnIfTaken(session, address, definition);
                }
            }

            string target = "host '" + Name + "' on " + ResolveSession().Server;
            string action = "Create (" + key + (addresses.Length == 0 ? string.Empty : ", fixed address " + string.Join(", ", addresses.Select(a => a.ToString()))) + ")";
            if (!ShouldProcess(target, action))
            {
                return;
            }

            try
            {
                WriteObject(Report(Run(ct => session.CreateHostAsync(definition, ct))));
            }
            catch (Omapi.Core.OmapiNotFoundException ex) when (definition.Group != null)
            {
                // Creating looks nothing up but the group: NOTFOUND names the group.
                WriteError(new ErrorRecord(ex, ErrorIds.GroupNotFound, ErrorCategory.ObjectNotFound, definition.Group)
                {
                    ErrorDetails = new ErrorDetails(ex.Message + " There is no group named '" + definition.Group + "'; host '" + Name + "' was not created."),
                });
            }
            catch (Omapi.Core.OmapiKeyConflictException ex)
            {
                // The keys of a create are the new host's own name and MAC or client id: dhcpd answers KEYCONFLICT when the
                // MAC or client id already belongs to another host (and EXISTS when only the name is taken).
                WriteError(new ErrorRecord(ex, ErrorIds.HostAlreadyExists, ErrorCategory.ResourceExists, Name)
                {
                    ErrorDetails = new ErrorDetails(ex.Message + " The " + key + " already belongs to " + Owner(session, definition) + "; host '" + Name + "' was not created."),
                });
            }
            catch (Exception ex) when (IsReportable(ex))
            {
                WriteError(OmapiErrors.ToErrorRecord(ex, Name, ErrorIds.HostNotFound, ErrorIds.HostAlreadyExists));
            }
        }

        /// <summary>
        /// Warns when dhcpd can tell that <paramref name="address"/> is taken: its lease is Active for another client, or
        /// the host dhcpd finds for the address (the host with the lease's MAC address) is another host that reserves it.
        /// Two lookups at most, one after the other, and only for fixed addresses that are given. dhcpd keeps no index of
        /// fixed addresses, so a reservation of an address outside every range cannot be seen over OMAPI: Verbose says so.
        /// </summary>
        private void WarnIfTaken(Omapi.Core.OmapiSession session, IPAddress address, OmapiHostDefinition definition)
        {
            AddressHolder holder;
            try
            {
                holder = Run(ct => AddressHolder.FindAsync(session, address, lookUpHost: true, ct));
            }
            catch (Exception ex) when (IsReportable(ex))
            {
                WriteVerbose("Could not check whether " + address + " is taken: " + ex.Message);
                return;
            }

            OmapiLease? lease = holder.Lease;
            if (lease == null)
            {
                WriteVerbose(address + " has no lease (it is outside every range of dhcpd.conf): dhcpd cannot tell over OMAPI whether another host has it as a fixed address.");
                return;
            }

            if (IsSameClient(lease, definition))
            {
                return;
            }

            OmapiHost? other = holder.Host != null && !string.Equals(holder.Host.Name, Name, StringComparison.Ordinal) ? holder.Host : null;
            string owner = other == null ? string.Empty : " (host '" + other.Name + "')";
            if (other != null && holder.HostReservesAddress)
            {
                WriteWarning(address + " is already reserved by host '" + other.Name + "' (MAC " + other.MacAddress + ")"
                    + (holder.IsLeased ? " and leased to it now" : string.Empty)
                    + ": host '" + Name + "' gets it as well, and two clients may be given the same address. Change the other host (Set-OmapiHost) or choose another address.");
            }
            else if (holder.IsLeased)
            {
                WriteWarning(address + " is leased to MAC " + lease.MacAddress + owner
                    + (string.IsNullOrEmpty(lease.ClientHostname) ? string.Empty : ", client hostname '" + lease.ClientHostname + "'")
                    + ", until the lease ends: host '" + Name + "' gets it as a fixed address as well, and two clients may use the same address. Choose another address, or end that lease first (Set-OmapiLease -IPAddress " + address + " -State Free).");
            }
        }

        /// <summary>True when -WhatIf is in effect: given to this command, or by $WhatIfPreference when it is not given.</summary>
        private bool IsWhatIf()
        {
            if (MyInvocation.BoundParameters.TryGetValue("WhatIf", out object? value))
            {
                return LanguagePrimitives.IsTrue(value);
            }

            return LanguagePrimitives.IsTrue(GetVariableValue("WhatIfPreference"));
        }

        /// <summary>True when the lease belongs to the client the new host is for (its MAC address or client id).</summary>
        private static bool IsSameClient(OmapiLease lease, OmapiHostDefinition definition)
        {
            if (definition.HardwareAddress != null)
            {
                return string.Equals(lease.MacAddress, HardwareAddress.Format(definition.HardwareAddress), StringComparison.OrdinalIgnoreCase);
            }

            return definition.ClientId != null && string.Equals(lease.ClientId, Omapi.Core.Protocol.OmapiEncoding.ToHex(definition.ClientId), StringComparison.OrdinalIgnoreCase);
        }

        /// <summary>Names the host that has the definition's MAC address or client id, for the error message.</summary>
        private string Owner(Omapi.Core.OmapiSession session, OmapiHostDefinition definition)
        {
            try
            {
                OmapiHost owner = Run(ct => definition.HardwareAddress != null
                    ? session.GetHostByHardwareAddressAsync(definition.HardwareAddress, definition.HardwareType, ct)
                    : session.GetHostByClientIdAsync(definition.ClientId!, ct));
                return "host '" + owner.Name + "'";
            }
            catch (Exception ex) when (IsReportable(ex))
            {
                return "another host";
            }
        }

        private bool TryHardwareAddress(out byte[] address)
        {
            if (HardwareType == HardwareAddress.Ethernet)
            {
                return Inputs.TryMac(this, MacAddress, out address);
            }

            try
            {
                address = HardwareAddress.Parse(MacAddress);
                return true;
            }
            catch (FormatException ex)
            {
                WriteError(new ErrorRecord(ex, ErrorIds.InvalidMacAddress, ErrorCategory.InvalidArgument, MacAddress));
                address = Array.Empty<byte>();
                return false;
            }
        }
    }
}
