namespace PSOmapi
{
    /// <summary>
    /// The stable ErrorIds of the module (the first part of <c>FullyQualifiedErrorId</c>). Scripts and Pester tests
    /// match on these: never rename one.
    /// </summary>
    public static class ErrorIds
    {
        /// <summary>No lease matches.</summary>
        public const string LeaseNotFound = "LeaseNotFound";
        /// <summary>No host matches.</summary>
        public const string HostNotFound = "HostNotFound";
        /// <summary>The host (or its name, MAC or client id) already exists.</summary>
        public const string HostAlreadyExists = "HostAlreadyExists";
        /// <summary>No group of that name.</summary>
        public const string GroupNotFound = "GroupNotFound";
        /// <summary>The group already exists.</summary>
        public const string GroupAlreadyExists = "GroupAlreadyExists";
        /// <summary>No class of that name.</summary>
        public const string ClassNotFound = "ClassNotFound";
        /// <summary>The class already exists.</summary>
        public const string ClassAlreadyExists = "ClassAlreadyExists";
        /// <summary>No such subclass.</summary>
        public const string SubclassNotFound = "SubclassNotFound";
        /// <summary>The subclass already exists.</summary>
        public const string SubclassAlreadyExists = "SubclassAlreadyExists";
        /// <summary>No failover peer of that name.</summary>
        public const string FailoverStateNotFound = "FailoverStateNotFound";
        /// <summary>No object matches (generic, for Invoke-OmapiRequest).</summary>
        public const string ObjectNotFound = "ObjectNotFound";
        /// <summary>The object already exists (generic).</summary>
        public const string ObjectAlreadyExists = "ObjectAlreadyExists";
        /// <summary>Several objects match the key (e.g. several leases for one MAC).</summary>
        public const string MultipleMatches = "MultipleMatches";
        /// <summary>The lookup keys name different objects.</summary>
        public const string KeyConflict = "KeyConflict";
        /// <summary>The server refused the key (unknown name or algorithm, not the omapi-key, wrong secret). A reply whose signature fails verification is <see cref="ProtocolError"/>.</summary>
        public const string AuthenticationFailed = "AuthenticationFailed";
        /// <summary>The connection could not be made or was lost.</summary>
        public const string ConnectionFailed = "ConnectionFailed";
        /// <summary>The server did not answer in time.</summary>
        public const string OperationTimeout = "OperationTimeout";
        /// <summary>The server sent bytes that are not valid OMAPI.</summary>
        public const string ProtocolError = "ProtocolError";
        /// <summary>A value from the server did not have the expected form.</summary>
        public const string MalformedValue = "MalformedValue";
        /// <summary>A MAC address that is not in an accepted form.</summary>
        public const string InvalidMacAddress = "InvalidMacAddress";
        /// <summary>A client identifier that cannot be used.</summary>
        public const string InvalidClientId = "InvalidClientId";
        /// <summary>An address OMAPI cannot carry (e.g. IPv6).</summary>
        public const string InvalidIPAddress = "InvalidIPAddress";
        /// <summary>dhcpd could not parse the statements (BADPARSE).</summary>
        public const string InvalidStatements = "InvalidStatements";
        /// <summary>The object type has no such attribute.</summary>
        public const string UnknownAttribute = "UnknownAttribute";
        /// <summary>The server does not allow this change.</summary>
        public const string PermissionDenied = "PermissionDenied";
        /// <summary>The server does not support this operation on the object type.</summary>
        public const string NotSupported = "NotSupported";
        /// <summary>The server or the module refused a value as invalid.</summary>
        public const string InvalidArgument = "InvalidArgument";
        /// <summary>Any other server refusal.</summary>
        public const string ServerError = "ServerError";
        /// <summary>No session: run Connect-Omapi first (or the session was closed, or no session has that id).</summary>
        public const string NoSession = "NoSession";
        /// <summary>Connect-Omapi -KeyFile names a file (or folder) that does not exist.</summary>
        public const string KeyFileNotFound = "KeyFileNotFound";
        /// <summary>A key file that cannot be read or has no usable key.</summary>
        public const string InvalidKeyFile = "InvalidKeyFile";
        /// <summary>The object came from another server than the session's.</summary>
        public const string ServerMismatch = "ServerMismatch";
        /// <summary>
        /// A change was sent, its reply was lost, and the server could not be asked afterwards what it did (or dhcpd cannot
        /// report it, e.g. a host's statements): it may or may not have been applied.
        /// </summary>
        public const string OutcomeUnknown = "OutcomeUnknown";
        /// <summary>A host name dhcpd would accept but lose at its next restart (refused before anything is sent).</summary>
        public const string InvalidHostName = "InvalidHostName";
        /// <summary>A range of more addresses than a scan takes without -Force (a typo such as /8 for /24).</summary>
        public const string RangeTooLarge = "RangeTooLarge";

        // ---- Register-OmapiNotify / Unregister-OmapiNotify ----

        /// <summary>An event subscription with that source identifier already exists in the runspace.</summary>
        public const string SubscriptionExists = "SubscriptionExists";
        /// <summary>No Register-OmapiNotify subscription has that source identifier.</summary>
        public const string SubscriptionNotFound = "SubscriptionNotFound";
    }
}
