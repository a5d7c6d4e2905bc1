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

        /// <summary>Refuses statements dhcpd 4.4 can crash on (InvalidStatements), before anything is sent.</summary>
        internal static bool TryStatements(Cmdlet cmdlet, string? statements)
        {
            string? hazard = statements == null ? null : Omapi.Core.Protocol.OmapiStatements.FindHazard(statements);
            if (hazard == null)
            {
                return true;
            }

            cmdlet.WriteError(new ErrorRecord(new Omapi.Core.OmapiUnsafeStatementsException(hazard), ErrorIds.InvalidStatements, ErrorCategory.InvalidArgument, statements));
            return false;
        }

        /// <summary>Refuses a host name dhcpd would lose at its next restart (InvalidHostName), before anything is sent.</summary>
        internal static bool TryHostName(Cmdlet cmdlet, string name)
        {
            string? problem = OmapiNames.HostNameProblem(name);
            if (problem == null)
            {
                return true;
            }

            var ex = new Omapi.Core.OmapiInvalidNameException("host", name, problem);
            cmdlet.WriteError(OmapiErrors.ToErrorRecord(ex, name));
            return false;
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
