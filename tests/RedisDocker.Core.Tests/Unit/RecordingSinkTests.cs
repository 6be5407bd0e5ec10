using Xunit;

namespace RedisDocker.Core.Tests.Unit;

public class RecordingSinkTests
{
    [Fact]
    public void RecordsEveryKindInOrder()
    {
        var sink = new RecordingSink();
        sink.Verbose("Creating node shop-1.");
        sink.Warning("A single sentinel dies with its one container.");
        sink.Progress(new ProgressReport(1001, "Waiting for shop-1", "starting", 40));
        sink.Progress(new ProgressReport(1001, "Waiting for shop-1", "ready", 100, Completed: true));
        sink.Progress(new ProgressReport(1002, "Scanning", "unknown progress"));
        Assert.Equal(new[]
        {
            "VERBOSE: Creating node shop-1.",
            "WARNING: A single sentinel dies with its one container.",
            "PROGRESS: Waiting for shop-1: starting (40%)",
            "PROGRESS: Waiting for shop-1: ready (100%) [done]",
            "PROGRESS: Scanning: unknown progress",
        }, sink.Lines);
    }

    [Fact]
    public void CompletedWithoutPercent()
    {
        var sink = new RecordingSink();
        sink.Progress(new ProgressReport(1, "A", "s", -1, Completed: true));
        Assert.Equal("PROGRESS: A: s [done]", Assert.Single(sink.Lines));
    }

    [Fact]
    public void Echo_SeesEachLine()
    {
        var echoed = new List<string>();
        var sink = new RecordingSink(echoed.Add);
        sink.Verbose("v");
        sink.Warning("w");
        Assert.Equal(new[] { "VERBOSE: v", "WARNING: w" }, echoed);
        Assert.Equal(echoed, sink.Lines);
    }

    [Fact]
    public void Lines_IsASnapshot()
    {
        var sink = new RecordingSink();
        sink.Verbose("one");
        var snapshot = sink.Lines;
        sink.Verbose("two");
        Assert.Single(snapshot);
        Assert.Equal(2, sink.Lines.Count);
    }

    [Fact]
    public void IsThreadSafe()
    {
        var sink = new RecordingSink();
        Parallel.For(0, 2000, i => sink.Verbose($"line {i}"));
        var lines = sink.Lines;
        Assert.Equal(2000, lines.Count);
        Assert.Equal(2000, lines.Distinct().Count());
    }
}
