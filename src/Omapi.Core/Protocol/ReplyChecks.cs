using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using Omapi.Core.Objects;

namespace Omapi.Core.Protocol
{
    /// <summary>
    /// A reply is checked against what was asked before anyone sees it: the right kind of object, the key fields the request
    /// named, a non-zero handle, values in range, no attribute twice. A reply that fails is a <see cref="OmapiProtocolException"/>
    /// for that request only (a buggy server, or a man in the middle holding the key); other requests are unaffected.
    /// </summary>
    internal static class ReplyChecks
    {
        /// <summary>Expects an object (UPDATE) reply with a handle and no attribute twice; a STATUS becomes its server error.</summary>
        [MethodImpl(HotPath.Optimize)]
        internal static OmapiObject Object(OmapiMessage reply, string? type, string operation, OmapiResultNumbering numbering, string? server = null)
        {
            OmapiObject o = OmapiReplies.ExpectObject(reply, type, operation, numbering, server);
            if (o.Handle == 0)
            {
                throw Mismatch(operation, "it carries handle 0, which names no object");
            }

            if (o.RawValues.Count > 1)
            {
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (OmapiValue v in o.RawValues)
                {
                    if (!seen.Add(v.Name))
                    {
                        throw Mismatch(operation, "it carries '" + v.Name + "' twice (dhcpd never repeats an attribute)");
                    }
                }
            }

            return o;
        }

        /// <summary>The object must be the one the handle names.</summary>
        internal static void SameHandle(OmapiObject o, uint handle, string operation)
        {
            if (o.Handle != handle)
            {
                throw Mismatch(operation, string.Format(CultureInfo.InvariantCulture, "it describes handle {0}, not handle {1}", o.Handle, handle));
            }
        }

        /// <summary>A lease: a state of 1..7 and an IPv4 address, equal to <paramref name="address"/> when one was asked.</summary>
        [MethodImpl(HotPath.Optimize)]
        internal static void Lease(OmapiObject o, string operation, IPAddress? address = null, byte[]? hardwareAddress = null, byte[]? clientId = null)
        {
            byte[]? state = o.RawValues.Get("state");
            byte[]? ip = o.RawValues.Get("ip-address");
            if (state == null || ip == null)
            {
                throw Mismatch(operation, "it is not a lease (a lease always has a state and an ip-address" + (o.RawValues.Get("name") != null ? "; this looks like a host" : string.Empty) + ")");
            }

            if (state.Length == 4)
            {
                uint s = OmapiEncoding.ReadUInt32(state, 0);
                if (s < (uint)LeaseState.Free || s > (uint)LeaseState.Backup)
                {
                    throw Mismatch(operation, string.Format(CultureInfo.InvariantCulture, "its state is {0}, not a lease state (1..7)", s));
                }
            }

            if (address != null && ip.Length == 4 && !Equal(ip, address.GetAddressBytes()))
            {
                throw Mismatch(operation, "it describes the lease of " + new IPAddress(ip) + ", not of " + address);
            }

            if (hardwareAddress != null && !Equal(o.RawValues.Get("hardware-address"), hardwareAddress))
            {
                throw Mismatch(operation, "its hardware address is not the one asked for");
            }

            if (clientId != null && !Equal(o.RawValues.Get("dhcp-client-identifier"), clientId))
            {
                throw Mismatch(operation, "its client identifier is not the one asked for");
            }
        }

        /// <summary>A host (no lease state), with the name, hardware address or client id that was asked for.</summary>
        internal static void Host(OmapiObject o, string operation, string? name = null, byte[]? hardwareAddress = null, byte[]? clientId = null)
        {
            if (o.RawValues.Get("state") != null)
            {
                throw Mismatch(operation, "it is not a host (it has a lease state)");
            }

            if (name != null && o.Text("name") != name)
            {
                throw Mismatch(operation, "it describes host '" + (o.Text("name") ?? "(no name)") + "', not '" + name + "'");
            }

            if (hardwareAddress != null && !Equal(o.RawValues.Get("hardware-address"), hardwareAddress))
            {
                throw Mismatch(operation, "its hardware address is not the one asked for");
            }

            if (clientId != null && !Equal(o.RawValues.Get("dhcp-client-identifier"), clientId))
            {
                throw Mismatch(operation, "its client identifier is not the one asked for");
            }
        }

        /// <summary>A named object (a group) whose name was asked for: the name it returns must be that one.</summary>
        internal static void Named(OmapiObject o, string operation, string name)
        {
            string? returned = o.Text("name");
            if (returned != null && returned != name)
            {
                throw Mismatch(operation, "it describes '" + returned + "', not '" + name + "'");
            }
        }

        private static OmapiProtocolException Mismatch(string operation, string why) =>
            new OmapiProtocolException("The server's reply to '" + operation + "' does not answer it: " + why + ". It was refused.");

        [MethodImpl(HotPath.Optimize)]
        private static bool Equal(byte[]? a, byte[] b)
        {
            if (a == null || a.Length != b.Length)
            {
                return false;
            }

            for (int i = 0; i < a.Length; i++)
            {
                if (a[i] != b[i])
                {
                    return false;
                }
            }

            return true;
        }
    }
}
