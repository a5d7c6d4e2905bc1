using System;
using System.Management.Automation;
using System.Net;
using System.Net.Sockets;
using Omapi.Core.Objects;

namespace PSOmapi
{
    /// <summary>Validation of user values, each failure a specific non-terminating ErrorRecord with the input as target.</summary>
    internal static class Inputs
    {
        internal static bool TryMac(Cmdlet cmdlet, string text, out byte[] mac)
        {
            try
            {
                mac = HardwareAddress.ParseMac(text);
                return true;
            }
            catch (FormatException ex)
            {
                cmdlet.WriteError(new ErrorRecord(ex, ErrorIds.InvalidMacAddress, ErrorCategory.InvalidArgument, text));
                mac = Array.Empty<byte>();
                return false;
            }
        }

        internal static bool TryClientId(Cmdlet cmdlet, string text, out byte[] clientId)
        {
            try
            {
                clientId = HardwareAddress.ParseClientId(text);
                return true;
            }
            catch (FormatException ex)
            {
                cmdlet.WriteError(new ErrorRecord(ex, ErrorIds.InvalidClientId, ErrorCategory.InvalidArgument, text));
                clientId = Array.Empty<byte>();
                return false;
            }
        }

        internal static bool TryIPv4(Cmdlet cmdlet, IPAddress address)
        {
            if (address.AddressFamily == AddressFamily.InterNetwork || address.IsIPv4MappedToIPv6)
            {
                return true;
            }

            cmdlet.WriteError(OmapiErrors.Create(ErrorIds.InvalidIPAddress, ErrorCategory.InvalidArgument, "'" + address + "' is not an IPv4 address: OMAPI (dhcpd's DHCPv4 server) handles IPv4 only.", address));
            return false;
        }
    }
}
