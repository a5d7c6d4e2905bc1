namespace Omapi.Core.Objects
{
    /// <summary>
    /// What every object read from dhcpd carries besides its exchange properties: the server that sent it and the handle
    /// by which that server knows it (Invoke-OmapiRequest -InputObject refreshes, updates or deletes by it).
    /// </summary>
    /// <remarks>
    /// The handle is a method, not a property: it means nothing outside the dhcpd process that gave it, so it must not be
    /// part of what <c>Export-Csv</c> or <c>ConvertTo-Json</c> write, and pwsh 7.6 lists even an explicitly implemented
    /// interface property among an object's properties (and so in its CSV and JSON).
    /// </remarks>
    public interface IOmapiObject
    {
        /// <summary>The server the object came from, as its session names it (<c>server</c>, or <c>server:port</c> off the default port); null when unknown.</summary>
        string? Server { get; }

        /// <summary>The server's handle for the object: valid on every connection to that server, for the life of its process.</summary>
        uint GetHandle();
    }
}
