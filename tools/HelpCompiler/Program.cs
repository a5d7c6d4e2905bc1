using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Xml.Linq;

namespace PSOmapi.HelpCompiler
{
    /// <summary>
    /// Usage (from the repository root):
    ///   dotnet run --project tools/HelpCompiler -c Release -- build docs/help en-US/PSOmapi.dll-Help.xml
    ///   dotnet run --project tools/HelpCompiler -c Release -- check docs/help en-US/PSOmapi.dll-Help.xml
    /// build writes the MAML compiled from the markdown (only when it changed); check exits 1 when the MAML file is not
    /// in step with the markdown (compared in canonical form, so a file PlatyPS compiled passes too). Both exit 2 when the
    /// markdown does not follow PlatyPS's schema 2.0.0.
    /// </summary>
    public static class Program
    {
        /// <summary>Entry point.</summary>
        public static int Main(string[] args)
        {
            ArgumentNullException.ThrowIfNull(args);
            if (args.Length != 3 || (args[0] != "build" && args[0] != "check"))
            {
                Console.Error.WriteLine("usage: PSOmapi.HelpCompiler build|check <markdown folder> <MAML file>");
                return 2;
            }

            IReadOnlyList<CommandHelp> commands;
            try
            {
                commands = Compile(args[1]);
            }
            catch (HelpSchemaException ex)
            {
                Console.Error.WriteLine("help: " + ex.Message);
                return 2;
            }

            string maml = MamlWriter.ToText(commands);
            string target = args[2];
            if (args[0] == "build")
            {
                if (!File.Exists(target) || File.ReadAllText(target) != maml)
                {
                    File.WriteAllText(target, maml);
                    Console.WriteLine("help: wrote " + target + " (" + commands.Count + " cmdlets)");
                }
                else
                {
                    Console.WriteLine("help: " + target + " is up to date (" + commands.Count + " cmdlets)");
                }

                return 0;
            }

            if (!File.Exists(target))
            {
                Console.Error.WriteLine("help: " + target + " does not exist; run the build command.");
                return 1;
            }

            string? difference = MamlCanonicalizer.Difference(XDocument.Parse(maml), XDocument.Load(target));
            if (difference != null)
            {
                Console.Error.WriteLine("help: " + target + " is not in step with " + args[1] + " (" + difference + ")\nRun: dotnet run --project tools/HelpCompiler -c Release -- build " + args[1] + " " + target);
                return 1;
            }

            Console.WriteLine("help: " + target + " is in step with " + args[1] + " (" + commands.Count + " cmdlets)");
            return 0;
        }

        /// <summary>
        /// Reads and checks every cmdlet help file of <paramref name="markdownFolder"/>: each must be named after its
        /// cmdlet and name the same external help file.
        /// </summary>
        public static IReadOnlyList<CommandHelp> Compile(string markdownFolder)
        {
            IReadOnlyList<CommandHelp> commands = MarkdownHelpReader.ReadFolder(markdownFolder);
            foreach (CommandHelp command in commands)
            {
                if (!string.Equals(Path.GetFileNameWithoutExtension(command.SourcePath), command.Name, StringComparison.OrdinalIgnoreCase))
                {
                    throw new HelpSchemaException(command.SourcePath, 1, "the file is named differently from its cmdlet '" + command.Name + "'.");
                }

                string[] names = commands.Select(c => c.Metadata.TryGetValue("external help file", out string? f) ? f : string.Empty).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
                if (names.Length != 1 || names[0].Length == 0)
                {
                    throw new HelpSchemaException(command.SourcePath, 1, "every file must name the same 'external help file' in its front matter; found: " + string.Join(", ", names) + ".");
                }
            }

            return commands;
        }
    }
}
