namespace PSOmapi
{
    /// <summary>The OMAPI operations Invoke-OmapiRequest can send.</summary>
    public enum OmapiRequestOperation
    {
        /// <summary>OPEN: look an object up by -Type and key -Values (with -Flags, create or update it).</summary>
        Open = 0,
        /// <summary>OPEN with create and exclusive: create an object of -Type from -Values; fails if it exists.</summary>
        Create = 1,
        /// <summary>REFRESH: re-read the object with -Handle.</summary>
        Refresh = 2,
        /// <summary>UPDATE: set -Values on the object with -Handle.</summary>
        Update = 3,
        /// <summary>DELETE: delete the object with -Handle.</summary>
        Delete = 4,
        /// <summary>NOTIFY: ask for change notifications on -Handle (dhcpd 4.4 refuses: "notify not implemented yet").</summary>
        Notify = 5,
    }
}
