using Xunit;

namespace RedisDocker.Core.Tests.Unit;

/// <summary>The bridge between the async core and PowerShell's pipeline thread (every cmdlet's Run), driven by fake
/// operations: where the reports are written, and how stopped, timed-out and failed work ends.</summary>
public class OperationBridgeTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    /// <summary>Records each report with the thread that wrote it.</summary>
    private sealed class ThreadSink : IOperationSink
    {
        public List<(string Line, int Thread)> Seen { get; } = new();
        private void Add(string line) => Seen.Add((line, Environment.CurrentManagedThreadId));
        public void Verbose(string message) => Add("VERBOSE: " + message);
        public void Warning(string message) => Add("WARNING: " + message);
        public void Progress(ProgressReport report) => Add("PROGRESS: " + report.Activity + ": " + report.Status);
    }

    [Fact]
    public void ReportsAreWrittenOnTheCallingThreadInOrderAndTheResultIsReturned()
    {
        var sink = new ThreadSink();
        var workThreads = new List<int>();
        var result = OperationBridge.Run("Test-Work", sink, CancellationToken.None, async (s, _) =>
        {
            for (var i = 0; i < 20; i++)
            {
                lock (workThreads) workThreads.Add(Environment.CurrentManagedThreadId);
                s.Verbose($"step {i}");
                s.Progress(new ProgressReport(1, "Working", $"{i} of 20", i * 5));
                await Task.Yield();
            }
            s.Warning("last");
            return 42;
        });

        Assert.Equal(42, result);
        var caller = Environment.CurrentManagedThreadId;
        Assert.DoesNotContain(caller, workThreads);
        Assert.All(sink.Seen, s => Assert.Equal(caller, s.Thread));
        var expected = Enumerable.Range(0, 20)
            .SelectMany(i => new[] { $"VERBOSE: step {i}", $"PROGRESS: Working: {i} of 20" })
            .Append("WARNING: last");
        Assert.Equal(expected, sink.Seen.Select(s => s.Line));
    }

    [Fact]
    public void StoppedWorkEndsCancelledWithTheStopTokenAfterItCleanedUp()
    {
        using var stop = new CancellationTokenSource();
        using var started = new ManualResetEventSlim();
        var sink = new ThreadSink();
        var cleanedUp = false;
        var ex = Assert.ThrowsAny<OperationCanceledException>(() =>
        {
            var waiting = Task.Run(() => { started.Wait(Bound); stop.Cancel(); });
            OperationBridge.Run<int>("Test-Work", sink, stop.Token, async (s, ct) =>
            {
                try
                {
                    started.Set();
                    await Task.Delay(Bound, ct);
                    return 1;
                }
                finally
                {
                    await Task.Yield();
                    cleanedUp = true;
                    s.Warning("could not remove x");
                }
            });
        });

        Assert.Equal(stop.Token, ex.CancellationToken);
        Assert.True(cleanedUp);
        Assert.Equal(new[] { "WARNING: could not remove x" }, sink.Seen.Select(s => s.Line));
        Assert.Equal(Environment.CurrentManagedThreadId, Assert.Single(sink.Seen).Thread);
    }

    [Fact]
    public void WorkCancelledByItsOwnTimeBoundIsATimeoutErrorNotAStop()
    {
        using var stop = new CancellationTokenSource();
        var ex = Assert.Throws<RedisDockerException>(() =>
            OperationBridge.Run<int>("Connect-RedisDocker", new ThreadSink(), stop.Token, async (_, ct) =>
            {
                using var bound = CancellationTokenSource.CreateLinkedTokenSource(ct);
                bound.CancelAfter(TimeSpan.FromMilliseconds(1));
                await Task.Delay(Bound, bound.Token);
                return 1;
            }));

        Assert.Equal(ErrorIds.Timeout, ex.ErrorId);
        Assert.Equal(ErrorKind.OperationTimeout, ex.Kind);
        Assert.StartsWith("Connect-RedisDocker gave up waiting", ex.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<OperationCanceledException>(ex.InnerException);
        Assert.False(stop.IsCancellationRequested);
    }

    [Fact]
    public void AFailureIsRethrownAsItIsAfterItsReports()
    {
        var sink = new ThreadSink();
        var failure = new RedisDockerException(ErrorIds.NodeNotFound, "no node x", ErrorKind.ObjectNotFound, "x");
        var ex = Assert.Throws<RedisDockerException>(() =>
            OperationBridge.Run<int>("Test-Work", sink, CancellationToken.None, async (s, _) =>
            {
                s.Verbose("looking for x");
                await Task.Yield();
                throw failure;
            }));

        Assert.Same(failure, ex);
        Assert.Equal(new[] { "VERBOSE: looking for x" }, sink.Seen.Select(s => s.Line));
    }

    [Fact]
    public void AReportThatCannotBeWrittenLetsTheWorkFinishThenFails()
    {
        var finished = false;
        var ex = Assert.Throws<InvalidOperationException>(() =>
            OperationBridge.Run("Test-Work", new ThrowingSink(), CancellationToken.None, async (s, _) =>
            {
                s.Verbose("first");
                await Task.Delay(10);
                s.Verbose("second");
                finished = true;
                return 1;
            }));

        Assert.Equal("cannot write first", ex.Message);
        Assert.True(finished);
    }

    private sealed class ThrowingSink : IOperationSink
    {
        public void Verbose(string message) => throw new InvalidOperationException("cannot write " + message);
        public void Warning(string message) { }
        public void Progress(ProgressReport report) { }
    }
}
