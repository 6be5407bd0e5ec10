using RedisDocker.Core.Resp;
using Xunit;

namespace RedisDocker.Core.Tests.Unit;

public class WaiterTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task ReturnsAtOnce_WhenTheProbeIsDone()
    {
        var sink = new RecordingSink();
        var calls = 0;
        var elapsed = await Waiter.UntilAsync(sink, "Waiting for ready", Long,
            _ => { calls++; return Task.FromResult((true, "ready")); }, CancellationToken.None, pollMs: 5);
        Assert.Equal(1, calls);
        Assert.True(elapsed < Long);
        // Only the closing progress report.
        Assert.Equal("PROGRESS: Waiting for ready: ready (100%) [done]", Assert.Single(sink.Lines));
    }

    [Fact]
    public async Task PollsUntilDone_ReportingProgress()
    {
        var sink = new RecordingSink();
        var calls = 0;
        await Waiter.UntilAsync(sink, "Replicas syncing", Long,
            _ =>
            {
                calls++;
                return Task.FromResult(calls >= 3 ? (true, "3 of 3 in sync") : (false, $"{calls - 1} of 3 in sync"));
            },
            CancellationToken.None, pollMs: 5);
        Assert.Equal(3, calls);
        var lines = sink.Lines;
        Assert.Equal(3, lines.Count);
        Assert.StartsWith("PROGRESS: Replicas syncing: 0 of 3 in sync (", lines[0]);
        Assert.StartsWith("PROGRESS: Replicas syncing: 1 of 3 in sync (", lines[1]);
        Assert.DoesNotContain("[done]", lines[0]);
        Assert.Equal("PROGRESS: Replicas syncing: 3 of 3 in sync (100%) [done]", lines[2]);
    }

    [Fact]
    public async Task TimesOut_WithTheLastStatusAndTheGivenErrorId()
    {
        var sink = new RecordingSink();
        var calls = 0;
        var ex = await Assert.ThrowsAsync<RedisDockerException>(() => Waiter.UntilAsync(sink, "Cluster converging", TimeSpan.FromMilliseconds(150),
            _ => { calls++; return Task.FromResult((false, $"2 of 6 nodes agree (poll {calls})")); },
            CancellationToken.None, errorId: ErrorIds.ClusterNotConverged, pollMs: 10));

        Assert.Equal(ErrorIds.ClusterNotConverged, ex.ErrorId);
        Assert.Equal(ErrorKind.OperationTimeout, ex.Kind);
        Assert.Equal("Cluster converging", ex.Target);
        Assert.True(calls >= 2);
        Assert.Equal($"Cluster converging: not done within 0 s. Still missing: 2 of 6 nodes agree (poll {calls}).", ex.Message);
        Assert.EndsWith("[done]", sink.Lines[^1]);
        Assert.All(sink.Lines.Take(sink.Lines.Count - 1), l => Assert.Matches(@"\((\d|[1-9]\d)%\)$", l)); // 0..99 while waiting
    }

    [Fact]
    public async Task TimesOut_DefaultErrorIdIsTimeout()
    {
        var ex = await Assert.ThrowsAsync<RedisDockerException>(() => Waiter.UntilAsync(NullSink.Instance, "Waiting", TimeSpan.FromMilliseconds(50),
            _ => Task.FromResult((false, "still starting")), CancellationToken.None, pollMs: 5));
        Assert.Equal(ErrorIds.Timeout, ex.ErrorId);
        Assert.Contains("Still missing: still starting.", ex.Message);
    }

    [Fact]
    public async Task TimesOut_DescribeTimeoutShapesTheMessage()
    {
        var ex = await Assert.ThrowsAsync<RedisDockerException>(() => Waiter.UntilAsync(NullSink.Instance, "Failover", TimeSpan.FromMilliseconds(50),
            _ => Task.FromResult((false, "no replica promoted")), CancellationToken.None,
            errorId: ErrorIds.FailoverFailed, describeTimeout: s => $"The failover did not finish: {s}. Check Get-RedisReplication.", pollMs: 5));
        Assert.Equal(ErrorIds.FailoverFailed, ex.ErrorId);
        Assert.Equal("The failover did not finish: no replica promoted. Check Get-RedisReplication.", ex.Message);
    }

    [Fact]
    public async Task Cancellation_StopsTheWait()
    {
        using var cts = new CancellationTokenSource();
        var sink = new RecordingSink();
        var calls = 0;
        var task = Waiter.UntilAsync(sink, "Waiting", Long,
            _ => { if (++calls == 3) cts.Cancel(); return Task.FromResult((false, "not yet")); },
            cts.Token, pollMs: 5);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => task);
        Assert.Equal(3, calls);
        Assert.EndsWith("[done]", sink.Lines[^1]);
    }

    [Fact]
    public async Task AlreadyCancelled_NeverProbes()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var calls = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Waiter.UntilAsync(NullSink.Instance, "Waiting", Long,
            _ => { calls++; return Task.FromResult((true, "")); }, cts.Token, pollMs: 5));
        Assert.Equal(0, calls);
    }

    [Fact]
    public async Task ConnectionException_CountsAsNotDoneYet()
    {
        var calls = 0;
        var sink = new RecordingSink();
        await Waiter.UntilAsync(sink, "Node restarting", Long, _ =>
        {
            calls++;
            if (calls == 1) throw new RedisConnectionException("127.0.0.1:49153", "Could not connect to 127.0.0.1:49153: connection refused.");
            if (calls == 2) throw new RedisTimeoutException("PING did not complete within 1 s");
            return Task.FromResult((true, "answering"));
        }, CancellationToken.None, pollMs: 5);
        Assert.Equal(3, calls);
        Assert.Contains(sink.Lines, l => l.Contains("connection refused"));
        Assert.Contains(sink.Lines, l => l.Contains("PING did not complete"));
    }

    [Fact]
    public async Task ConnectionException_UntilTimeout_IsTheLastStatus()
    {
        var ex = await Assert.ThrowsAsync<RedisDockerException>(() => Waiter.UntilAsync(NullSink.Instance, "Node restarting", TimeSpan.FromMilliseconds(60),
            _ => throw new RedisConnectionException("127.0.0.1:49153", "Could not connect to 127.0.0.1:49153: connection refused."),
            CancellationToken.None, errorId: ErrorIds.NodeNotReady, pollMs: 5));
        Assert.Equal(ErrorIds.NodeNotReady, ex.ErrorId);
        Assert.Contains("Still missing: Could not connect to 127.0.0.1:49153: connection refused..", ex.Message);
    }

    [Fact]
    public async Task OtherExceptions_Propagate()
    {
        var sink = new RecordingSink();
        var ex = await Assert.ThrowsAsync<RedisServerException>(() => Waiter.UntilAsync(sink, "Waiting", Long,
            _ => throw new RedisServerException("ERR something broke"), CancellationToken.None, pollMs: 5));
        Assert.Equal("ERR something broke", ex.Message);
        Assert.EndsWith("[done]", Assert.Single(sink.Lines));
    }

    [Fact]
    public async Task ActivityIds_AreDistinctPerWait()
    {
        var ids = new List<int>();
        var sink = new CapturingSink(ids);
        await Waiter.UntilAsync(sink, "one", Long, _ => Task.FromResult((true, "")), CancellationToken.None, pollMs: 5);
        await Waiter.UntilAsync(sink, "two", Long, _ => Task.FromResult((true, "")), CancellationToken.None, pollMs: 5);
        Assert.Equal(2, ids.Count);
        Assert.NotEqual(ids[0], ids[1]);
    }

    private sealed class CapturingSink(List<int> ids) : IOperationSink
    {
        public void Verbose(string message) { }
        public void Warning(string message) { }
        public void Progress(ProgressReport report) { lock (ids) ids.Add(report.ActivityId); }
    }
}
