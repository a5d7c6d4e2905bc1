using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace PSOmapi.HelpCompiler
{
    /// <summary>
    /// Reduces a MAML file to what Get-Help shows, so that a file compiled by this tool and one compiled by PlatyPS from
    /// the same markdown compare equal, and a stale file does not: text with whitespace runs collapsed, the paragraphs
    /// of one description joined (PlatyPS writes one maml:para per line, this tool one per paragraph), commands sorted
    /// by name, the parameters of a syntax item sorted by name and the syntax items sorted by their text (the two tools
    /// order them differently). Code keeps its lines. Everything else — names, types, attributes, examples, links —
    /// must be equal.
    /// </summary>
    public static class MamlCanonicalizer
    {
        private static readonly XNamespace Maml = "http://schemas.microsoft.com/maml/2004/10";
        private static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
        private static readonly XNamespace Dev = "http://schemas.microsoft.com/maml/dev/2004/10";
        private static readonly Regex Whitespace = new(@"\s+", RegexOptions.CultureInvariant);

        /// <summary>The canonical text of a MAML document, one line per element or text.</summary>
        public static string Canonicalize(XDocument document)
        {
            ArgumentNullException.ThrowIfNull(document);
            XElement root = document.Root ?? throw new ArgumentException("The document has no root element.", nameof(document));
            var lines = new List<string>();
            IEnumerable<XElement> commands = root.Elements(Command + "command")
                .OrderBy(c => (string?)c.Element(Command + "details")?.Element(Command + "name"), StringComparer.OrdinalIgnoreCase);
            foreach (XElement command in commands)
            {
                Write(command, 0, lines);
            }

            return string.Join("\n", lines);
        }

        /// <summary>
        /// Null when the two documents are equal in canonical form; otherwise the first differing line of each, with
        /// its number.
        /// </summary>
        public static string? Difference(XDocument expected, XDocument actual)
        {
            string[] a = Canonicalize(expected).Split('\n');
            string[] b = Canonicalize(actual).Split('\n');
            for (int i = 0; i < Math.Max(a.Length, b.Length); i++)
            {
                string left = i < a.Length ? a[i] : "(end)";
                string right = i < b.Length ? b[i] : "(end)";
                if (left != right)
                {
                    string context = string.Join("\n      ", a.Take(i).Reverse().Take(4).Reverse());
                    return "canonical line " + (i + 1) + ":\n  expected: " + left + "\n  actual:   " + right + "\n  after:\n      " + context;
                }
            }

            return null;
        }

        private static void Write(XElement element, int depth, List<string> lines)
        {
            string indent = new(' ', depth * 2);
            string attributes = string.Join(" ", element.Attributes()
                .Where(a => !a.IsNamespaceDeclaration)
                .OrderBy(a => a.Name.LocalName, StringComparer.Ordinal)
                .Select(a => a.Name.LocalName + "=\"" + Normalize(a.Value) + "\""));
            lines.Add(indent + element.Name.LocalName + (attributes.Length > 0 ? " " + attributes : string.Empty));

            if (element.Name == Dev + "code")
            {
                foreach (string line in element.Value.Replace("\r\n", "\n", StringComparison.Ordinal).Trim('\n').Split('\n'))
                {
                    lines.Add(indent + "  | " + line.TrimEnd());
                }

                return;
            }

            List<XElement> children = element.Elements().ToList();
            if (children.Count > 0 && children.All(c => c.Name == Maml + "para"))
            {
                string text = Normalize(string.Join(" ", children.Select(c => c.Value)));
                if (text.Length > 0)
                {
                    lines.Add(indent + "  \"" + text + "\"");
                }

                return;
            }

            if (element.Name == Command + "syntaxItem")
            {
                children = children.OrderBy(c => c.Name == Maml + "name" ? string.Empty : (string?)c.Element(Maml + "name"), StringComparer.OrdinalIgnoreCase).ToList();
            }

            if (children.Count == 0)
            {
                string text = Normalize(element.Value);
                if (text.Length > 0)
                {
                    lines.Add(indent + "  \"" + text + "\"");
                }

                return;
            }

            if (element.Name == Command + "syntax")
            {
                // The order of the parameter sets differs between PlatyPS and this tool too: compare them sorted.
                foreach (List<string> item in children.Select(c => Lines(c, depth + 1)).OrderBy(l => string.Join("\n", l), StringComparer.Ordinal))
                {
                    lines.AddRange(item);
                }

                return;
            }

            foreach (XElement child in children)
            {
                Write(child, depth + 1, lines);
            }
        }

        private static List<string> Lines(XElement element, int depth)
        {
            var lines = new List<string>();
            Write(element, depth, lines);
            return lines;
        }

        private static string Normalize(string text) => Whitespace.Replace(text, " ").Trim();
    }
}
