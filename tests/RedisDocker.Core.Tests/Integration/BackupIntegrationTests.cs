using System.Text;
using RedisDocker.Core.Backup;
using RedisDocker.Core.Resp;
using RedisDocker.Core.Topology;
using Xunit;

namespace RedisDocker.Core.Tests.Integration;

/// <summary>
/// Issue 16 on the real engine: a 3x1 cluster with 20,000 keys (strings, hashes, lists, TTLs) backed up, removed and
/// restored into a new topology on another subnet; corrupted backups refused before anything is made; a restore over
/// keys refused without -Force; keys imported from a standalone node into a cluster.
/// </summary>
[Trait("Category", "Backup")]
public class BackupIntegrationTests : DockerTestBase
{
    private const int KeyCount = 20_000;
    private readonly string _restored;
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "rdk-bk-" + Guid.NewGuid().ToString("N")[..8]);

    public BackupIntegrationTests() : base("bk") => _restored = Topology + "r";

    private TopologyOperations Topologies => Session.Workflows(Sink).Topologies;

    public override async Task DisposeAsync()
    {
        await RemoveTopologyAsync(Session, _restored);
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
        await base.DisposeAsync();
    }

    /// <summary>Key i: a string (every 4th with a one-hour TTL), a hash or a list.</summary>
    private static (string Key, string Type, bool Ttl) Shape(int i) => (i % 3) switch
    {
        0 => ($"s:{i}", "string", i % 4 == 0),
        1 => ($"h:{i}", "hash", i % 4 == 1),
        _ => ($"l:{i}", "list", false),
    };

    private static object[] Write(int i) => Shape(i) switch
    {
        (var k, "string", true) => new object[] { "SET", k, $"v{i}", "PX", 3_600_000 },
        (var k, "string", false) => new object[] { "SET", k, $"v{i}" },
        (var k, "hash", _) => new object[] { "HSET", k, "a", i, "b", $"x{i}" },
        (var k, _, _) => new object[] { "RPUSH", k, "1", "2", i },
    };

    [Fact]
    public async Task AClusterBackupRestoresIntoANewTopologyOnAnotherSubnetWithEveryKeyAndTtl()
    {
        var net = await NewNetworkAsync();
        var nodes = await NewNodesAsync(net.Name, 6, cluster: true);
        await Clusters.CreateAsync(nodes.Select(n => n.Name).ToArray(), 1, Ct);
        var router = await ClusterRouter.OpenAsync(Session, Sink, Topology, Ct);
        for (var i = 0; i < KeyCount; i++)
        {
            var args = Write(i);
            (await router.ExecuteAsync(args, ClusterSlot.GetSlot((string)args[1]), NullSink.Instance, Ct))
                .ThrowIfError();
            var (key, _, ttl) = Shape(i);
            if (ttl && args[0] is "HSET")
                (await router.ExecuteAsync(new object[] { "PEXPIRE", key, 3_600_000 }, ClusterSlot.GetSlot(key),
                    NullSink.Instance, Ct)).ThrowIfError();
        }
        var password = await Session.GetPasswordAsync(Topology, Ct);
        // Issue 12: an ACL user comes back with the restore (its password as a hash in the manifest's spec).
        var appPassword = Secrets.GeneratePassword(24);
        OtherSecrets.Add(appPassword);
        await Session.Workflows(Sink).Acl.NewAsync(Topology, "app", appPassword, "~s:* +@read", disabled: false, Ct);

        var backup = await Session.Workflows(Sink).Backup.BackupAsync(Topology, _folder, null, Ct);
        Assert.Equal(3, backup.NodeCount);
        Assert.Equal(KeyCount, backup.Keys);
        foreach (var f in Directory.EnumerateFiles(_folder, "*", SearchOption.AllDirectories))
        {
            Assert.DoesNotContain(password!, File.ReadAllText(f, Encoding.Latin1), StringComparison.Ordinal);
            Assert.DoesNotContain(appPassword, File.ReadAllText(f, Encoding.Latin1), StringComparison.Ordinal);
            if (!OperatingSystem.IsWindows())
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(f));
        }
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute,
                File.GetUnixFileMode(_folder));
        var manifest = BackupFolder.ReadVerified(_folder).Manifest;
        Assert.Equal(16384, manifest.Nodes.Sum(n => n.Slots.Sum(r => r.Split('-') is [var a, var b]
            ? int.Parse(b) - int.Parse(a) + 1 : 1)));

        // Corrupted copies are refused before anything is made.
        await AssertCorruptRefusedAsync(d => Flip(Path.Combine(d, manifest.Nodes[1].File)));
        await AssertCorruptRefusedAsync(d => File.AppendAllText(Path.Combine(d, BackupManifest.FileName), " "));

        await Topologies.RemoveAsync(Topology, keepVolumes: false, Ct);
        var subnet = await TestSubnets.NextAsync(this, Session, Ct);
        var topology = await Session.Workflows(Sink).Restore.RestoreAsync(
            new RestoreRequest { Path = _folder, Name = _restored, Subnet = subnet }, Ct);
        Assert.Equal("Healthy", topology.Health);
        var restoredNodes = await Nodes.GetAsync(new NodeFilter { Topology = _restored }, Ct);
        Assert.Equal(6, restoredNodes.Count);
        Assert.All(restoredNodes, n => Assert.True(IPv4Cidr.Parse(subnet).Contains(n.IPAddress!), n.IPAddress));
        await AssertEveryKeyAsync(restoredNodes);
        foreach (var n in restoredNodes.Where(n => n.Kind == RedisNodeKind.Redis))
        {
            var (host, port) = EndpointMap.Split(n.HostEndpoint!);
            await using var conn = await RespConnection.ConnectAsync(host, port,
                new RespConnectionOptions { User = "app", Password = appPassword }, Ct);
            var read = await conn.SendAsync(new object[] { "GET", "s:0" }, Ct);
            Assert.True(!read.IsError || (read.Text ?? "").StartsWith("MOVED", StringComparison.Ordinal), read.Text);
            Assert.StartsWith("NOPERM", (await conn.SendAsync(new object[] { "SET", "s:0", "x" }, Ct)).Text);
        }

        // The slots each primary owns are the manifest's.
        var members = await Clusters.GetNodesAsync(_restored, Ct);
        foreach (var p in manifest.Nodes)
            Assert.Equal(p.Slots, members.Single(m => m.Name == SpecRewriter.MapName(p.Name, Topology, _restored))
                .SlotRanges.Select(r => r.ToString()));

        // A restore over the keys now there needs -Force.
        var e = await Assert.ThrowsAsync<RedisDockerException>(() => Session.Workflows(Sink).Restore
            .RestoreAsync(new RestoreRequest { Path = _folder, Name = _restored }, Ct));
        Assert.Equal(ErrorIds.RestoreTargetNotEmpty, e.ErrorId);
    }

    private async Task AssertEveryKeyAsync(IReadOnlyList<RedisNode> nodes)
    {
        var seen = new Dictionary<string, (string Type, long Ttl)>();
        foreach (var n in nodes.Where(n => n.Role == RedisRole.Primary))
        {
            await using var conn = await ConnectAsync(n);
            // AOF is back on (the RDB was loaded with it off, then CONFIG SET appendonly yes + CONFIG REWRITE).
            var aof = await conn.SendAsync(new object[] { "CONFIG", "GET", "appendonly" }, Ct);
            Assert.Equal("yes", aof.AsArray()[1].AsString());
            var cursor = "0";
            do
            {
                var scan = (await conn.SendAsync(new object[] { "SCAN", cursor, "COUNT", 1000 }, Ct)).AsArray();
                var keys = scan[1].AsArray().Select(k => k.AsString()).ToArray();
                var replies = await conn.PipelineAsync(keys.SelectMany(k => new IReadOnlyList<object>[]
                    { new object[] { "TYPE", k }, new object[] { "PTTL", k } }).ToArray(), Ct);
                for (var i = 0; i < keys.Length; i++)
                    seen[keys[i]] = (replies[2 * i].AsString(), replies[2 * i + 1].AsInt64());
                cursor = scan[0].AsString();
            } while (cursor != "0");
        }
        Assert.Equal(KeyCount, seen.Count);
        for (var i = 0; i < KeyCount; i++)
        {
            var (key, type, ttl) = Shape(i);
            Assert.True(seen.TryGetValue(key, out var got), $"{key} is missing after the restore");
            Assert.Equal(type, got.Type);
            if (ttl) Assert.InRange(got.Ttl, 1, 3_600_000);
            else Assert.Equal(-1, got.Ttl);
        }
        foreach (var r in nodes.Where(n => n.Role == RedisRole.Replica))
        {
            await using var conn = await ConnectAsync(r);
            var size = (await conn.SendAsync(new object[] { "DBSIZE" }, Ct)).AsInt64();
            Assert.True(size > 0, $"replica {r.Name} is empty");
        }
    }

    private static void Flip(string file)
    {
        var bytes = File.ReadAllBytes(file);
        bytes[bytes.Length / 2] ^= 0xFF;
        File.WriteAllBytes(file, bytes);
    }

    private async Task AssertCorruptRefusedAsync(Action<string> corrupt)
    {
        var copy = _folder + "-bad";
        CopyDirectory(_folder, copy);
        try
        {
            corrupt(copy);
            var e = await Assert.ThrowsAsync<RedisDockerException>(() => Session.Workflows(Sink).Restore
                .RestoreAsync(new RestoreRequest { Path = copy, Name = _restored }, Ct));
            Assert.Equal(ErrorIds.BackupCorrupted, e.ErrorId);
            var docker = await Session.GetDockerAsync(Ct);
            Assert.Empty(await docker.ListContainersAsync(Labels.ForTopology(_restored), all: true, Ct));
            Assert.Empty(await docker.ListNetworksAsync(Labels.ForTopology(_restored), Ct));
        }
        finally { Directory.Delete(copy, recursive: true); }
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (var d in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(d.Replace(from, to, StringComparison.Ordinal));
        Directory.CreateDirectory(to);
        foreach (var f in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
            File.Copy(f, f.Replace(from, to, StringComparison.Ordinal));
    }
}

/// <summary>Import-RedisData from a standalone node into a 3-primary cluster: every key with its TTL, in two runs (the
/// second resumes from the first's cursor), and a third run without -Replace that keeps every key present.</summary>
[Trait("Category", "Backup")]
public class DataImportIntegrationTests : DockerTestBase
{
    public DataImportIntegrationTests() : base("im") { }

    [Fact]
    public async Task ImportCopiesAStandaloneNodeIntoAClusterInTwoResumedRuns()
    {
        const int count = 3000;
        var net = await NewNetworkAsync();
        var cluster = await NewNodesAsync(net.Name, 3, cluster: true);
        await Clusters.CreateAsync(cluster.Select(n => n.Name).ToArray(), 0, Ct);
        var source = (await Nodes.CreateAsync(
                new[] { new NodeSpec { Name = Topology + "-src", Network = net.Name } }, Ct))
            .Single().Node!;
        await using (var conn = await ConnectAsync(source))
        {
            var writes = Enumerable.Range(0, count).Select(i => (IReadOnlyList<object>)(i % 2 == 0
                ? new object[] { "SET", $"k{i}", $"v{i}", "PX", 3_600_000 }
                : new object[] { "HSET", $"h{i}", "f", i })).ToArray();
            foreach (var r in await conn.PipelineAsync(writes, Ct)) r.ThrowIfError();
        }
        var import = Session.Workflows(Sink).DataImport;
        var first = await import.ImportAsync(new DataImportRequest
            { Source = source.Name, Destination = Topology, BatchSize = 200, MaxKeys = 1000 }, Ct);
        Assert.False(first.Completed);
        Assert.InRange(first.Copied, 1000, count - 1);
        var rest = await import.ImportAsync(new DataImportRequest
            { Source = source.Name, Destination = Topology, BatchSize = 200, Cursor = first.Cursor }, Ct);
        Assert.True(rest.Completed);
        Assert.Equal(count, first.Copied + rest.Copied);

        var router = await ClusterRouter.OpenAsync(Session, Sink, Topology, Ct);
        long total = 0;
        foreach (var reply in await router.ExecuteOnEachAsync(new object[] { "DBSIZE" }, false, Sink, Ct))
            total += reply.Reply!.AsInt64();
        Assert.Equal(count, total);
        for (var i = 0; i < count; i += 97)
        {
            var key = i % 2 == 0 ? $"k{i}" : $"h{i}";
            var ttl = (await router.ExecuteAsync(new object[] { "PTTL", key }, Ct)).AsInt64();
            if (i % 2 == 0)
            {
                Assert.InRange(ttl, 1, 3_600_000);
                Assert.Equal($"v{i}", (await router.ExecuteAsync(new object[] { "GET", key }, Ct)).AsString());
            }
            else Assert.Equal(-1, ttl);
        }

        var again = await import.ImportAsync(
            new DataImportRequest { Source = source.Name, Destination = Topology }, Ct);
        Assert.Equal(0, again.Copied);
        Assert.Equal(count, again.Skipped);
    }
}
