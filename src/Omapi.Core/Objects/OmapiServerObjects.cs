using System;
using Omapi.Core.Protocol;

namespace Omapi.Core.Objects
{
    /// <summary>A named group. dhcpd returns only its name; statements are write-only.</summary>
    public sealed class OmapiGroup : IOmapiObject
    {
        private readonly uint _handle;

        private OmapiGroup(OmapiObject o, string server)
        {
            Name = o.Text("name");
            _handle = o.Handle;
            Server = server;
        }

        /// <summary>The group name.</summary>
        public string? Name { get; }

        /// <summary>The server.</summary>
        public string Server { get; }

        /// <summary>The group's OMAPI handle.</summary>
        public uint GetHandle() => _handle;

        /// <summary>Reads a group from a server object.</summary>
        public static OmapiGroup FromObject(OmapiObject value, string server) => new OmapiGroup(value ?? throw new ArgumentNullException(nameof(value)), server);

        /// <inheritdoc />
        public override string ToString() => Name ?? "group";
    }

    /// <summary>A class. dhcpd does not return a class's name, so it is the name it was looked up or created with.</summary>
    public sealed class OmapiClass : IOmapiObject
    {
        private readonly uint _handle;

        private OmapiClass(OmapiObject o, string name, string server)
        {
            Name = name;
            LeaseLimit = (int?)o.UInt32("lease-limit");
            LeasesUsed = (int?)o.UInt32("leases-used");
            _handle = o.Handle;
            Server = server;
        }

        /// <summary>The class name.</summary>
        public string Name { get; }

        /// <summary>The class's lease limit (0 = none).</summary>
        public int? LeaseLimit { get; }

        /// <summary>Leases currently billed to the class.</summary>
        public int? LeasesUsed { get; }

        /// <summary>The server.</summary>
        public string Server { get; }

        /// <summary>The class's OMAPI handle.</summary>
        public uint GetHandle() => _handle;

        /// <summary>Reads a class from a server object.</summary>
        public static OmapiClass FromObject(OmapiObject value, string name, string server) => new OmapiClass(value ?? throw new ArgumentNullException(nameof(value)), name, server);

        /// <inheritdoc />
        public override string ToString() => Name;
    }

    /// <summary>A subclass: a superclass name plus the hash string (the matched data, e.g. 1:00:11:22:33:44:77).</summary>
    public sealed class OmapiSubclass : IOmapiObject
    {
        private readonly uint _handle;

        private OmapiSubclass(OmapiObject o, string className, byte[] hashString, string server)
        {
            ClassName = className;
            HashString = OmapiEncoding.ToHex(hashString);
            LeaseLimit = (int?)o.UInt32("lease-limit");
            LeasesUsed = (int?)o.UInt32("leases-used");
            _handle = o.Handle;
            Server = server;
        }

        /// <summary>The superclass name.</summary>
        public string ClassName { get; }

        /// <summary>The subclass key as colon hex.</summary>
        public string HashString { get; }

        /// <summary>The lease limit inherited from the superclass.</summary>
        public int? LeaseLimit { get; }

        /// <summary>Leases billed to the subclass.</summary>
        public int? LeasesUsed { get; }

        /// <summary>The server.</summary>
        public string Server { get; }

        /// <summary>The subclass's OMAPI handle.</summary>
        public uint GetHandle() => _handle;

        /// <summary>Reads a subclass from a server object.</summary>
        public static OmapiSubclass FromObject(OmapiObject value, string className, byte[] hashString, string server) =>
            new OmapiSubclass(value ?? throw new ArgumentNullException(nameof(value)), className, hashString, server);

        /// <inheritdoc />
        public override string ToString() => ClassName + " " + HashString;
    }

    /// <summary>A pool, reachable only by the handle a lease carries (<see cref="OmapiLease.GetPoolHandle"/>).</summary>
    public sealed class OmapiPool : IOmapiObject
    {
        private readonly uint _handle;

        private OmapiPool(OmapiObject o, string server)
        {
            LeaseCount = (int?)o.UInt32("lease-count");
            FreeLeases = (int?)o.UInt32("free-leases");
            BackupLeases = (int?)o.UInt32("backup-leases");
            _handle = o.Handle;
            Server = server;
        }

        /// <summary>Addresses in the pool.</summary>
        public int? LeaseCount { get; }

        /// <summary>Free addresses.</summary>
        public int? FreeLeases { get; }

        /// <summary>Addresses held for the failover peer.</summary>
        public int? BackupLeases { get; }

        /// <summary>The server.</summary>
        public string Server { get; }

        /// <summary>The pool's OMAPI handle.</summary>
        public uint GetHandle() => _handle;

        /// <summary>Reads a pool from a server object.</summary>
        public static OmapiPool FromObject(OmapiObject value, string server) => new OmapiPool(value ?? throw new ArgumentNullException(nameof(value)), server);
    }

    /// <summary>dhcpd's control object states.</summary>
    public enum ServerControlState
    {
        /// <summary>What dhcpd 4.4 actually reports while running (its own attempt to set "running" is refused).</summary>
        Startup = 0,
        /// <summary>Running.</summary>
        Running = 1,
        /// <summary>Shutting down (the only state a client may set).</summary>
        Shutdown = 2,
        /// <summary>Hibernating.</summary>
        Hibernate = 3,
        /// <summary>Awakening.</summary>
        Awaken = 4,
    }

    /// <summary>The server's control object.</summary>
    public sealed class OmapiControl : IOmapiObject
    {
        private readonly uint _handle;
        private readonly ServerControlState _state;

        private OmapiControl(OmapiObject o, string server)
        {
            _state = (ServerControlState)(o.UInt32("state") ?? 0);
            State = _state.ToString();
            _handle = o.Handle;
            Server = server;
        }

        /// <summary>The control state by name; <see cref="GetState"/> is the value.</summary>
        public string State { get; }

        /// <summary>The server.</summary>
        public string Server { get; }

        /// <summary>The control state.</summary>
        public ServerControlState GetState() => _state;

        /// <summary>The control object's handle.</summary>
        public uint GetHandle() => _handle;

        /// <summary>Reads the control object.</summary>
        public static OmapiControl FromObject(OmapiObject value, string server) => new OmapiControl(value ?? throw new ArgumentNullException(nameof(value)), server);
    }
}
