using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using Omapi.Core.Bulk;
using Omapi.Core.Connection;
using Omapi.Core.Objects;
using Omapi.Core.Protocol;

namespace Omapi.Core
{
    public sealed partial class OmapiSession
    {
        /// <summary>A host by name.</summary>
        public async Task<OmapiHost> GetHostByNameAsync(string name, CancellationToken cancellationToken = default) =>
            await LookUpHostAsync(RequireText(name, nameof(name)), NameKeys(name), cancellationToken, name: name).ConfigureAwait(false);

        /// <summary>A host by hardware address.</summary>
        public async Task<OmapiHost> GetHostByHardwareAddressAsync(byte[] hardwareAddress, int hardwareType = HardwareAddress.Ethernet, CancellationToken cancellationToken = default) =>
            await LookUpHostAsync("with MAC address " + HardwareAddress.Format(RequireBytes(hardwareAddress, nameof(hardwareAddress))), HardwareKeys(hardwareAddress, hardwareType), cancellationToken, hardwareAddress: hardwareAddress).ConfigureAwait(false);

        /// <summary>A host by DHCP client identifier.</summary>
        public async Task<OmapiHost> GetHostByClientIdAsync(byte[] clientId, CancellationToken cancellationToken = default) =>
            await LookUpHostAsync("with client id " + OmapiEncoding.ToHex(RequireBytes(clientId, nameof(clientId))), ClientIdKeys(clientId), cancellationToken, clientId: clientId).ConfigureAwait(false);

        /// <summary>
        /// A host by IP address. dhcpd resolves this through the lease: IP → lease → its hardware address → host, so a host's
        /// fixed-address alone does not find it.
        /// </summary>
        public async Task<OmapiHost> GetHostByIPAddressAsync(IPAddress address, CancellationToken cancellationToken = default) =>
            await LookUpHostAsync("for " + address, new OmapiValueList().Add("ip-address", OmapiEncoding.FromIPv4(address)), cancellationToken).ConfigureAwait(false);

        /// <summary>Re-reads a host by handle.</summary>
        public async Task<OmapiHost> RefreshHostAsync(uint handle, CancellationToken cancellationToken = default)
        {
            OmapiObject o = await RefreshAsync(handle, "host", cancellationToken).ConfigureAwait(false);
            ReplyChecks.Host(o, "refresh host handle " + handle.ToString(System.Globalization.CultureInfo.InvariantCulture));
            return OmapiHost.FromObject(o, ServerName);
        }

        /// <summary>Looks up many hosts by name.</summary>
        public Task<OmapiBulkOperation<string, OmapiHost>> StartHostLookupAsync(IEnumerable<string>? names, OmapiBulkOptions? options = null, CancellationToken cancellationToken = default) =>
            StartBulkAsync(
                names,
                name => new OmapiRequest(OmapiOpcode.Open, 0, new OmapiValueList().Add("type", "host"), new OmapiValueList().Add("name", RequireText(name, nameof(names))), "open host " + name, "open host"),
                (name, reply) =>
                {
                    OmapiObject o = ReplyChecks.Object(reply, "host", "open host " + name, _options.ResultNumbering);
                    ReplyChecks.Host(o, "open host " + name, name: name);
                    return OmapiHost.FromObject(o, ServerName);
                },
                options,
                cancellationToken);

        /// <summary>
        /// Creates a host (create + exclusive); <see cref="OmapiAlreadyExistsException"/> when it exists. Its name is checked
        /// first (<see cref="OmapiNames"/>): a name dhcpd would lose at its next start is refused before anything is sent.
        /// When the reply is lost, the host is looked up by name: the create is all or nothing in dhcpd (it enters the host
        /// only after every value is applied), so a host of that name with this MAC or client id means it was created.
        /// </summary>
        public async Task<OmapiWriteResult<OmapiHost>> CreateHostAsync(OmapiHostDefinition definition, CancellationToken cancellationToken = default)
        {
            if (definition == null)
            {
                throw new ArgumentNullException(nameof(definition));
            }

            string what = "create host " + (definition.Name ?? string.Empty);
            OmapiRequest request = OpenRequest("host", definition.ToValues(), OmapiOpenFlags.Create | OmapiOpenFlags.Exclusive, what);
            return await WriteAsync(
                request,
                reply =>
                {
                    OmapiObject o = ReplyChecks.Object(reply, "host", what, _options.ResultNumbering);
                    ReplyChecks.Host(o, what, name: definition.Name);
                    return OmapiHost.FromObject(o, ServerName);
                },
                ct => HostCreatedVerdictAsync(definition, ct),
                cancellationToken).ConfigureAwait(false);
        }

        private async Task<Verdict<OmapiHost>> HostCreatedVerdictAsync(OmapiHostDefinition definition, CancellationToken cancellationToken)
        {
            OmapiHost? found = await FindHostAsync(definition.Name, definition.HardwareAddress, definition.HardwareType, definition.ClientId, cancellationToken).ConfigureAwait(false);
            if (found == null)
            {
                return Verdict<OmapiHost>.NotApplied("no such host exists");
            }

            bool same = Matches(found, definition.HardwareAddress, definition.ClientId)
                && SameAddresses(found.GetIPAddresses(), definition.IPAddresses ?? Array.Empty<IPAddress>());
            if (definition.Name == null)
            {
                return Verdict<OmapiHost>.Unknown("a host with that MAC address or client id exists as '" + found.Name + "', and since dhcpd named it itself, whether it is the one just created cannot be told");
            }

            return same
                ? Verdict<OmapiHost>.Applied(found, "host '" + found.Name + "' exists as asked")
                : Verdict<OmapiHost>.NotApplied("a host named '" + found.Name + "' exists, but with another MAC address, client id or fixed address");
        }

        /// <summary>
        /// Deletes a host by its handle. When the reply is lost, the host is looked up again by name (or MAC, or client id):
        /// gone means deleted. dhcpd records the deletion in its leases file, so a dhcpd.conf host stays deleted.
        /// </summary>
        public async Task<OmapiWriteResult> DeleteHostAsync(OmapiHost host, CancellationToken cancellationToken = default)
        {
            if (host == null)
            {
                throw new ArgumentNullException(nameof(host));
            }

            string what = "delete host " + host;
            return await WriteAsync(
                DeleteRequest(host.GetHandle(), what),
                reply =>
                {
                    OmapiReplies.ExpectSuccess(reply, what, _options.ResultNumbering);
                    return true;
                },
                async ct =>
                {
                    OmapiHost? found = await FindHostAsync(host.Name, ParseHex(host.MacAddress), host.HardwareType ?? HardwareAddress.Ethernet, ParseHex(host.ClientId), ct).ConfigureAwait(false);
                    return found == null ? Verdict<bool>.Applied(true, "the host is gone")
                        : found.GetHandle() == host.GetHandle() ? Verdict<bool>.NotApplied("the host is still there")
                        : Verdict<bool>.Applied(true, "a host of that name exists again, as another object");
                },
                cancellationToken).ConfigureAwait(false);
        }

        /// <summary>Finds a host by name, else by hardware address, else by client id; null when there is none.</summary>
        private async Task<OmapiHost?> FindHostAsync(string? name, byte[]? hardwareAddress, int hardwareType, byte[]? clientId, CancellationToken cancellationToken)
        {
            try
            {
                if (name != null)
                {
                    return await GetHostByNameAsync(name, cancellationToken).ConfigureAwait(false);
                }

                if (hardwareAddress != null && hardwareAddress.Length > 0)
                {
                    return await GetHostByHardwareAddressAsync(hardwareAddress, hardwareType, cancellationToken).ConfigureAwait(false);
                }

                if (clientId != null && clientId.Length > 0)
                {
                    return await GetHostByClientIdAsync(clientId, cancellationToken).ConfigureAwait(false);
                }

                return null;
            }
            catch (OmapiNotFoundException)
            {
                return null;
            }
        }

        private static bool Matches(OmapiHost host, byte[]? hardwareAddress, byte[]? clientId) =>
            (hardwareAddress == null || hardwareAddress.Length == 0 || string.Equals(host.MacAddress, HardwareAddress.Format(hardwareAddress), StringComparison.OrdinalIgnoreCase))
            && (clientId == null || clientId.Length == 0 || string.Equals(host.ClientId, OmapiEncoding.ToHex(clientId), StringComparison.OrdinalIgnoreCase));

        private static bool SameAddresses(IPv4AddressList a, IPAddress[] b) => a.Count == b.Length && a.Zip(b, (x, y) => x.Equals(IPv4Address.FromIPAddress(y))).All(e => e);

        private static IPAddress[] Unpack(byte[] value)
        {
            var list = new IPAddress[value.Length / 4];
            for (int i = 0; i < list.Length; i++)
            {
                list[i] = new IPAddress(new[] { value[i * 4], value[(i * 4) + 1], value[(i * 4) + 2], value[(i * 4) + 3] });
            }

            return list;
        }

        private static string Describe(IPv4AddressList addresses) => addresses.Count == 0 ? "none" : addresses.ToString();

        private static byte[]? ParseHex(string? hex) => hex == null ? null : OmapiEncoding.TryParseHex(hex);
    }
}
