using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;

namespace PSOmapi.HelpCompiler
{
    /// <summary>
    /// Reads a cmdlet's help from PlatyPS markdown, schema 2.0.0 — the layout New-MarkdownHelp writes and New-ExternalHelp
    /// reads: front matter, <c># Name</c>, then <c>## SYNOPSIS</c>, <c>## SYNTAX</c> (<c>### Set (Default)</c> + code
    /// block per set), <c>## DESCRIPTION</c>, <c>## EXAMPLES</c> (<c>### Example N</c>, code blocks, remarks),
    /// <c>## PARAMETERS</c> (<c>### -Name</c>, description, <c>```yaml</c> blocks), <c>### CommonParameters</c>,
    /// <c>## INPUTS</c> / <c>## OUTPUTS</c> (<c>### TypeName</c> + description), <c>## NOTES</c>, <c>## RELATED LINKS</c>.
    /// Anything else is a <see cref="HelpSchemaException"/> naming the file and line, as PlatyPS refuses it too.
    /// </summary>
    public static class MarkdownHelpReader
    {
        /// <summary>The name of the only parameter set of a cmdlet that declares none.</summary>
        public const string AllParameterSets = "__AllParameterSets";

        /// <summary>How a yaml block says "every parameter set".</summary>
        public const string AllSetsMarker = "(All)";

        private static readonly string[] SectionOrder = ["SYNOPSIS", "SYNTAX", "DESCRIPTION", "EXAMPLES", "PARAMETERS", "INPUTS", "OUTPUTS", "NOTES", "RELATED LINKS"];

        private static readonly string[] YamlKeys = ["Type", "Parameter Sets", "Aliases", "Accepted values", "Required", "Position", "Default value", "Accept pipeline input", "Accept wildcard characters"];

        private static readonly Regex SyntaxParameter = new(@"(?:^|[\s\[])-([A-Za-z][A-Za-z0-9_]*)", RegexOptions.CultureInvariant);

        private static readonly Regex Link = new(@"^\[(?<text>[^\]]+)\]\((?<uri>[^)]*)\)$", RegexOptions.CultureInvariant);

        private static readonly Regex ListItem = new(@"^(?:[-*+]|\d+\.)\s", RegexOptions.CultureInvariant);

        /// <summary>Reads every cmdlet help file of a folder (<c>*.md</c> except <c>about_*.md</c>), sorted by cmdlet name.</summary>
        public static IReadOnlyList<CommandHelp> ReadFolder(string folder)
        {
            return Directory.EnumerateFiles(folder, "*.md")
                .Where(p => !Path.GetFileName(p).StartsWith("about_", StringComparison.OrdinalIgnoreCase))
                .Select(ReadFile)
                .OrderBy(c => c.Name, StringComparer.OrdinalIgnoreCase)
                .ToList();
        }

        /// <summary>Reads one cmdlet help file.</summary>
        public static CommandHelp ReadFile(string path) => Read(File.ReadAllText(path), path);

        /// <summary>Reads cmdlet help from markdown text; <paramref name="source"/> names it in errors.</summary>
        public static CommandHelp Read(string markdown, string source)
        {
            ArgumentNullException.ThrowIfNull(markdown);
            string[] lines = markdown.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
            int start = 0;
            Dictionary<string, string> metadata = ReadFrontMatter(lines, source, ref start);
            var cursor = new Cursor(Tokenize(lines, start, source), source);

            Block title = cursor.Next() ?? throw new HelpSchemaException(source, lines.Length, "the file has no '# Cmdlet-Name' heading.");
            if (title.Kind != BlockKind.Heading || title.Level != 1)
            {
                throw new HelpSchemaException(source, title.Line, "expected the '# Cmdlet-Name' heading first.");
            }

            var sections = new Dictionary<string, Block>(StringComparer.Ordinal);
            IReadOnlyList<string> synopsis = [], description = [], notes = [];
            IReadOnlyList<SyntaxHelp> syntax = [];
            IReadOnlyList<ExampleHelp> examples = [];
            IReadOnlyList<ParameterHelp> parameters = [];
            IReadOnlyList<TypeHelp> inputs = [], outputs = [];
            IReadOnlyList<LinkHelp> links = [];
            int lastIndex = -1;
            while (cursor.Next() is Block heading)
            {
                if (heading.Kind != BlockKind.Heading || heading.Level != 2)
                {
                    throw new HelpSchemaException(source, heading.Line, "expected a '## SECTION' heading here.");
                }

                string name = heading.Text.ToUpperInvariant();
                int index = Array.IndexOf(SectionOrder, name);
                if (index < 0)
                {
                    throw new HelpSchemaException(source, heading.Line, "unknown section '## " + heading.Text + "'. Sections are: " + string.Join(", ", SectionOrder) + ".");
                }

                if (index <= lastIndex)
                {
                    throw new HelpSchemaException(source, heading.Line, "section '## " + heading.Text + "' is repeated or out of order. The order is: " + string.Join(", ", SectionOrder) + ".");
                }

                lastIndex = index;
                sections[name] = heading;
                switch (name)
                {
                    case "SYNOPSIS":
                        synopsis = cursor.Paragraphs(2);
                        break;
                    case "SYNTAX":
                        syntax = ReadSyntax(cursor);
                        break;
                    case "DESCRIPTION":
                        description = cursor.Paragraphs(2);
                        break;
                    case "EXAMPLES":
                        examples = ReadExamples(cursor);
                        break;
                    case "PARAMETERS":
                        parameters = ReadParameters(cursor);
                        break;
                    case "INPUTS":
                        inputs = ReadTypes(cursor);
                        break;
                    case "OUTPUTS":
                        outputs = ReadTypes(cursor);
                        break;
                    case "NOTES":
                        notes = cursor.Paragraphs(2);
                        break;
                    default:
                        links = ReadLinks(cursor);
                        break;
                }
            }

            foreach (string required in SectionOrder)
            {
                if (!sections.ContainsKey(required))
                {
                    throw new HelpSchemaException(source, 1, "the section '## " + required + "' is missing.");
                }
            }

            var help = new CommandHelp
            {
                SourcePath = source,
                Metadata = metadata,
                Name = title.Text,
                Synopsis = synopsis,
                Syntax = syntax,
                Description = description,
                Examples = examples,
                Parameters = parameters,
                Inputs = inputs,
                Outputs = outputs,
                Notes = notes,
                Links = links,
            };
            CheckSyntaxAgainstParameters(help, sections["SYNTAX"].Line);
            return help;
        }

        private static Dictionary<string, string> ReadFrontMatter(string[] lines, string source, ref int start)
        {
            var metadata = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            if (lines.Length == 0 || lines[0].Trim() != "---")
            {
                throw new HelpSchemaException(source, 1, "the file must start with the PlatyPS front matter ('---', 'external help file: ...', 'schema: 2.0.0', '---').");
            }

            int i = 1;
            for (; i < lines.Length && lines[i].Trim() != "---"; i++)
            {
                int colon = lines[i].IndexOf(':', StringComparison.Ordinal);
                if (colon > 0)
                {
                    metadata[lines[i][..colon].Trim()] = lines[i][(colon + 1)..].Trim();
                }
            }

            if (i >= lines.Length)
            {
                throw new HelpSchemaException(source, 1, "the front matter is not closed with '---'.");
            }

            if (!metadata.TryGetValue("schema", out string? schema) || schema != "2.0.0")
            {
                throw new HelpSchemaException(source, 1, "the front matter must say 'schema: 2.0.0'.");
            }

            start = i + 1;
            return metadata;
        }

        private static List<SyntaxHelp> ReadSyntax(Cursor cursor)
        {
            var sets = new List<SyntaxHelp>();
            while (cursor.Peek() is Block block && !(block.Kind == BlockKind.Heading && block.Level <= 2))
            {
                cursor.Next();
                string name = AllParameterSets;
                bool isDefault = false;
                if (block.Kind == BlockKind.Heading && block.Level == 3)
                {
                    name = block.Text;
                    if (name.EndsWith("(Default)", StringComparison.Ordinal))
                    {
                        name = name[..^"(Default)".Length].Trim();
                        isDefault = true;
                    }

                    block = cursor.Next() ?? throw cursor.Error(block.Line, "expected the syntax code block of set '" + name + "'.");
                }

                if (block.Kind != BlockKind.Code)
                {
                    throw cursor.Error(block.Line, "expected a '### ParameterSetName' heading or a syntax code block.");
                }

                var names = SyntaxParameter.Matches(block.Text).Select(m => m.Groups[1].Value).ToList();
                sets.Add(new SyntaxHelp(name, isDefault, names));
            }

            if (sets.Count == 0)
            {
                throw cursor.Error(cursor.LastLine, "## SYNTAX has no syntax code block.");
            }

            return sets;
        }

        private static List<ExampleHelp> ReadExamples(Cursor cursor)
        {
            var examples = new List<ExampleHelp>();
            while (cursor.Peek() is Block { Kind: BlockKind.Heading, Level: 3 } heading)
            {
                cursor.Next();
                var code = new List<string>();
                while (cursor.Peek() is Block { Kind: BlockKind.Code } block)
                {
                    cursor.Next();
                    code.Add(block.Text);
                }

                if (code.Count == 0)
                {
                    throw cursor.Error(heading.Line, "example '" + heading.Text + "' has no code block right after its heading.");
                }

                examples.Add(new ExampleHelp(heading.Text, string.Join("\n\n", code), cursor.Paragraphs(3)));
            }

            return examples;
        }

        private static List<ParameterHelp> ReadParameters(Cursor cursor)
        {
            var parameters = new List<ParameterHelp>();
            while (cursor.Peek() is Block { Kind: BlockKind.Heading, Level: 3 } heading)
            {
                cursor.Next();
                if (heading.Text == "CommonParameters")
                {
                    cursor.Paragraphs(3);
                    continue;
                }

                if (!heading.Text.StartsWith('-'))
                {
                    throw cursor.Error(heading.Line, "a parameter heading must be '### -Name' (or '### CommonParameters').");
                }

                IReadOnlyList<string> description = cursor.Paragraphs(3, stopAtCode: true);
                var metadata = new List<ParameterMetadataHelp>();
                while (cursor.Peek() is Block { Kind: BlockKind.Code } block)
                {
                    cursor.Next();
                    if (block.Language != "yaml")
                    {
                        throw cursor.Error(block.Line, "the metadata of " + heading.Text + " must be a ```yaml block.");
                    }

                    metadata.Add(ReadYaml(block, cursor));
                }

                if (metadata.Count == 0)
                {
                    throw cursor.Error(heading.Line, heading.Text + " has no ```yaml metadata block.");
                }

                parameters.Add(new ParameterHelp { Name = heading.Text[1..], Description = description, Metadata = metadata });
            }

            return parameters;
        }

        private static ParameterMetadataHelp ReadYaml(Block block, Cursor cursor)
        {
            var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (string raw in block.Text.Split('\n'))
            {
                string line = raw.Trim();
                if (line.Length == 0)
                {
                    continue;
                }

                int colon = line.IndexOf(':', StringComparison.Ordinal);
                string key = colon < 0 ? line : line[..colon].Trim();
                if (colon < 0 || !YamlKeys.Contains(key, StringComparer.OrdinalIgnoreCase))
                {
                    throw cursor.Error(block.Line, "unknown yaml key '" + key + "'. Keys are: " + string.Join(", ", YamlKeys) + ".");
                }

                values[key] = line[(colon + 1)..].Trim();
            }

            string Get(string key, string fallback) => values.TryGetValue(key, out string? v) && v.Length > 0 ? v : fallback;
            IReadOnlyList<string> List(string key) => Get(key, string.Empty).Split(',').Select(s => s.Trim()).Where(s => s.Length > 0).ToList();

            if (!values.ContainsKey("Type") || !values.ContainsKey("Parameter Sets"))
            {
                throw cursor.Error(block.Line, "a parameter's yaml block needs at least Type and Parameter Sets.");
            }

            return new ParameterMetadataHelp
            {
                Type = Get("Type", string.Empty),
                ParameterSets = List("Parameter Sets"),
                Aliases = List("Aliases").Where(a => !string.Equals(a, "None", StringComparison.OrdinalIgnoreCase)).ToList(),
                AcceptedValues = List("Accepted values"),
                Required = string.Equals(Get("Required", "False"), "True", StringComparison.OrdinalIgnoreCase),
                Position = Get("Position", "Named"),
                DefaultValue = Get("Default value", "None"),
                PipelineInput = Get("Accept pipeline input", "False"),
                Globbing = string.Equals(Get("Accept wildcard characters", "False"), "True", StringComparison.OrdinalIgnoreCase),
            };
        }

        private static List<TypeHelp> ReadTypes(Cursor cursor)
        {
            var types = new List<TypeHelp>();
            while (cursor.Peek() is Block { Kind: BlockKind.Heading, Level: 3 } heading)
            {
                cursor.Next();
                types.Add(new TypeHelp(heading.Text, cursor.Paragraphs(3)));
            }

            return types;
        }

        private static List<LinkHelp> ReadLinks(Cursor cursor)
        {
            var links = new List<LinkHelp>();
            while (cursor.Peek() is Block { Kind: BlockKind.Paragraph } block)
            {
                cursor.Next();
                Match m = Link.Match(block.Text);
                if (!m.Success)
                {
                    throw cursor.Error(block.Line, "each related link must be a paragraph of its own: [Text](target).");
                }

                links.Add(new LinkHelp(m.Groups["text"].Value, m.Groups["uri"].Value));
            }

            if (cursor.Peek() is Block other)
            {
                throw cursor.Error(other.Line, "## RELATED LINKS is the last section and holds only links.");
            }

            return links;
        }

        /// <summary>Every set the SYNTAX section names must list exactly the parameters the yaml blocks put in it.</summary>
        private static void CheckSyntaxAgainstParameters(CommandHelp help, int line)
        {
            foreach (SyntaxHelp set in help.Syntax)
            {
                var fromYaml = help.Parameters.Where(p => p.Metadata.Any(m => m.AppliesTo(set.Name))).Select(p => p.Name).OrderBy(n => n, StringComparer.OrdinalIgnoreCase).ToList();
                var fromSyntax = set.ParameterNames.OrderBy(n => n, StringComparer.OrdinalIgnoreCase).ToList();
                if (!fromYaml.SequenceEqual(fromSyntax, StringComparer.OrdinalIgnoreCase))
                {
                    throw new HelpSchemaException(help.SourcePath, line, string.Format(
                        CultureInfo.InvariantCulture,
                        "the syntax of parameter set '{0}' lists [{1}] but the ## PARAMETERS yaml blocks put [{2}] in it.",
                        set.Name,
                        string.Join(", ", fromSyntax),
                        string.Join(", ", fromYaml)));
                }
            }

            var namedSets = help.Syntax.Select(s => s.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
            foreach (ParameterHelp parameter in help.Parameters)
            {
                foreach (string set in parameter.Metadata.SelectMany(m => m.ParameterSets))
                {
                    if (set != AllSetsMarker && !namedSets.Contains(set))
                    {
                        throw new HelpSchemaException(help.SourcePath, line, "-" + parameter.Name + " names parameter set '" + set + "', which ## SYNTAX does not have.");
                    }
                }
            }
        }

        private static List<Block> Tokenize(string[] lines, int start, string source)
        {
            var blocks = new List<Block>();
            var paragraph = new StringBuilder();
            int paragraphLine = 0;

            void Flush()
            {
                if (paragraph.Length > 0)
                {
                    blocks.Add(new Block(BlockKind.Paragraph, 0, paragraph.ToString(), string.Empty, paragraphLine));
                    paragraph.Clear();
                }
            }

            for (int i = start; i < lines.Length; i++)
            {
                string line = lines[i];
                string trimmed = line.Trim();
                if (trimmed.StartsWith("```", StringComparison.Ordinal))
                {
                    Flush();
                    string language = trimmed[3..].Trim();
                    int open = i;
                    var code = new List<string>();
                    for (i++; i < lines.Length && lines[i].Trim() != "```"; i++)
                    {
                        code.Add(lines[i].TrimEnd());
                    }

                    if (i >= lines.Length)
                    {
                        throw new HelpSchemaException(source, open + 1, "this code block is not closed.");
                    }

                    blocks.Add(new Block(BlockKind.Code, 0, string.Join("\n", code).Trim('\n'), language, open + 1));
                }
                else if (trimmed.Length == 0)
                {
                    Flush();
                }
                else if (line.StartsWith('#'))
                {
                    Flush();
                    int level = line.TakeWhile(c => c == '#').Count();
                    blocks.Add(new Block(BlockKind.Heading, level, line[level..].Trim(), string.Empty, i + 1));
                }
                else
                {
                    // A list item starts a paragraph of its own (Get-Help shows one paragraph per item); other lines of a
                    // paragraph are joined with a space, as markdown renders them.
                    if (ListItem.IsMatch(trimmed))
                    {
                        Flush();
                    }

                    if (paragraph.Length == 0)
                    {
                        paragraphLine = i + 1;
                    }
                    else
                    {
                        paragraph.Append(' ');
                    }

                    paragraph.Append(trimmed);
                }
            }

            Flush();
            return blocks;
        }

        private enum BlockKind
        {
            Heading,
            Code,
            Paragraph,
        }

        private sealed record Block(BlockKind Kind, int Level, string Text, string Language, int Line);

        private sealed class Cursor(List<Block> blocks, string source)
        {
            private int _next;

            public int LastLine => _next == 0 || blocks.Count == 0 ? 1 : blocks[Math.Min(_next, blocks.Count) - 1].Line;

            public Block? Peek() => _next < blocks.Count ? blocks[_next] : null;

            public Block? Next() => _next < blocks.Count ? blocks[_next++] : null;

            public HelpSchemaException Error(int line, string message) => new(source, line, message);

            /// <summary>
            /// The paragraphs up to the next heading of level <paramref name="level"/> or less (or, with
            /// <paramref name="stopAtCode"/>, the next code block); any other block there is an error.
            /// </summary>
            public IReadOnlyList<string> Paragraphs(int level, bool stopAtCode = false)
            {
                var paragraphs = new List<string>();
                while (Peek() is Block block && !(block.Kind == BlockKind.Heading && block.Level <= level) && !(stopAtCode && block.Kind == BlockKind.Code))
                {
                    if (block.Kind != BlockKind.Paragraph)
                    {
                        throw Error(block.Line, "expected text here (PlatyPS allows no " + (block.Kind == BlockKind.Code ? "code block" : "deeper heading") + " at this place).");
                    }

                    Next();
                    paragraphs.Add(block.Text);
                }

                return paragraphs;
            }
        }
    }

    /// <summary>The markdown does not follow PlatyPS's schema 2.0.0.</summary>
    public sealed class HelpSchemaException : Exception
    {
        /// <summary>Creates the exception for a place in a file.</summary>
        public HelpSchemaException(string source, int line, string message)
            : base(source + ":" + line.ToString(CultureInfo.InvariantCulture) + ": " + message)
        {
        }

        /// <summary>Creates the exception.</summary>
        public HelpSchemaException() { }

        /// <summary>Creates the exception.</summary>
        public HelpSchemaException(string message) : base(message) { }

        /// <summary>Creates the exception.</summary>
        public HelpSchemaException(string message, Exception innerException) : base(message, innerException) { }
    }
}
