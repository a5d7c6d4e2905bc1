using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Net.Sockets;
using Omapi.Core;
using Omapi.Core.Connection;
using Omapi.Core.Objects;
using Omapi.Core.Protocol;

namespace PSOmapi
{
    /// <summary>
    /// <para type="synopsis">Sends any OMAPI request (OPEN, create, REFRESH, UPDATE, DELETE, NOTIFY) with values you choose — the escape hatch.</para>
    /// <para type="description">For what the typed cmdlets do not cover: other object types (control, interface, pool by handle),
    /// other attributes, other open flags. Open and Create take an object -Type and -Values (lookup keys, or the
    /// attributes of the new object); Refresh, Update, Delete and Notify act on an object the module returned, piped in
    /// or given as -InputObject (Get-OmapiLease 198.51.100.11 | Invoke-OmapiRequest Refresh), or on a -Handle.
    /// -Values is a dictionary of attribute name to value: integers (and enums, booleans as 0/1) are sent as 4-byte
    /// big-endian numbers, strings as their UTF-8 bytes, addresses (IPAddress, a lease's or host's IPAddress) as 4 bytes
    /// each, byte[] as is, times (DateTimeOffset, DateTime; a DateTime without a zone is local time) as 32-bit seconds
    /// since 1970 UTC, $null as OMAPI's null (unset). Use [ordered]@{ } when the order matters: dhcpd applies the values
    /// in order and stops at the first it refuses, without undoing the earlier ones.
    /// Open, Create and Refresh return the object as the server sent it (its type, server and values as omshell prints
    /// them); Update and Delete return nothing. A refusal becomes an error with the server's result code and message;
    /// with -Raw the reply message itself is returned instead, whatever its result.</para>
    /// </summary>
    [Cmdlet(VerbsLifecycle.Invoke, "OmapiRequest", SupportsShouldProcess = true, DefaultParameterSetName = TypeSet, HelpUri = ModuleLinks.HelpBase + "Invoke-OmapiRequest.md")]
    [OutputType(typeof(OmapiObject), typeof(OmapiMessage))]
    public sealed class InvokeOmapiRequestCommand : OmapiSessionCmdlet
    {
        private const string TypeSet = "Type";
        private const string HandleSet = "Handle";
        private const string InputObjectSet = "InputObject";

        private OmapiValueList _values = new OmapiValueList();
        private string _valuesText = string.Empty;

        /// <summary>The operation: Open, Create (by -Type) or Refresh, Update, Delete, Notify (by -InputObject or -Handle).</summary>
        [Parameter(Mandatory = true, Position = 0)]
        public OmapiRequestOperation Operation { get; set; }

        /// <summary>The object type for Open and Create, e.g. lease, host, group, class, subclass, failover-state, control.</summary>
        [Parameter(Mandatory = true, Position = 1, ParameterSetName = TypeSet)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(OmapiObjectTypeCompleter))]
        public string Type { get; set; } = string.Empty;

        /// <summary>
        /// For Refresh, Update, Delete and Notify: objects as the module's cmdlets returned them (leases, hosts, groups,
        /// classes, subclasses, pools, failover states, the objects this cmdlet returns), from the pipeline too. Each is
        /// acted on by the handle it was read with; one from another server than the session's is refused with
        /// ServerMismatch instead of acting on an unrelated object.
        /// </summary>
        [Parameter(Mandatory = true, ParameterSetName = InputObjectSet, ValueFromPipeline = true)]
        [ValidateNotNull]
        public IOmapiObject? InputObject { get; set; }

        /// <summary>
        /// For Refresh, Update, Delete and Notify: an object handle, e.g. a lease's pool ($lease.GetPoolHandle()). A handle
        /// means something only to the server process that gave it.
        /// </summary>
        [Parameter(Mandatory = true, ParameterSetName = HandleSet)]
        public uint Handle { get; set; }

        /// <summary>
        /// Attribute names and values: lookup keys for Open, attributes for Create and Update. Integers, enums and booleans
        /// are sent as 4-byte big-endian, strings as UTF-8, addresses (IPAddress, IPv4Address, a host's IPv4AddressList) as
        /// 4 bytes each, byte[] as is, times (DateTimeOffset, DateTime; without a zone local time) as u32 seconds since 1970
        /// UTC, $null as OMAPI null. Use [ordered]@{ } to fix the order. Positional after -Type; otherwise name it.
        /// </summary>
        [Parameter(Position = 2)]
        [ValidateNotNull]
        public IDictionary? Values { get; set; }

        /// <summary>Open only: Create (create when nothing matches), Update (apply -Values to the object found), Exclusive (with Create: fail if it exists).</summary>
        [Parameter(ParameterSetName = TypeSet)]
        public OmapiOpenFlags Flags { get; set; }

        /// <summary>Return the server's reply message (Omapi.Core.Protocol.OmapiMessage) as is, instead of an object or an error.</summary>
        [Parameter]
        public SwitchParameter Raw { get; set; }

        /// <inheritdoc />
        protected override void BeginProcessing()
        {
            // Convert every value before anything is sent: one unusable value stops the whole call.
            if (Values == null)
            {
                return;
            }

            var list = new OmapiValueList();
            var shown = new List<string>();
            foreach (DictionaryEntry entry in Values)
            {
                object key = entry.Key is PSObject pk ? pk.BaseObject : entry.Key;
                object? value = entry.Value is PSObject pv ? pv.BaseObject : entry.Value;
                string name = Convert.ToString(key, CultureInfo.InvariantCulture) ?? string.Empty;
                byte[] bytes = Encode(name, value);
                try
                {
                    list.Add(name, bytes);
                }
                catch (ArgumentException ex)
                {
                    ThrowTerminatingError(OmapiErrors.Create(ErrorIds.InvalidArgument, ErrorCategory.InvalidArgument, "'" + name + "' cannot be an OMAPI attribute name: " + ex.Message.Split('\n')[0], key, ex));
                }

                shown.Add(name + "=" + Show(value));
            }

            _values = list;
            _valuesText = string.Join(", ", shown);
        }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            CheckCombination();
            OmapiSessionInfo info = ResolveSession();
            OmapiSession session = info.Core;
            switch (Operation)
            {
                case OmapiRequestOperation.Open:
                    ProcessOpen(info, session);
                    break;
                case OmapiRequestOperation.Create:
                    ProcessCreate(info, session);
                    break;
                default:
                    ProcessByHandle(info, session);
                    break;
            }
        }

        private void ProcessOpen(OmapiSessionInfo info, OmapiSession session)
        {
            string type = Type;
            OmapiOpenFlags flags = Flags;
            bool changes = (flags & (OmapiOpenFlags.Create | OmapiOpenFlags.Update)) != 0;
            if (changes && !ShouldProcess(DescribeType(type, info.Server), "Open with " + flags.ToString().Replace(", ", "+")))
            {
                return;
            }

            if (Raw)
            {
                SendRaw(session, OmapiSession.OpenRequest(type, _values, flags, "open " + type), type);
                return;
            }

            if (TryRun(ct => session.OpenAsync(type, _values, flags, null, ct), type, ErrorIds.ObjectNotFound, ErrorIds.ObjectAlreadyExists, out OmapiObject result))
            {
                WriteObject(result);
            }
        }

        private void ProcessCreate(OmapiSessionInfo info, OmapiSession session)
        {
            string type = Type;
            if (!ShouldProcess(DescribeType(type, info.Server), "Create"))
            {
                return;
            }

            if (Raw)
            {
                SendRaw(session, OmapiSession.OpenRequest(type, _values, OmapiOpenFlags.Create | OmapiOpenFlags.Exclusive, "create " + type), type);
                return;
            }

            if (TryRun(ct => session.CreateAsync(type, _values, null, ct), type, ErrorIds.ObjectNotFound, ErrorIds.ObjectAlreadyExists, out OmapiObject result))
            {
                WriteObject(result);
            }
        }

        private void ProcessByHandle(OmapiSessionInfo info, OmapiSession session)
        {
            IOmapiObject? input = ParameterSetName == InputObjectSet ? InputObject : null;
            uint handle = input?.GetHandle() ?? Handle;
            if (input?.Server is string server && !CheckSameServer(server, input))
            {
                return;
            }

            string target = string.Format(CultureInfo.InvariantCulture, "handle {0} on {1}", handle, info.Server);
            switch (Operation)
            {
                case OmapiRequestOperation.Refresh:
                    if (Raw)
                    {
                        SendRaw(session, new OmapiRequest(OmapiOpcode.Refresh, handle, null, null, "refresh " + target), handle);
                    }
                    else if (TryRun(ct => session.RefreshAsync(handle, null, ct), handle, ErrorIds.ObjectNotFound, ErrorIds.ObjectAlreadyExists, out OmapiObject result))
                    {
                        WriteObject(result);
                    }

                    break;
                case OmapiRequestOperation.Update:
                    if (!ShouldProcess(target, "Update " + _valuesText))
                    {
                        return;
                    }

                    if (Raw)
                    {
                        SendRaw(session, new OmapiRequest(OmapiOpcode.Update, handle, null, _values, "update " + target), handle);
                    }
                    else
                    {
                        TryRun(ct => session.UpdateAsync(handle, _values, null, ct), handle, ErrorIds.ObjectNotFound, ErrorIds.ObjectAlreadyExists);
                    }

                    break;
                case OmapiRequestOperation.Delete:
                    if (!ShouldProcess(target, "Delete"))
                    {
                        return;
                    }

                    if (Raw)
                    {
                        SendRaw(session, new OmapiRequest(OmapiOpcode.Delete, handle, null, null, "delete " + target), handle);
                    }
                    else
                    {
                        TryRun(ct => session.DeleteAsync(handle, null, ct), handle, ErrorIds.ObjectNotFound, ErrorIds.ObjectAlreadyExists);
                    }

                    break;
                default:
                    if (Raw)
                    {
                        SendRaw(session, new OmapiRequest(OmapiOpcode.Notify, handle, null, null, "notify " + target), handle);
                    }
                    else
                    {
                        TryRun(ct => session.NotifyAsync(handle, ct), handle, ErrorIds.ObjectNotFound, ErrorIds.ObjectAlreadyExists);
                    }

                    break;
            }
        }

        /// <summary>Operations and inputs that cannot go together end the call before anything is sent.</summary>
        private void CheckCombination()
        {
            bool byType = Operation == OmapiRequestOperation.Open || Operation == OmapiRequestOperation.Create;
            string? problem = null;
            if (byType && ParameterSetName != TypeSet)
            {
                problem = "-Operation " + Operation + " looks an object up by -Type and -Values; it does not take an object or a -Handle. To re-read an object use -Operation Refresh.";
            }
            else if (!byType && ParameterSetName == TypeSet)
            {
                problem = "-Operation " + Operation + " acts on an object the server returned: pipe it in (or give -InputObject or -Handle) instead of -Type.";
            }
            else if (Operation == OmapiRequestOperation.Create && MyInvocation.BoundParameters.ContainsKey(nameof(Flags)))
            {
                problem = "-Flags applies to -Operation Open only; Create always sends create and exclusive.";
            }
            else if (Operation == OmapiRequestOperation.Update && _values.Count == 0)
            {
                problem = "-Operation Update needs -Values with at least one attribute to set (dhcpd refuses an empty update).";
            }
            else if ((Operation == OmapiRequestOperation.Refresh || Operation == OmapiRequestOperation.Delete || Operation == OmapiRequestOperation.Notify) && Values != null)
            {
                problem = "-Operation " + Operation + " sends no values; remove -Values.";
            }

            if (problem != null)
            {
                ThrowTerminatingError(OmapiErrors.Create(ErrorIds.InvalidArgument, ErrorCategory.InvalidArgument, problem, Operation));
            }
        }

        private void SendRaw(OmapiSession session, OmapiRequest request, object target)
        {
            if (TryRun(ct => session.SendAsync(request, ct), target, ErrorIds.ObjectNotFound, ErrorIds.ObjectAlreadyExists, out OmapiMessage reply))
            {
                WriteObject(reply);
            }
        }

        private string DescribeType(string type, string server) =>
            type + " object" + (_valuesText.Length == 0 ? string.Empty : " (" + _valuesText + ")") + " on " + server;

        /// <summary>The wire bytes of one -Values entry; an unusable value ends the call with an error naming the key.</summary>
        private byte[] Encode(string name, object? value)
        {
            switch (value)
            {
                case null:
                    return Array.Empty<byte>();
                case byte[] bytes:
                    return bytes;
                case string text:
                    return OmapiEncoding.FromString(text);
                case IPAddress address:
                    if (address.AddressFamily != AddressFamily.InterNetwork && !address.IsIPv4MappedToIPv6)
                    {
                        ThrowTerminatingError(OmapiErrors.Create(ErrorIds.InvalidIPAddress, ErrorCategory.InvalidArgument, "The value of '" + name + "' is '" + address + "', which is not an IPv4 address: OMAPI (dhcpd's DHCPv4 server) handles IPv4 only.", address));
                    }

                    return OmapiEncoding.FromIPv4(address);
                case IPv4Address v4:
                    return v4.GetAddressBytes();
                case IPv4AddressList list:
                    // A host's fixed addresses, as dhcpd takes an ip-address list: 4 bytes each.
                    return list.SelectMany(a => a.GetAddressBytes()).ToArray();
                case DateTime time:
                    // As PowerShell reads a time without a zone (Get-Date '2030-01-01 12:00'): local time.
                    return EncodeTime(name, new DateTimeOffset(time));
                case DateTimeOffset offset:
                    return EncodeTime(name, offset);
                case bool flag:
                    return OmapiEncoding.FromUInt32(flag ? 1u : 0u);
                case Enum _:
                case sbyte _:
                case byte _:
                case short _:
                case ushort _:
                case int _:
                case uint _:
                case long _:
                case ulong _:
                    return EncodeInteger(name, value);
                default:
                    string hint = value is Array || value is IEnumerable && !(value is string)
                        ? " For raw bytes, cast the array: [byte[]](1, 2, 3)."
                        : string.Empty;
                    ThrowTerminatingError(OmapiErrors.Create(
                        ErrorIds.InvalidArgument,
                        ErrorCategory.InvalidArgument,
                        "The value of '" + name + "' is a " + value.GetType().FullName + ", which OMAPI cannot carry. -Values accepts integers (sent as 4-byte big-endian numbers), strings, addresses, byte[], times (DateTimeOffset, DateTime), booleans and $null." + hint,
                        value));
                    return Array.Empty<byte>();
            }
        }

        private byte[] EncodeInteger(string name, object value)
        {
            // Enums go by their underlying number, so [Omapi.Core.Objects.FailoverState]::PartnerDown sends 4.
            TypeCode code = System.Type.GetTypeCode(value is Enum ? Enum.GetUnderlyingType(value.GetType()) : value.GetType());
            bool unsigned = code == TypeCode.Byte || code == TypeCode.UInt16 || code == TypeCode.UInt32 || code == TypeCode.UInt64;
            bool fits = unsigned
                ? Convert.ToUInt64(value, CultureInfo.InvariantCulture) <= uint.MaxValue
                : Convert.ToInt64(value, CultureInfo.InvariantCulture) >= 0 && Convert.ToInt64(value, CultureInfo.InvariantCulture) <= uint.MaxValue;
            if (!fits)
            {
                ThrowTerminatingError(OmapiErrors.Create(ErrorIds.InvalidArgument, ErrorCategory.InvalidArgument, "The value of '" + name + "' is " + Convert.ToString(value, CultureInfo.InvariantCulture) + ", outside 0..4294967295: OMAPI integers are unsigned 32-bit. For other encodings pass a byte[].", value));
            }

            return OmapiEncoding.FromUInt32(unsigned ? (uint)Convert.ToUInt64(value, CultureInfo.InvariantCulture) : (uint)Convert.ToInt64(value, CultureInfo.InvariantCulture));
        }

        private byte[] EncodeTime(string name, DateTimeOffset time)
        {
            try
            {
                return OmapiEncoding.FromTime(time);
            }
            catch (ArgumentOutOfRangeException ex)
            {
                ThrowTerminatingError(OmapiErrors.Create(ErrorIds.InvalidArgument, ErrorCategory.InvalidArgument, "The value of '" + name + "' (" + time.ToString("o", CultureInfo.InvariantCulture) + ") cannot be sent: OMAPI times are 32-bit seconds from 1970-01-01 to 2106-02-07 UTC.", time, ex));
                return Array.Empty<byte>();
            }
        }

        private static string Show(object? value) => value switch
        {
            null => "$null",
            byte[] bytes => bytes.Length == 0 ? "(null)" : OmapiEncoding.ToHex(bytes),
            string text => "'" + text + "'",
            DateTime time => new DateTimeOffset(time).UtcDateTime.ToString("u", CultureInfo.InvariantCulture),
            DateTimeOffset time => time.UtcDateTime.ToString("u", CultureInfo.InvariantCulture),
            _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty,
        };
    }
}
