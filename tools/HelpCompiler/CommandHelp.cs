using System.Collections.Generic;

namespace PSOmapi.HelpCompiler
{
    /// <summary>One cmdlet's help as read from its PlatyPS markdown file (schema 2.0.0).</summary>
    public sealed class CommandHelp
    {
        /// <summary>The markdown file it was read from.</summary>
        public string SourcePath { get; init; } = string.Empty;

        /// <summary>The front matter (external help file, Module Name, online version, schema).</summary>
        public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

        /// <summary>The cmdlet name (the level-1 heading).</summary>
        public string Name { get; init; } = string.Empty;

        /// <summary>## SYNOPSIS, one string per paragraph.</summary>
        public IReadOnlyList<string> Synopsis { get; init; } = [];

        /// <summary>## SYNTAX: the parameter sets in the order written, each with its parameters in syntax order.</summary>
        public IReadOnlyList<SyntaxHelp> Syntax { get; init; } = [];

        /// <summary>## DESCRIPTION, one string per paragraph.</summary>
        public IReadOnlyList<string> Description { get; init; } = [];

        /// <summary>## EXAMPLES.</summary>
        public IReadOnlyList<ExampleHelp> Examples { get; init; } = [];

        /// <summary>## PARAMETERS, in the order written (PlatyPS writes them alphabetically).</summary>
        public IReadOnlyList<ParameterHelp> Parameters { get; init; } = [];

        /// <summary>## INPUTS.</summary>
        public IReadOnlyList<TypeHelp> Inputs { get; init; } = [];

        /// <summary>## OUTPUTS.</summary>
        public IReadOnlyList<TypeHelp> Outputs { get; init; } = [];

        /// <summary>## NOTES, one string per paragraph.</summary>
        public IReadOnlyList<string> Notes { get; init; } = [];

        /// <summary>## RELATED LINKS.</summary>
        public IReadOnlyList<LinkHelp> Links { get; init; } = [];
    }

    /// <summary>One parameter set of ## SYNTAX.</summary>
    /// <param name="Name">The set name, or <see cref="MarkdownHelpReader.AllParameterSets"/> when the cmdlet has a single unnamed set.</param>
    /// <param name="IsDefault">True for the heading marked "(Default)".</param>
    /// <param name="ParameterNames">The parameters in the order the syntax line gives them.</param>
    public sealed record SyntaxHelp(string Name, bool IsDefault, IReadOnlyList<string> ParameterNames);

    /// <summary>One example: its title (### heading), its code and the remarks after the code.</summary>
    public sealed record ExampleHelp(string Title, string Code, IReadOnlyList<string> Remarks);

    /// <summary>One input or output type and what it means.</summary>
    public sealed record TypeHelp(string TypeName, IReadOnlyList<string> Description);

    /// <summary>One related link: text and URI (relative links keep their target here; the MAML drops it).</summary>
    public sealed record LinkHelp(string Text, string Uri);

    /// <summary>One ### -Name block of ## PARAMETERS.</summary>
    public sealed class ParameterHelp
    {
        /// <summary>The parameter name, without the dash.</summary>
        public string Name { get; init; } = string.Empty;

        /// <summary>The description, one string per paragraph.</summary>
        public IReadOnlyList<string> Description { get; init; } = [];

        /// <summary>The yaml metadata blocks: one per group of parameter sets that share the same metadata.</summary>
        public IReadOnlyList<ParameterMetadataHelp> Metadata { get; init; } = [];
    }

    /// <summary>One ```yaml block of a parameter.</summary>
    public sealed class ParameterMetadataHelp
    {
        /// <summary>Type, e.g. <c>IPAddress[]</c> or <c>SwitchParameter</c>.</summary>
        public string Type { get; init; } = string.Empty;

        /// <summary>Parameter Sets: names, or the single entry <c>(All)</c>.</summary>
        public IReadOnlyList<string> ParameterSets { get; init; } = [];

        /// <summary>Aliases.</summary>
        public IReadOnlyList<string> Aliases { get; init; } = [];

        /// <summary>Accepted values (ValidateSet or enum names).</summary>
        public IReadOnlyList<string> AcceptedValues { get; init; } = [];

        /// <summary>Required.</summary>
        public bool Required { get; init; }

        /// <summary>Position: a number or <c>Named</c>.</summary>
        public string Position { get; init; } = "Named";

        /// <summary>Default value as text (<c>None</c> when there is none).</summary>
        public string DefaultValue { get; init; } = "None";

        /// <summary>Accept pipeline input, as PlatyPS writes it: <c>False</c>, <c>True (ByValue)</c>, <c>True (ByPropertyName)</c>, <c>True (ByPropertyName, ByValue)</c>.</summary>
        public string PipelineInput { get; init; } = "False";

        /// <summary>Accept wildcard characters.</summary>
        public bool Globbing { get; init; }

        /// <summary>True for a switch parameter.</summary>
        public bool IsSwitch => Type is "SwitchParameter" or "System.Management.Automation.SwitchParameter" or "switch";

        /// <summary>True when this block applies to <paramref name="parameterSet"/> (named, or through <c>(All)</c>).</summary>
        public bool AppliesTo(string parameterSet)
        {
            foreach (string name in ParameterSets)
            {
                if (name == MarkdownHelpReader.AllSetsMarker || string.Equals(name, parameterSet, System.StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }

            return false;
        }
    }
}
