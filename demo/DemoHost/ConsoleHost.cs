using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Security;
using System.Text;
using System.Text.RegularExpressions;

namespace PSOmapi.Demo;

/// <summary>
/// A minimal PSHost for the hosted engine that writes to the console the way pwsh shows output in a log: Out-Default
/// renders the module's format views through it. Unlike the tests' TestHost (which collects text for assertions and
/// marks error lines), errors, warnings and verbose lines look as pwsh prints them; colour codes are left out; runs of
/// blank lines are written as one.
/// </summary>
internal sealed partial class ConsoleHost : PSHost
{
    private readonly ConsoleUserInterface _ui = new();

    public override string Name => "PSOmapiDemoHost";

    public override Version Version => new(1, 0);

    public override Guid InstanceId { get; } = Guid.NewGuid();

    public override PSHostUserInterface UI => _ui;

    public override CultureInfo CurrentCulture => CultureInfo.InvariantCulture;

    public override CultureInfo CurrentUICulture => CultureInfo.InvariantCulture;

    public override void EnterNestedPrompt() => throw new NotSupportedException();

    public override void ExitNestedPrompt() => throw new NotSupportedException();

    public override void NotifyBeginApplication() { }

    public override void NotifyEndApplication() { }

    public override void SetShouldExit(int exitCode) { }

    private sealed partial class ConsoleUserInterface : PSHostUserInterface
    {
        private readonly ConsoleRawUserInterface _raw = new();
        private readonly object _lock = new();
        private readonly StringBuilder _line = new();
        private int _blankLines = 1;

        public override PSHostRawUserInterface RawUI => _raw;

        public override void Write(string value) => Append(value);

        public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) => Append(value);

        public override void WriteLine(string value) => Append(value + "\n");

        public override void WriteErrorLine(string value) => Append(value + "\n");

        public override void WriteDebugLine(string message) => Append("DEBUG: " + message + "\n");

        public override void WriteVerboseLine(string message) => Append("VERBOSE: " + message + "\n");

        public override void WriteWarningLine(string message) => Append("WARNING: " + message + "\n");

        public override void WriteProgress(long sourceId, ProgressRecord record) { }

        public override string ReadLine() => throw new NotSupportedException("The demo does not read input.");

        public override SecureString ReadLineAsSecureString() => throw new NotSupportedException("The demo does not read input.");

        public override Dictionary<string, PSObject> Prompt(string caption, string message, Collection<FieldDescription> descriptions) => throw new NotSupportedException("The demo does not prompt.");

        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName) => throw new NotSupportedException("The demo does not prompt.");

        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName, PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options) => throw new NotSupportedException("The demo does not prompt.");

        public override int PromptForChoice(string caption, string message, Collection<ChoiceDescription> choices, int defaultChoice) => throw new NotSupportedException("The demo does not prompt.");

        [GeneratedRegex("\u001b\\[[0-9;]*m")]
        private static partial Regex ColourCodes();

        /// <summary>Writes whole lines only, without colour codes, and at most one blank line in a row.</summary>
        private void Append(string value)
        {
            lock (_lock)
            {
                foreach (char c in ColourCodes().Replace(value, string.Empty))
                {
                    if (c == '\r')
                    {
                        continue;
                    }

                    if (c != '\n')
                    {
                        _line.Append(c);
                        continue;
                    }

                    string line = _line.ToString().TrimEnd();
                    _line.Clear();
                    _blankLines = line.Length == 0 ? _blankLines + 1 : 0;
                    if (_blankLines <= 1)
                    {
                        Console.Out.WriteLine(line);
                    }
                }

                Console.Out.Flush();
            }
        }
    }

    private sealed class ConsoleRawUserInterface : PSHostRawUserInterface
    {
        public override ConsoleColor BackgroundColor { get; set; } = ConsoleColor.Black;

        public override Size BufferSize { get; set; } = new(120, 3000);

        public override Coordinates CursorPosition { get; set; }

        public override int CursorSize { get; set; } = 1;

        public override ConsoleColor ForegroundColor { get; set; } = ConsoleColor.White;

        public override bool KeyAvailable => false;

        public override Size MaxPhysicalWindowSize => new(120, 100);

        public override Size MaxWindowSize => new(120, 100);

        public override Coordinates WindowPosition { get; set; }

        public override Size WindowSize { get; set; } = new(120, 100);

        public override string WindowTitle { get; set; } = "PSOmapi demo";

        public override void FlushInputBuffer() { }

        public override BufferCell[,] GetBufferContents(Rectangle rectangle) => throw new NotSupportedException();

        public override KeyInfo ReadKey(ReadKeyOptions options) => throw new NotSupportedException();

        public override void ScrollBufferContents(Rectangle source, Coordinates destination, Rectangle clip, BufferCell fill) { }

        public override void SetBufferContents(Coordinates origin, BufferCell[,] contents) { }

        public override void SetBufferContents(Rectangle rectangle, BufferCell fill) { }
    }
}
