using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Management.Automation.Runspaces;

namespace PSOmapi
{
    /// <summary>
    /// Completes -Session with this runspace's open sessions. Each completes to <c>(Get-OmapiSession -Id N)</c>, an
    /// expression that binds to the session; the list shows the id and the server. What is typed matches the id, the
    /// server name or address, or the session's text (omapi://server:port), with wildcards.
    /// </summary>
    public sealed class OmapiSessionCompleter : IArgumentCompleter
    {
        /// <inheritdoc />
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters) =>
            CompletionHelpers.Sessions(wordToComplete)
                .Select(s => new CompletionResult(
                    "(Get-OmapiSession -Id " + CompletionHelpers.Id(s) + ")",
                    CompletionHelpers.Id(s) + " " + s,
                    CompletionResultType.ParameterValue,
                    CompletionHelpers.Describe(s)))
                .ToList();
    }

    /// <summary>Completes the -Id of Get-OmapiSession and Disconnect-Omapi with the ids of this runspace's open sessions.</summary>
    public sealed class OmapiSessionIdCompleter : IArgumentCompleter
    {
        /// <inheritdoc />
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters) =>
            CompletionHelpers.Sessions(wordToComplete)
                .Select(s => new CompletionResult(
                    CompletionHelpers.Id(s),
                    CompletionHelpers.Id(s) + " " + s,
                    CompletionResultType.ParameterValue,
                    CompletionHelpers.Describe(s)))
                .ToList();
    }

    /// <summary>Completes Unregister-OmapiNotify -SourceIdentifier with the source identifiers of this runspace's watches.</summary>
    public sealed class OmapiNotifySourceIdentifierCompleter : IArgumentCompleter
    {
        /// <inheritdoc />
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            if (Runspace.DefaultRunspace == null)
            {
                return Array.Empty<CompletionResult>();
            }

            WildcardPattern pattern = CompletionHelpers.Pattern(wordToComplete);
            return NotifyStore.Current.All
                .Where(n => pattern.IsMatch(n.SourceIdentifier))
                .OrderBy(n => n.SourceIdentifier, StringComparer.OrdinalIgnoreCase)
                .Select(n => new CompletionResult(CompletionHelpers.Quote(n.SourceIdentifier), n.SourceIdentifier, CompletionResultType.ParameterValue, n.ToString()))
                .ToList();
        }
    }

    /// <summary>
    /// Completes Invoke-OmapiRequest -Type with the object types dhcpd 4.4 registers for OMAPI and can open, each with
    /// the keys it is looked up by (server/omapi.c, common/comapi.c, common/discover.c).
    /// </summary>
    public sealed class OmapiObjectTypeCompleter : IArgumentCompleter
    {
        /// <summary>The types and what opens each one.</summary>
        private static readonly (string Type, string Keys)[] Types =
        {
            ("lease", "A lease. Keys: ip-address; or hardware-address (+ hardware-type) or dhcp-client-identifier when one lease has it."),
            ("host", "A host declaration. Keys: name, hardware-address (+ hardware-type), dhcp-client-identifier, or ip-address (through that address's lease and its MAC address)."),
            ("group", "A named group. Key: name."),
            ("class", "A class. Key: name."),
            ("subclass", "A subclass. Keys: name (of its class) and hashstring."),
            ("failover-state", "A failover peer's state. Key: name (of the failover peer)."),
            ("control", "dhcpd itself. No keys; its state 2 shuts dhcpd down."),
            ("interface", "A network interface dhcpd serves. Key: name."),
            ("pool", "A pool. By handle only: dhcpd 4.4 looks pools up by no key."),
            ("subnet", "A subnet. By handle only: dhcpd 4.4 looks subnets up by no key."),
            ("shared-network", "A shared network. By handle only: dhcpd 4.4 looks shared networks up by no key."),
        };

        /// <inheritdoc />
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            WildcardPattern pattern = CompletionHelpers.Pattern(wordToComplete);
            return Types
                .Where(t => pattern.IsMatch(t.Type))
                .Select(t => new CompletionResult(t.Type, t.Type, CompletionResultType.ParameterValue, t.Keys))
                .ToList();
        }
    }

    /// <summary>What the completers share.</summary>
    internal static class CompletionHelpers
    {
        /// <summary>The word typed so far as a prefix pattern (quotes and a leading parenthesis removed; wildcards kept).</summary>
        internal static WildcardPattern Pattern(string? wordToComplete)
        {
            string word = (wordToComplete ?? string.Empty).Trim().Trim('\'', '"').TrimStart('(');
            return WildcardPattern.Get(word + "*", WildcardOptions.IgnoreCase | WildcardOptions.CultureInvariant);
        }

        /// <summary>This runspace's open sessions whose id, server or text matches the word; none outside a runspace.</summary>
        internal static IEnumerable<OmapiSessionInfo> Sessions(string? wordToComplete)
        {
            if (Runspace.DefaultRunspace == null)
            {
                return Array.Empty<OmapiSessionInfo>();
            }

            WildcardPattern pattern = Pattern(wordToComplete);
            return SessionStore.Current.All
                .Where(s => !s.IsClosed)
                .Where(s => pattern.IsMatch(Id(s)) || pattern.IsMatch(s.Server) || pattern.IsMatch(s.ToString()) || pattern.IsMatch("Get-OmapiSession -Id " + Id(s)))
                .OrderBy(s => s.Id);
        }

        internal static string Id(OmapiSessionInfo session) => session.Id.ToString(CultureInfo.InvariantCulture);

        internal static string Describe(OmapiSessionInfo session) => string.Format(
            CultureInfo.InvariantCulture,
            "Session {0}: {1}, {2}{3}, opened {4:u}",
            session.Id,
            session,
            session.Algorithm ?? "no key",
            ReferenceEquals(session, SessionStore.Current.Default) ? ", the default session" : string.Empty,
            session.ConnectedAt);

        /// <summary>The text as a command argument: as is when it is a plain word, else in single quotes.</summary>
        internal static string Quote(string text)
        {
            bool plain = text.Length > 0 && (char.IsLetter(text[0]) || text[0] == '_')
                && text.All(c => char.IsLetterOrDigit(c) || c == '_' || c == '-' || c == '.');
            return plain ? text : "'" + text.Replace("'", "''") + "'";
        }
    }
}
