using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Security;
using System.Text;

namespace PSOmapi.Tests
{
    /// <summary>A minimal PSHost whose UI writes into a buffer, so Out-Default renders format views as a user would see them.</summary>
    internal sealed class TestHost : PSHost
    {
        private readonly TestHostUserInterface _ui = new TestHostUserInterface();

        public override string Name => "PSOmapiTestHost";

        public override Version Version => new Version(1, 0);

        public override Guid InstanceId { get; } = Guid.NewGuid();

        public override PSHostUserInterface UI => _ui;

        public override CultureInfo CurrentCulture => CultureInfo.InvariantCulture;

        public override CultureInfo CurrentUICulture => CultureInfo.InvariantCulture;

        /// <summary>Everything written to the host since the last <see cref="TakeOutput"/>.</summary>
        public string TakeOutput() => _ui.Take();

        public override void EnterNestedPrompt() => throw new NotSupportedException();

        public override void ExitNestedPrompt() => throw new NotSupportedException();

        public override void NotifyBeginApplication() { }

        public override void NotifyEndApplication() { }

        public override void SetShouldExit(int exitCode) { }
    }

    internal sealed class TestHostUserInterface : PSHostUserInterface
    {
        private readonly StringBuilder _buffer = new StringBuilder();
        private readonly TestRawUserInterface _raw = new TestRawUserInterface();

        public override PSHostRawUserInterface RawUI => _raw;

        public string Take()
        {
            lock (_buffer)
            {
                string text = _buffer.ToString();
                _buffer.Clear();
                return text;
            }
        }

        public override void Write(string value) => Append(value);

        public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) => Append(value);

        public override void WriteLine(string value) => Append(value + "\n");

        public override void WriteErrorLine(string value) => Append("ERROR: " + value + "\n");

        public override void WriteDebugLine(string message) => Append("DEBUG: " + message + "\n");

        public override void WriteVerboseLine(string message) => Append("VERBOSE: " + message + "\n");

        public override void WriteWarningLine(string message) => Append("WARNING: " + message + "\n");

        public override void WriteProgress(long sourceId, ProgressRecord record) { }

        public override string ReadLine() => throw new NotSupportedException("The test host cannot read input.");

        public override SecureString ReadLineAsSecureString() => throw new NotSupportedException("The test host cannot read input.");

        public override Dictionary<string, PSObject> Prompt(string caption, string message, Collection<FieldDescription> descriptions) => throw new NotSupportedException("The test host cannot prompt.");

        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName) => throw new NotSupportedException("The test host cannot prompt.");

        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName, PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options) => throw new NotSupportedException("The test host cannot prompt.");

        public override int PromptForChoice(string caption, string message, Collection<ChoiceDescription> choices, int defaultChoice) => throw new NotSupportedException("The test host cannot prompt.");

        private void Append(string value)
        {
            lock (_buffer)
            {
                _buffer.Append(value);
            }
        }
    }

    internal sealed class TestRawUserInterface : PSHostRawUserInterface
    {
        public override ConsoleColor BackgroundColor { get; set; } = ConsoleColor.Black;

        public override Size BufferSize { get; set; } = new Size(160, 3000);

        public override Coordinates CursorPosition { get; set; }

        public override int CursorSize { get; set; } = 1;

        public override ConsoleColor ForegroundColor { get; set; } = ConsoleColor.White;

        public override bool KeyAvailable => false;

        public override Size MaxPhysicalWindowSize => new Size(160, 100);

        public override Size MaxWindowSize => new Size(160, 100);

        public override Coordinates WindowPosition { get; set; }

        public override Size WindowSize { get; set; } = new Size(160, 100);

        public override string WindowTitle { get; set; } = "PSOmapi tests";

        public override void FlushInputBuffer() { }

        public override BufferCell[,] GetBufferContents(Rectangle rectangle) => throw new NotSupportedException();

        public override KeyInfo ReadKey(ReadKeyOptions options) => throw new NotSupportedException();

        public override void ScrollBufferContents(Rectangle source, Coordinates destination, Rectangle clip, BufferCell fill) { }

        public override void SetBufferContents(Coordinates origin, BufferCell[,] contents) { }

        public override void SetBufferContents(Rectangle rectangle, BufferCell fill) { }
    }
}
