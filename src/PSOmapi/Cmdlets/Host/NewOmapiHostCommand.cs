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

            string target = "host '" + Name + "' on " + ResolveSession().Server;
            string action = "Create (" + key + (addresses.Length == 0 ? string.Empty : ", fixed address " + string.Join(", ", addresses.Select(a => a.ToString()))) + ")";
            if (!ShouldProcess(target, action))
            {
                return;
            }

            Omapi.Core.OmapiSession session = Core;
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
