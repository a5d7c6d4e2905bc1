using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using Omapi.Core.Protocol;

namespace Omapi.Core.Objects
{
    /// <summary>
    /// A host declaration as OMAPI returns it. dhcpd never returns a host's <c>statements</c>, <c>group</c> or
    /// <c>known</c>; they can be written (<see cref="OmapiHostDefinition"/>) but not read. Its properties are what an
    /// administrator exchanges: the MAC as <c>00:11:22:33:44:55</c>, the client identifier as colon hex, the fixed
    /// addresses as dotted text; <see cref="GetIPAddresses"/> gives them as values.
    /// </summary>
    public sealed class OmapiHost : IOmapiObject
    {
        private readonly uint _handle;
        private readonly IPv4AddressList _addresses;

        private OmapiHost(OmapiObject o, string server)
        {
            Server = server;
            _handle = o.Handle;
            Name = o.Text("name");
            byte[]? mac = o.Raw("hardware-address");
            MacAddress = mac == null ? null : HardwareAddress.Format(mac);
            HardwareType = mac == null ? null : (int?)o.UInt32("hardware-type");
            ClientId = o.Hex("dhcp-client-identifier");
            byte[]? addresses = o.Raw("ip-address");
            if (addresses != null && addresses.Length % 4 != 0)
            {
                throw new OmapiMalformedValueException("ip-address", addresses, "IPv4 addresses (4 bytes each)");
            }

            var list = new List<IPv4Address>();
            for (int i = 0; addresses != null && i < addresses.Length; i += 4)
            {
                list.Add(new IPv4Address(OmapiEncoding.ReadUInt32(addresses, i)));
            }

            _addresses = list.Count == 0 ? IPv4AddressList.Empty : new IPv4AddressList(list);
            IPAddress = list.Select(a => a.ToString()).ToArray();
        }

        /// <summary>The host's name.</summary>
        public string? Name { get; }

        /// <summary>Hardware address as <c>00:11:22:33:44:55</c>, if set.</summary>
        public string? MacAddress { get; }

        /// <summary>Hardware type (1 = Ethernet); 0 means the host was created without one and cannot be found by MAC.</summary>
        public int? HardwareType { get; }

        /// <summary>DHCP client identifier as colon hex, if set.</summary>
        public string? ClientId { get; }

        /// <summary>The fixed addresses as dotted text (empty when the host has none); <see cref="GetIPAddresses"/> gives the values.</summary>
        public IReadOnlyList<string> IPAddress { get; }

        /// <summary>The server the host came from.</summary>
        public string Server { get; }

        /// <summary>The fixed addresses (empty when the host has none).</summary>
        public IPv4AddressList GetIPAddresses() => _addresses;

        /// <summary>The host's OMAPI handle.</summary>
        public uint GetHandle() => _handle;

        /// <summary>Reads a host from a server object.</summary>
        public static OmapiHost FromObject(OmapiObject value, string server) => new OmapiHost(value ?? throw new ArgumentNullException(nameof(value)), server);

        /// <inheritdoc />
        public override string ToString() => Name ?? MacAddress ?? ClientId ?? "host";
    }

    /// <summary>A host to create. Either <see cref="HardwareAddress"/> or <see cref="ClientId"/> is required.</summary>
    public sealed class OmapiHostDefinition
    {
        /// <summary>The host's name (dhcpd generates one when omitted).</summary>
        public string? Name { get; set; }

        /// <summary>The hardware address bytes.</summary>
#pragma warning disable CA1819
        public byte[]? HardwareAddress { get; set; }

        /// <summary>The hardware type; defaults to Ethernet, because dhcpd stores 0 when none is sent and the host then cannot be found by MAC.</summary>
        public int HardwareType { get; set; } = Objects.HardwareAddress.Ethernet;

        /// <summary>The DHCP client identifier bytes.</summary>
        public byte[]? ClientId { get; set; }

        /// <summary>Fixed addresses.</summary>
        public IPAddress[]? IPAddresses { get; set; }
#pragma warning restore CA1819

        /// <summary>dhcpd.conf statements, e.g. <c>option host-name "pc1";</c> (write-only: never returned).</summary>
        public string? Statements { get; set; }

        /// <summary>The name of a named group (write-only: never returned).</summary>
        public string? Group { get; set; }

        /// <summary>The object values of the create request, validated.</summary>
        public OmapiValueList ToValues()
        {
            if (Name != null)
            {
                OmapiNames.CheckHostName(Name);
            }

            if ((HardwareAddress == null || HardwareAddress.Length == 0) && (ClientId == null || ClientId.Length == 0))
            {
                throw new ArgumentException("A host needs a hardware address or a client identifier: dhcpd refuses one without either.");
            }

            if (HardwareAddress != null && HardwareAddress.Length > Objects.HardwareAddress.MaxLength)
            {
                throw new ArgumentException("A hardware address is at most 20 bytes.", nameof(HardwareAddress));
            }

            if (HardwareType < 0 || HardwareType > 255)
            {
                throw new ArgumentOutOfRangeException(nameof(HardwareType), HardwareType, "The hardware type is one byte (1 = Ethernet).");
            }

            var values = new OmapiValueList();
            if (Name != null)
            {
                values.Add("name", Name);
            }

            if (HardwareAddress != null && HardwareAddress.Length > 0)
            {
                values.Add("hardware-address", HardwareAddress);
                values.Add("hardware-type", (uint)HardwareType);
            }

            if (ClientId != null && ClientId.Length > 0)
            {
                values.Add("dhcp-client-identifier", ClientId);
            }

            if (IPAddresses != null && IPAddresses.Length > 0)
            {
                values.Add("ip-address", OmapiHostChanges.Pack(IPAddresses));
            }

            AddGroupThenStatements(values, Group, Statements);
            return values;
        }

        /// <summary>
        /// dhcpd applies values in order, and setting <c>group</c> replaces the host's own group — statements included —
        /// with the named one. So the group goes first and the statements are then layered on top of it.
        /// </summary>
        internal static void AddGroupThenStatements(OmapiValueList values, string? group, string? statements)
        {
            if (!string.IsNullOrEmpty(group))
            {
                values.Add("group", group!);
            }

            if (!string.IsNullOrEmpty(statements))
            {
                values.Add("statements", statements!);
            }
        }
    }

    /// <summary>
    /// What may be changed on an existing host. Name, hardware address and client id are write-once in dhcpd:
    /// changing them needs delete + create.
    /// </summary>
    public sealed class OmapiHostChanges
    {
        /// <summary>New fixed addresses; an empty array removes them. Null leaves them alone.</summary>
#pragma warning disable CA1819
        public IPAddress[]? IPAddresses { get; set; }
#pragma warning restore CA1819

        /// <summary>Statements to set (dhcpd refuses when the host already has its own statements).</summary>
        public string? Statements { get; set; }

        /// <summary>The named group to put the host in.</summary>
        public string? Group { get; set; }

        /// <summary>The object values of the UPDATE.</summary>
        public OmapiValueList ToValues()
        {
            var values = new OmapiValueList();
            if (IPAddresses != null)
            {
                if (IPAddresses.Length == 0)
                {
                    values.AddNull("ip-address");
                }
                else
                {
                    values.Add("ip-address", Pack(IPAddresses));
                }
            }

            OmapiHostDefinition.AddGroupThenStatements(values, Group, Statements);
            if (values.Count == 0)
            {
                throw new ArgumentException("Nothing to change: set IPAddresses, Statements or Group.");
            }

            return values;
        }

        internal static byte[] Pack(IPAddress[] addresses)
        {
            var bytes = new byte[addresses.Length * 4];
            for (int i = 0; i < addresses.Length; i++)
            {
                Buffer.BlockCopy(OmapiEncoding.FromIPv4(addresses[i]), 0, bytes, i * 4, 4);
            }

            return bytes;
        }
    }
}
