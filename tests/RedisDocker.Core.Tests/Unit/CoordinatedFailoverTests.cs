using System.Diagnostics;
using RedisDocker.Core.Resp;
using RedisDocker.Core.Sentinel;
using Xunit;

namespace RedisDocker.Core.Tests.Unit;

/// <summary>
/// The order of a coordinated Sentinel failover and its error paths, against a fake that records every command
/// sent to each node (no Docker, no Redis: the integration tests run the real thing).
/// </summary>
public class CoordinatedFailoverTests
{
    private const string OldHost = "127.0.0.1:7000", OldContainer = "172.20.0.2:6379";
    private const string NewHost = "127.0.0.1:7001", NewContainer = "172.20.0.3:6379";
    private const string SentinelHost = "127.0.0.1:7100";

    /// <summary>
    /// A fake group: primary 'p', replica 'r1' (promoted once SENTINEL FAILOVER is accepted), sentinel 's1'.
    /// </summary>
    private sealed class FakeNodes : IFailoverNodes
    {
        private readonly List<string> _log = new();
        private bool _failoverAccepted;
        public IReadOnlyList<string> Log { get { lock (_log) return _log.ToArray(); } }
        public long ReplicaOffset { get; set; } = 100;
        public RespValue SentinelReply { get; set; } = RespValue.FromSimple("OK");
        public bool UnpauseFails { get; set; }

        private void Record(string line) { lock (_log) _log.Add(line); }
        private static string Text(object[] args) => string.Join(' ', args);

        public Task<RespValue> SendToOldPrimaryAsync(object[] args, bool reconnectOnce, CancellationToken ct)
        {
            Record("p: " + Text(args));
            if (UnpauseFails && Text(args) == "CLIENT UNPAUSE")
                throw new RedisConnectionException(OldHost, "connection reset");
            return Task.FromResult(Text(args) == "INFO replication"
                ? RespValue.FromBulk("# Replication\r\nrole:master\r\nconnected_slaves:1\r\n"
                    + $"slave0:ip=172.20.0.3,port=6379,state=online,offset={ReplicaOffset},lag=0\r\n"
                    + "master_repl_offset:100\r\n")
                : RespValue.FromSimple("OK"));
        }

        public Task<RespValue> SendAsync(string hostEndpoint, object[] args, bool reconnectOnce, CancellationToken ct)
        {
            var name = hostEndpoint switch
            {
                OldHost => "p (session)", NewHost => "r1", SentinelHost => "s1", _ => hostEndpoint,
            };
            Record($"{name}: {Text(args)}");
            return Task.FromResult((name, Text(args)) switch
            {
                ("s1", "SENTINEL FAILOVER mymaster") => Accept(),
                ("r1", "ROLE") => RespValue.FromArray(RespValue.FromBulk("master"), RespValue.FromInteger(100),
                    RespValue.FromArray()),
                ("r1", "INFO replication") => RespValue.FromBulk(
                    "# Replication\r\nrole:master\r\nconnected_slaves:1\r\nsecond_repl_offset:101\r\n"),
                _ => RespValue.FromSimple("OK"),
            });
        }

        private RespValue Accept()
        {
            _failoverAccepted = !SentinelReply.IsError;
            return SentinelReply;
        }

        public Task WaitPromotableAsync(CancellationToken ct)
        {
            Record("s1: wait until a replica is promotable");
            return Task.CompletedTask;
        }

        public Task<string?> CurrentPrimaryAsync(CancellationToken ct)
        {
            Record("sentinels: current primary?");
            return Task.FromResult<string?>(_failoverAccepted ? NewContainer : OldContainer);
        }

        public bool TryTranslate(string containerEndpoint, out EndpointMap.MappedEndpoint mapped)
        {
            mapped = containerEndpoint switch
            {
                OldContainer => new EndpointMap.MappedEndpoint(OldContainer, OldHost, "p", "t"),
                NewContainer => new EndpointMap.MappedEndpoint(NewContainer, NewHost, "r1", "t"),
                _ => null!,
            };
            return mapped is not null;
        }

        public Task WaitAgreementAsync(string newPrimary, int replicas, CancellationToken ct)
        {
            Record($"all: agree on {newPrimary} with {replicas} replica(s)");
            return Task.CompletedTask;
        }

        /// <summary>How many lease periods pass at once (then none until the failover stops the lease).</summary>
        public int LeasePeriodsElapsed { get; set; }

        // The lease renewal waits until the failover stops it: no renewal unless a period is said to pass.
        public Task DelayAsync(TimeSpan delay, CancellationToken ct)
        {
            Record($"lease: wait {delay.TotalMilliseconds:0} ms");
            if (LeasePeriodsElapsed-- > 0) return Task.CompletedTask;
            return Task.Delay(Timeout.Infinite, ct);
        }
    }

    private static CoordinatedFailover Failover(FakeNodes nodes, RecordingSink sink) =>
        new(nodes, sink, new CoordinatedFailoverPlan
        {
            Topology = "t", MasterName = "mymaster", OldName = "p", OldHostEndpoint = OldHost, Before = OldContainer,
            SentinelName = "s1", SentinelHostEndpoint = SentinelHost, Timeout = TimeSpan.FromSeconds(5), LeaseMs = 3000,
            CatchUpTimeout = TimeSpan.FromMilliseconds(300),
        });

    [Fact]
    public async Task Unit_CoordinatedFailover_PausesCatchesUpFailsOverDemotesThenUnpauses_InThisOrder()
    {
        var nodes = new FakeNodes();
        var result = await Failover(nodes, new RecordingSink()).RunAsync(Stopwatch.StartNew(), CancellationToken.None);

        Assert.Equal(new[]
        {
            "s1: wait until a replica is promotable",
            "p: INFO replication",                      // a replica to fail over to?
            "p: CLIENT PAUSE 3000 WRITE",               // writes wait (on a lease)
            "lease: wait 1000 ms",                      // renewed every third of the lease, until stopped
            "p: INFO replication",                      // replicas caught up with the paused offset
            "s1: SENTINEL FAILOVER mymaster",
            "sentinels: current primary?",              // the sentinels report the replica ...
            "r1: ROLE",                                 // ... and it answers as primary
            "p: REPLICAOF 172.20.0.3 6379",             // the old primary demoted before its writers resume
            "p: CONFIG REWRITE",
            "p: CLIENT UNPAUSE",
            "all: agree on 172.20.0.3:6379 with 1 replica(s)",
            "r1: INFO replication",                     // the switch offset against the paused one
        }, nodes.Log);
        Assert.Equal("Coordinated", result.Mode);
        Assert.Equal("p", result.OldPrimary);
        Assert.Equal("r1", result.NewPrimary);
        Assert.Equal(NewHost, result.NewPrimaryHostEndpoint);
        Assert.Equal(0, result.LostWrites);
    }

    [Fact]
    public async Task Unit_CoordinatedFailover_ReplicaNeverCatchesUp_UnpausesAndFailsWithoutAskingTheSentinels()
    {
        var nodes = new FakeNodes { ReplicaOffset = 90 };
        var e = await Assert.ThrowsAsync<RedisDockerException>(() =>
            Failover(nodes, new RecordingSink()).RunAsync(Stopwatch.StartNew(), CancellationToken.None));

        Assert.Equal(ErrorIds.FailoverFailed, e.ErrorId);
        Assert.Contains("behind: 172.20.0.3 at 90", e.Message, StringComparison.Ordinal);
        Assert.Equal("p: CLIENT UNPAUSE", nodes.Log[^1]);
        Assert.DoesNotContain(nodes.Log, l => l.Contains("SENTINEL FAILOVER", StringComparison.Ordinal));
        Assert.DoesNotContain(nodes.Log, l => l.Contains("REPLICAOF", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Unit_CoordinatedFailover_SentinelRefuses_UnpausesAndTheRefusalSurfaces()
    {
        var nodes = new FakeNodes { SentinelReply = RespValue.FromError("ERR No such master with that name") };
        var e = await Assert.ThrowsAsync<RedisDockerException>(() =>
            Failover(nodes, new RecordingSink()).RunAsync(Stopwatch.StartNew(), CancellationToken.None));

        Assert.Equal(ErrorIds.FailoverFailed, e.ErrorId);
        Assert.Contains("The sentinels refused the failover: ERR No such master with that name", e.Message,
            StringComparison.Ordinal);
        Assert.Equal(new[] { "s1: SENTINEL FAILOVER mymaster", "p: CLIENT UNPAUSE" }, nodes.Log.TakeLast(2));
        Assert.DoesNotContain(nodes.Log, l => l.Contains("REPLICAOF", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Unit_CoordinatedFailover_NoGoodReplica_SaysWhatToRun()
    {
        var nodes = new FakeNodes { SentinelReply = RespValue.FromError("NOGOODSLAVE No suitable replica to promote") };
        var e = await Assert.ThrowsAsync<RedisDockerException>(() =>
            Failover(nodes, new RecordingSink()).RunAsync(Stopwatch.StartNew(), CancellationToken.None));

        Assert.Equal(ErrorIds.FailoverFailed, e.ErrorId);
        Assert.Contains("have no replica they can promote yet", e.Message, StringComparison.Ordinal);
        Assert.Equal("p: CLIENT UNPAUSE", nodes.Log[^1]);
    }

    [Fact]
    public async Task Unit_CoordinatedFailover_UnpauseFails_WarnsAboutTheLeaseAndKeepsTheOriginalError()
    {
        var nodes = new FakeNodes { SentinelReply = RespValue.FromError("ERR refused"), UnpauseFails = true };
        var sink = new RecordingSink();
        var e = await Assert.ThrowsAsync<RedisDockerException>(() =>
            Failover(nodes, sink).RunAsync(Stopwatch.StartNew(), CancellationToken.None));

        Assert.Contains("The sentinels refused the failover: ERR refused", e.Message, StringComparison.Ordinal);
        Assert.Contains(sink.Lines, l => l.StartsWith("WARNING: Could not unpause 'p'", StringComparison.Ordinal)
            && l.Contains("its pause ends by itself within 3 s", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Unit_CoordinatedFailover_RenewsTheWritePauseEveryThirdOfTheLease_AndStopsBeforeUnpausing()
    {
        var nodes = new FakeNodes { LeasePeriodsElapsed = 1 };
        await Failover(nodes, new RecordingSink()).RunAsync(Stopwatch.StartNew(), CancellationToken.None);

        var log = nodes.Log;
        var paused = log.ToList().IndexOf("p: CLIENT PAUSE 3000 WRITE");
        Assert.Equal(new[]
        {
            "p: CLIENT PAUSE 3000 WRITE",
            "lease: wait 1000 ms",
            "p (session): CLIENT PAUSE 3000 WRITE",     // the renewal, on the session's own connection
            "lease: wait 1000 ms",
        }, log.Skip(paused).Take(4));
        Assert.Equal(1, log.Count(l => l == "p (session): CLIENT PAUSE 3000 WRITE"));
        var unpaused = log.ToList().IndexOf("p: CLIENT UNPAUSE");
        Assert.True(unpaused > paused + 3);
        Assert.DoesNotContain(log.Skip(unpaused), l => l.StartsWith("lease:", StringComparison.Ordinal));
    }
}
