namespace RedisDocker.Core;

/// <summary>One step of a long wait, as the cmdlet layer shows it with Write-Progress.</summary>
/// <param name="ActivityId">Stable id per activity (Write-Progress -Id), from <see cref="NextActivityId"/>.</param>
/// <param name="Activity">What is being waited for.</param>
/// <param name="Status">Where it is now.</param>
/// <param name="PercentComplete">0..100, or -1 when unknown.</param>
/// <param name="Completed">True on the last report of the activity.</param>
/// <param name="ParentActivityId">The activity this one is part of (Write-Progress -ParentId), or -1: the cmdlet
/// layer then makes it a child of the cmdlet's own activity.</param>
public sealed record ProgressReport(int ActivityId, string Activity, string Status, int PercentComplete = -1,
    bool Completed = false, int ParentActivityId = -1)
{
    private static int s_nextActivityId;

    /// <summary>A process-wide unique activity id, so that concurrent activities never share one.</summary>
    public static int NextActivityId() => Interlocked.Increment(ref s_nextActivityId);
}

/// <summary>
/// How the core reports to whoever drives it (the cmdlet layer, a test, the demo).
/// Implementations must be thread-safe: the core calls them from any thread.
/// Nothing passed here may contain a password.
/// </summary>
public interface IOperationSink
{
    void Verbose(string message);
    void Warning(string message);
    void Progress(ProgressReport report);
}

/// <summary>A sink that drops everything.</summary>
public sealed class NullSink : IOperationSink
{
    public static readonly NullSink Instance = new();
    public void Verbose(string message) { }
    public void Warning(string message) { }
    public void Progress(ProgressReport report) { }
}

/// <summary>A sink that keeps every report, for tests and for the demo's narration.</summary>
public sealed class RecordingSink : IOperationSink
{
    private readonly List<string> _lines = new();
    private readonly Action<string>? _echo;
    public RecordingSink(Action<string>? echo = null) => _echo = echo;

    public IReadOnlyList<string> Lines { get { lock (_lines) return _lines.ToArray(); } }

    private void Add(string line)
    {
        lock (_lines) _lines.Add(line);
        _echo?.Invoke(line);
    }

    public void Verbose(string message) => Add("VERBOSE: " + message);
    public void Warning(string message) => Add("WARNING: " + message);
    public void Progress(ProgressReport report) =>
        Add($"PROGRESS: {report.Activity}: {report.Status}"
            + (report.PercentComplete >= 0 ? $" ({report.PercentComplete}%)" : "")
            + (report.Completed ? " [done]" : ""));
}
