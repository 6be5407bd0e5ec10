using System.Collections.ObjectModel;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Security;

namespace RedisDocker.Hosting.Tests;

/// <summary>
/// A host that keeps what is written to its UI, as a console would show it. After Ctrl+C the module's warnings
/// (what a stopped command did and what remains) can no longer go to the stopped pipeline: they go to the host.
/// </summary>
public sealed class RecordingHost : PSHost
{
    private readonly RecordingUI _ui = new();

    public override string Name => "RedisDocker.Hosting.Tests";
    public override Version Version { get; } = new(1, 0);
    public override Guid InstanceId { get; } = Guid.NewGuid();
    public override PSHostUserInterface UI => _ui;
    public override CultureInfo CurrentCulture => CultureInfo.InvariantCulture;
    public override CultureInfo CurrentUICulture => CultureInfo.InvariantCulture;

    /// <summary>The warning lines the host was given, in order.</summary>
    public IReadOnlyList<string> Warnings => _ui.Snapshot(_ui.Warnings);

    /// <summary>Everything else written to the host, line by line.</summary>
    public IReadOnlyList<string> Lines => _ui.Snapshot(_ui.Text);

    public override void SetShouldExit(int exitCode) { }
    public override void EnterNestedPrompt() => throw new NotSupportedException();
    public override void ExitNestedPrompt() => throw new NotSupportedException();
    public override void NotifyBeginApplication() { }
    public override void NotifyEndApplication() { }

    private sealed class RecordingUI : PSHostUserInterface
    {
        public readonly List<string> Warnings = new();
        public readonly List<string> Text = new();

        public IReadOnlyList<string> Snapshot(List<string> list) { lock (list) return list.ToList(); }
        private static void Add(List<string> list, string value) { lock (list) list.Add(value); }

        public override PSHostRawUserInterface? RawUI => null;
        public override void WriteWarningLine(string message) => Add(Warnings, message);
        public override void Write(string value) => Add(Text, value);
        public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) =>
            Add(Text, value);
        public override void WriteLine(string value) => Add(Text, value);
        public override void WriteErrorLine(string value) => Add(Text, value);
        public override void WriteDebugLine(string message) => Add(Text, message);
        public override void WriteVerboseLine(string message) => Add(Text, message);
        public override void WriteProgress(long sourceId, ProgressRecord record) { }

        // A test host never prompts: a prompt would mean a test forgot -Confirm:$false or a parameter.
        public override string ReadLine() => throw NoInput();
        public override SecureString ReadLineAsSecureString() => throw NoInput();
        public override Dictionary<string, PSObject> Prompt(
            string caption, string message, Collection<FieldDescription> descriptions) =>
            throw NoPrompt(caption, message);
        public override PSCredential PromptForCredential(
            string caption, string message, string userName, string targetName) => throw NoPrompt(caption, message);
        public override PSCredential PromptForCredential(string caption, string message, string userName,
            string targetName, PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options) =>
            throw NoPrompt(caption, message);
        public override int PromptForChoice(
            string caption, string message, Collection<ChoiceDescription> choices, int defaultChoice) =>
            throw NoPrompt(caption, message);

        private static NotSupportedException NoInput() => new("The test host does not read input.");
        private static NotSupportedException NoPrompt(string caption, string message) =>
            new($"The test host does not prompt: {caption} {message}");
    }
}
