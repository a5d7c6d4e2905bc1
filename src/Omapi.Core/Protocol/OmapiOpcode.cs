namespace Omapi.Core.Protocol
{
    /// <summary>OMAPI opcodes as dhcpd 4.4 defines them (<c>includes/omapip/omapip_p.h</c>).</summary>
    /// <remarks>The old document's 7 (notify-cancel) and 8 (notify-cancelled) do not exist in the code;
    /// sending them makes dhcpd drop the connection, so they are deliberately absent.</remarks>
    public enum OmapiOpcode : uint
    {
        /// <summary>Look up (and optionally create or update) an object by type and key values.</summary>
        Open = 1,
        /// <summary>Re-read an object by handle.</summary>
        Refresh = 2,
        /// <summary>From the client: change attributes of the object named by the header handle. From the server: an object's attributes.</summary>
        Update = 3,
        /// <summary>Ask for change notifications. dhcpd 4.4 always answers 27 "notify not implemented yet".</summary>
        Notify = 4,
        /// <summary>A server reply carrying <c>result</c> and an optional <c>message</c>; also used for success.</summary>
        Status = 5,
        /// <summary>Delete the object named by the header handle.</summary>
        Delete = 6,
    }
}
