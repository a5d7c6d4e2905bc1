using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Net;
using Omapi.Core.Objects;

namespace PSOmapi
{
    /// <summary>
    /// What an object piped into Get-OmapiLease or Get-OmapiHost stands for. What the module exports must come back in:
    /// <c>Import-Csv leases.csv | Get-OmapiLease</c>, <c>ConvertFrom-Json | Get-OmapiHost</c>. PowerShell's parameter
    /// binder cannot do that with one parameter per key bound by property name (tried in pwsh 7.6): an empty CSV cell or a
    /// JSON null binds (and fails validation) like a value, a row with both a MacAddress and a ClientId makes the parameter
    /// set ambiguous, and a row that binds nothing by name is bound by value to -Name as its text ("@{IPAddress=...}").
    /// So those cmdlets take any object by value (-InputObject) and read it here: an empty value is "not given", and the
    /// first key given, in the cmdlet's order, is the one used.
    /// </summary>
    internal static class PipelineInput
    {
        /// <summary>
        /// The value of the first of <paramref name="names"/> (property names, or keys of a piped hashtable) that is given:
        /// null when the object has none of them or each is $null, empty or white space, or an empty list.
        /// </summary>
        internal static object? Property(PSObject item, params string[] names)
        {
            foreach (string name in names)
            {
                object? value = item.BaseObject is IDictionary dictionary && !(item.BaseObject is PSCustomObject)
                    ? (dictionary.Contains(name) ? dictionary[name] : null)
                    : item.Properties[name]?.Value;
                value = Unwrap(value);
                if (IsGiven(value))
                {
                    return value;
                }
            }

            return null;
        }

        /// <summary>The value inside a PSObject wrapper.</summary>
        internal static object? Unwrap(object? value) => value is PSObject wrapped ? wrapped.BaseObject : value;

        /// <summary>
        /// Adds the IPv4 addresses <paramref name="value"/> stands for: an IPAddress, an IPv4Address (a lease's IPAddress),
        /// a host's address list, text holding one address or several separated by commas (a host's fixed addresses as
        /// Export-Csv writes them), or a list of these. Writes InvalidIPAddress for a value that is none of these, or not
        /// IPv4, and returns false.
        /// </summary>
        internal static bool TryAddresses(Cmdlet cmdlet, object? value, List<IPAddress> into)
        {
            switch (Unwrap(value))
            {
                case null:
                    return true;
                case IPv4Address address:
                    into.Add(address.ToIPAddress());
                    return true;
                case IPAddress address:
                    if (!Inputs.TryIPv4(cmdlet, address))
                    {
                        return false;
                    }

                    into.Add(address);
                    return true;
                case string text:
                    if (string.IsNullOrWhiteSpace(text))
                    {
                        cmdlet.WriteError(OmapiErrors.Create(ErrorIds.InvalidIPAddress, ErrorCategory.InvalidArgument, "An empty value is not an IPv4 address.", text));
                        return false;
                    }

                    bool ok = true;
                    foreach (string part in text.Split(','))
                    {
                        string trimmed = part.Trim();
                        if (trimmed.Length == 0)
                        {
                            continue;
                        }

                        if (IPAddress.TryParse(trimmed, out IPAddress? parsed))
                        {
                            ok &= TryAddresses(cmdlet, parsed, into);
                        }
                        else
                        {
                            cmdlet.WriteError(OmapiErrors.Create(ErrorIds.InvalidIPAddress, ErrorCategory.InvalidArgument, "'" + trimmed + "' is not an IPv4 address: write it as four numbers 0..255 separated by dots, e.g. 198.51.100.10.", text));
                            ok = false;
                        }
                    }

                    return ok;
                case IEnumerable list:
                    bool all = true;
                    foreach (object? element in list)
                    {
                        all &= TryAddresses(cmdlet, element, into);
                    }

                    return all;
                case object other:
                    if (LanguagePrimitives.TryConvertTo(other, out IPAddress? converted) && converted != null)
                    {
                        return TryAddresses(cmdlet, converted, into);
                    }

                    cmdlet.WriteError(OmapiErrors.Create(ErrorIds.InvalidIPAddress, ErrorCategory.InvalidArgument, "'" + other + "' (a " + other.GetType().FullName + ") is not an IPv4 address.", other));
                    return false;
            }
        }

        /// <summary>The text of a key value (a MAC address or client identifier given as text, or anything else by its text).</summary>
        internal static string Text(object value) => Unwrap(value) is string text ? text.Trim() : LanguagePrimitives.ConvertTo<string>(value);

        private static bool IsGiven(object? value) => value switch
        {
            null => false,
            string text => !string.IsNullOrWhiteSpace(text),
            ICollection collection => collection.Count > 0,
            _ => true,
        };
    }
}
