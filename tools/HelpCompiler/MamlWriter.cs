using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace PSOmapi.HelpCompiler
{
    /// <summary>
    /// Writes MAML the way PlatyPS's New-ExternalHelp does (its MamlRenderer): the same elements, attributes and
    /// quirks — the example title padded with dashes to 64 characters, no parameterValue for a switch inside a syntax
    /// item, relative related links written without a URI. Two deliberate differences, both invisible to Get-Help:
    /// one maml:para per markdown paragraph (PlatyPS writes one per line), and the parameters of a syntax item in the
    /// order the markdown's SYNTAX block gives them (PlatyPS uses the PARAMETERS order, which is alphabetical).
    /// </summary>
    public static class MamlWriter
    {
        private static readonly XNamespace Msh = "http://msh";
        private static readonly XNamespace Maml = "http://schemas.microsoft.com/maml/2004/10";
        private static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
        private static readonly XNamespace Dev = "http://schemas.microsoft.com/maml/dev/2004/10";
        private static readonly XNamespace MSHelp = "http://msdn.microsoft.com/mshelp";

        /// <summary>The MAML document for the given commands, in the given order.</summary>
        public static XDocument ToDocument(IEnumerable<CommandHelp> commands) =>
            new(
                new XDeclaration("1.0", "utf-8", null),
                new XElement(Msh + "helpItems", new XAttribute("schema", "maml"), commands.Select(CommandElement)));

        /// <summary>The MAML text: UTF-8 without a byte order mark, two-space indentation, LF line ends, final newline.</summary>
        public static string ToText(IEnumerable<CommandHelp> commands) => Serialize(ToDocument(commands));

        /// <summary>Serializes a document as <see cref="ToText"/> does.</summary>
        public static string Serialize(XDocument document)
        {
            ArgumentNullException.ThrowIfNull(document);
            var settings = new XmlWriterSettings
            {
                Indent = true,
                IndentChars = "  ",
                NewLineChars = "\n",
                NewLineHandling = NewLineHandling.Replace,
                Encoding = new UTF8Encoding(false),
                NamespaceHandling = NamespaceHandling.OmitDuplicates,
            };
            using var stream = new MemoryStream();
            using (XmlWriter writer = XmlWriter.Create(stream, settings))
            {
                document.Save(writer);
            }

            return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
        }

        private static XElement CommandElement(CommandHelp command)
        {
            string verb = command.Name.Split('-')[0];
            string noun = command.Name[Math.Min(verb.Length + 1, command.Name.Length)..];
            return new XElement(
                Command + "command",
                new XAttribute(XNamespace.Xmlns + "maml", Maml),
                new XAttribute(XNamespace.Xmlns + "command", Command),
                new XAttribute(XNamespace.Xmlns + "dev", Dev),
                new XAttribute(XNamespace.Xmlns + "MSHelp", MSHelp),
                new XElement(
                    Command + "details",
                    new XElement(Command + "name", command.Name),
                    new XElement(Command + "verb", verb),
                    new XElement(Command + "noun", noun),
                    new XElement(Maml + "description", Paragraphs(command.Synopsis))),
                new XElement(Maml + "description", Paragraphs(command.Description)),
                new XElement(Command + "syntax", command.Syntax.Select(set => SyntaxItem(command, set))),
                new XElement(Command + "parameters", command.Parameters.Select(p => Parameter(p, p.Metadata[0], inSyntax: false))),
                new XElement(Command + "inputTypes", command.Inputs.Select(t => TypeElement("inputType", t))),
                new XElement(Command + "returnValues", command.Outputs.Select(t => TypeElement("returnValue", t))),
                new XElement(Maml + "alertSet", new XElement(Maml + "alert", Paragraphs(command.Notes))),
                new XElement(Command + "examples", command.Examples.Select(Example)),
                new XElement(Command + "relatedLinks", Links(command)));
        }

        private static XElement SyntaxItem(CommandHelp command, SyntaxHelp set)
        {
            var parameters = new List<XElement>();
            foreach (string name in set.ParameterNames)
            {
                ParameterHelp parameter = command.Parameters.First(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));
                ParameterMetadataHelp metadata = parameter.Metadata.First(m => m.AppliesTo(set.Name));
                parameters.Add(Parameter(parameter, metadata, inSyntax: true));
            }

            return new XElement(Command + "syntaxItem", new XElement(Maml + "name", command.Name), parameters);
        }

        private static XElement Parameter(ParameterHelp parameter, ParameterMetadataHelp metadata, bool inSyntax)
        {
            string type = metadata.IsSwitch ? "SwitchParameter" : metadata.Type;
            string defaultValue = metadata.IsSwitch && (metadata.DefaultValue.Length == 0 || metadata.DefaultValue == "None") ? "False" : metadata.DefaultValue;
            return new XElement(
                Command + "parameter",
                new XAttribute("required", metadata.Required),
                new XAttribute("variableLength", true),
                new XAttribute("globbing", metadata.Globbing),
                new XAttribute("pipelineInput", metadata.PipelineInput),
                new XAttribute("position", metadata.Position.ToLowerInvariant()),
                new XAttribute("aliases", metadata.Aliases.Count > 0 ? string.Join(", ", metadata.Aliases) : "none"),
                new XElement(Maml + "name", parameter.Name),
                new XElement(Maml + "description", Paragraphs(parameter.Description)),
                inSyntax && metadata.AcceptedValues.Count > 0
                    ? new XElement(
                        Command + "parameterValueGroup",
                        metadata.AcceptedValues.Select(v => new XElement(
                            Command + "parameterValue",
                            new XAttribute("required", "false"),
                            new XAttribute(Command + "variableLength", "false"),
                            v)))
                    : null,
                !inSyntax || !metadata.IsSwitch
                    ? new XElement(Command + "parameterValue", new XAttribute("required", !metadata.IsSwitch), new XAttribute("variableLength", false), type)
                    : null,
                new XElement(Dev + "type", new XElement(Maml + "name", type), new XElement(Maml + "uri")),
                new XElement(Dev + "defaultValue", defaultValue));
        }

        private static XElement TypeElement(string kind, TypeHelp type) =>
            new(
                Command + kind,
                new XElement(Dev + "type", new XElement(Maml + "name", type.TypeName)),
                new XElement(Maml + "description", Paragraphs(type.Description)));

        private static XElement Example(ExampleHelp example) =>
            new(
                Command + "example",
                new XElement(Maml + "title", PadExampleTitle(example.Title)),
                new XElement(Dev + "code", example.Code),
                new XElement(Dev + "remarks", Paragraphs(example.Remarks)));

        private static IEnumerable<XElement> Links(CommandHelp command)
        {
            if (command.Metadata.TryGetValue("online version", out string? online) && Uri.TryCreate(online, UriKind.Absolute, out _))
            {
                yield return new XElement(Maml + "navigationLink", new XElement(Maml + "linkText", "Online Version:"), new XElement(Maml + "uri", online));
            }

            foreach (LinkHelp link in command.Links)
            {
                // PowerShell's help engine rejects a link whose URI is not absolute; PlatyPS keeps the text only.
                string uri = Uri.TryCreate(link.Uri, UriKind.Absolute, out _) ? link.Uri : string.Empty;
                yield return new XElement(Maml + "navigationLink", new XElement(Maml + "linkText", link.Text), new XElement(Maml + "uri", uri));
            }
        }

        private static IEnumerable<XElement> Paragraphs(IEnumerable<string> paragraphs) => paragraphs.Select(p => new XElement(Maml + "para", p));

        /// <summary>PlatyPS pads an example title with dashes to 64 characters: "---- Example 1: Title ----".</summary>
        private static string PadExampleTitle(string title)
        {
            if (string.IsNullOrWhiteSpace(title) || title.Length >= 62)
            {
                return title;
            }

            int padLength = (64 - title.Length - 2) / 2;
            string dashes = new('-', padLength);
            return dashes + " " + title + " " + dashes;
        }
    }
}
