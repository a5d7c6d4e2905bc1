using System.Management.Automation;
using Omapi.Core.Objects;
using Omapi.Core.Watch;

namespace PSOmapi
{
    /// <summary>
    /// The typed views PSOmapi.Types.ps1xml puts over the objects' exchange properties (CodeProperty getters): the same
    /// names, typed values. PowerShell's member lookup finds type data before .NET properties, so tables, Sort-Object,
    /// Where-Object, Group-Object and Export-Csv see these (an address sorts by value, a state compares with its name),
    /// while ConvertTo-Json writes the .NET property of the same name: the text. See docs/design/objects.md.
    /// </summary>
    public static class OmapiTypeData
    {
        /// <summary>A lease's address as a value.</summary>
        public static IPv4Address LeaseIPAddress(PSObject instance) => ((OmapiLease)instance.BaseObject).GetIPAddress();

        /// <summary>A lease's binding state as a value.</summary>
        public static LeaseState LeaseState(PSObject instance) => ((OmapiLease)instance.BaseObject).GetState();

        /// <summary>A lease's flags as a value.</summary>
        public static LeaseFlags LeaseFlags(PSObject instance) => ((OmapiLease)instance.BaseObject).GetFlags();

        /// <summary>A host's fixed addresses as values.</summary>
        public static IPv4AddressList HostIPAddress(PSObject instance) => ((OmapiHost)instance.BaseObject).GetIPAddresses();

        /// <summary>A failover peer's local state as a value.</summary>
        public static FailoverState FailoverLocalState(PSObject instance) => ((OmapiFailoverState)instance.BaseObject).GetLocalState();

        /// <summary>A failover peer's partner state as a value.</summary>
        public static FailoverState FailoverPartnerState(PSObject instance) => ((OmapiFailoverState)instance.BaseObject).GetPartnerState();

        /// <summary>A failover peer's role as a value.</summary>
        public static FailoverRole FailoverRole(PSObject instance) => ((OmapiFailoverState)instance.BaseObject).GetRole();

        /// <summary>The control object's state as a value.</summary>
        public static ServerControlState ControlState(PSObject instance) => ((OmapiControl)instance.BaseObject).GetState();

        /// <summary>A notification's kind as a value.</summary>
        public static OmapiChangeKind ChangeKind(PSObject instance) => ((OmapiChangeEventArgs)instance.BaseObject).GetKind();

        /// <summary>A subscription's state as a value.</summary>
        public static OmapiWatcherState SubscriptionState(PSObject instance) => ((OmapiNotifySubscription)instance.BaseObject).GetState();
    }
}
