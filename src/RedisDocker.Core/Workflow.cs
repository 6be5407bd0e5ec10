namespace RedisDocker.Core;

/// <summary>
/// What every workflow holds: its session and the sink it reports to. Only the core derives from it, and only
/// <see cref="Workflows"/> (the composition root) builds one.
/// </summary>
public abstract class Workflow
{
    // Field names kept from before the base existed, so code moved between files reads the same.
#pragma warning disable IDE1006, CA1051
    private protected readonly RedisDockerSession _session;
    private protected readonly IOperationSink _sink;
#pragma warning restore IDE1006, CA1051

    private protected Workflow(RedisDockerSession session, IOperationSink sink)
    {
        _session = session;
        _sink = sink;
    }
}
