using System.Diagnostics;
using System.Globalization;
using System.Text;
using RedisDocker.Core.Resp;
using Xunit;

namespace RedisDocker.Core.Tests.Resp;

/// <summary>Integration tests against a real, password-protected redis-server started for this class.</summary>
public class RespConnectionTests : IClassFixture<RedisFixture>
{
    private readonly RedisFixture _redis;

    public RespConnectionTests(RedisFixture redis) => _redis = redis;

    private static string Key(string name) => $"test:{name}:{Guid.NewGuid():N}";

    [Fact]
    public async Task Auth_Succeeds_AndPing()
    {
        await using var c = await _redis.ConnectAsync();
        Assert.True(c.IsConnected);
        Assert.Equal($"127.0.0.1:{_redis.Port}", c.Endpoint);
        Assert.Equal(2, c.Protocol);
        var pong = await c.ExecuteAsync("PING");
        Assert.Equal(RespKind.SimpleString, pong.Kind);
        Assert.Equal("PONG", pong.AsString());
        Assert.Equal("default", (await c.ExecuteAsync("ACL", "WHOAMI")).AsString());
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public async Task WrongPassword_ThrowsWrongPass_WithoutLeakingThePassword(int protocol)
    {
        string wrong = "not-the-password-" + RedisServerProcess.RandomSecret();
        var ex = await Assert.ThrowsAsync<RedisServerException>(() => RespConnection.ConnectAsync(
            "127.0.0.1", _redis.Port, new RespConnectionOptions { Password = wrong, Protocol = protocol }));
        Assert.Equal("WRONGPASS", ex.Prefix);
        Assert.DoesNotContain(wrong, ex.Message);
        Assert.DoesNotContain(wrong, ex.ServerMessage);
        Assert.DoesNotContain(wrong, ex.ToString());
        Assert.DoesNotContain(wrong, new RespConnectionOptions { Password = wrong }.ToString());
    }

    [Fact]
    public async Task NoPassword_CommandGetsNoAuth_AndConnectionSurvives()
    {
        await using var c = await RespConnection.ConnectAsync("127.0.0.1", _redis.Port, new RespConnectionOptions());
        var ex = await Assert.ThrowsAsync<RedisServerException>(() => c.ExecuteAsync("GET", "x"));
        Assert.Equal("NOAUTH", ex.Prefix);
        Assert.True(c.IsConnected);
        // AUTH by hand then works on the same connection.
        Assert.Equal("OK", (await c.ExecuteAsync("AUTH", _redis.Password)).AsString());
        Assert.Equal("PONG", (await c.ExecuteAsync("PING")).AsString());
    }

    [Fact]
    public async Task Protocol3_WithoutPassword_FailsWithNoAuth()
    {
        var ex = await Assert.ThrowsAsync<RedisServerException>(() => RespConnection.ConnectAsync(
            "127.0.0.1", _redis.Port, new RespConnectionOptions { Protocol = 3 }));
        Assert.Equal("NOAUTH", ex.Prefix);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public async Task AclUser_Authenticates(int protocol)
    {
        string user = "user" + Guid.NewGuid().ToString("N")[..8];
        string password = RedisServerProcess.RandomSecret();
        await using (var admin = await _redis.ConnectAsync())
        {
            await admin.ExecuteAsync("ACL", "SETUSER", user, "on", ">" + password, "~*", "+@all");
        }
        await using var c = await RespConnection.ConnectAsync("127.0.0.1", _redis.Port,
            new RespConnectionOptions { User = user, Password = password, Protocol = protocol });
        Assert.Equal(user, (await c.ExecuteAsync("ACL", "WHOAMI")).AsString());

        var ex = await Assert.ThrowsAsync<RedisServerException>(() => RespConnection.ConnectAsync("127.0.0.1", _redis.Port,
            new RespConnectionOptions { User = user, Password = password + "x", Protocol = protocol }));
        Assert.Equal("WRONGPASS", ex.Prefix);
        Assert.DoesNotContain(password, ex.Message);
    }

    [Fact]
    public async Task SetGet_Binary_RoundTrip()
    {
        await using var c = await _redis.ConnectAsync();
        var key = Encoding.UTF8.GetBytes(Key("bin")).Concat(new byte[] { 0, 13, 10, 255 }).ToArray();
        var value = Enumerable.Range(0, 256).Select(i => (byte)i).Concat(Encoding.ASCII.GetBytes("\r\n$-1\r\n")).ToArray();
        Assert.Equal("OK", (await c.ExecuteAsync("SET", key, value)).AsString());
        var got = await c.ExecuteAsync("GET", key);
        Assert.Equal(RespKind.BulkString, got.Kind);
        Assert.Equal(value, got.Bytes);
        Assert.Equal(value.Length, (await c.ExecuteAsync("STRLEN", key)).AsInt64());
    }

    [Fact]
    public async Task SetGet_Utf8_RoundTrip()
    {
        await using var c = await _redis.ConnectAsync();
        string key = Key("clé-\u65e5\u672c");
        const string text = "h\u00e9llo w\u00f6rld \u2713 \u65e5\u672c\u8a9e \U0001F389";
        await c.ExecuteAsync("SET", key, text);
        Assert.Equal(text, (await c.ExecuteAsync("GET", key)).AsString());
        Assert.Equal(Encoding.UTF8.GetByteCount(text), (await c.ExecuteAsync("STRLEN", key)).AsInt64());
        Assert.Equal(text, (await c.ExecuteAsync("GET", key)).ToObject());
    }

    [Fact]
    public async Task LargeValue_FiveMegabytes_RoundTrip()
    {
        await using var c = await _redis.ConnectAsync();
        var value = new byte[5 * 1024 * 1024 + 3];
        new Random(5).NextBytes(value);
        string key = Key("large");
        await c.ExecuteAsync("SET", key, value);
        var got = await c.ExecuteAsync("GET", key);
        Assert.Equal(value, got.Bytes);
        // The connection stays in sync after a large reply.
        Assert.Equal("after", (await c.ExecuteAsync("ECHO", "after")).AsString());
    }

    [Fact]
    public async Task LargeArrayReply_SpansManyReads()
    {
        await using var c = await _redis.ConnectAsync();
        string key = Key("biglist");
        var batch = new List<IReadOnlyList<object>>();
        for (int i = 0; i < 100; i++)
        {
            var command = new List<object> { "RPUSH", key };
            command.AddRange(Enumerable.Range(i * 1000, 1000).Select(n => (object)$"item-{n}"));
            batch.Add(command);
        }
        var pushed = await c.PipelineAsync(batch);
        Assert.Equal(100_000, pushed[^1].Integer);
        var items = (await c.ExecuteAsync("LRANGE", key, 0, -1)).AsArray();
        Assert.Equal(100_000, items.Count);
        Assert.Equal("item-0", items[0].AsString());
        Assert.Equal("item-54321", items[54321].AsString());
        Assert.Equal("item-99999", items[99_999].AsString());
    }

    [Fact]
    public async Task Integers_And_Doubles()
    {
        await using var c = await _redis.ConnectAsync();
        string key = Key("counter");
        var first = await c.ExecuteAsync("INCR", key);
        Assert.Equal(RespKind.Integer, first.Kind);
        Assert.Equal(1, first.Integer);
        Assert.Equal(11, (await c.ExecuteAsync("INCRBY", key, 10L)).Integer);
        Assert.Equal(6, (await c.ExecuteAsync("DECRBY", key, 5)).AsInt64());
        Assert.Equal("7.5", (await c.ExecuteAsync("INCRBYFLOAT", key, 1.5)).AsString());
        Assert.Equal(7.5, (await c.ExecuteAsync("GET", key)).AsDouble());
        Assert.Equal(long.MaxValue.ToString(CultureInfo.InvariantCulture), (await c.ExecuteAsync("ECHO", long.MaxValue)).AsString());
    }

    [Fact]
    public async Task Lists_ReturnArrays()
    {
        await using var c = await _redis.ConnectAsync();
        string key = Key("list");
        Assert.Equal(3, (await c.ExecuteAsync("RPUSH", key, "a", "b", "c")).Integer);
        var range = await c.ExecuteAsync("LRANGE", key, 0, -1);
        Assert.Equal(RespKind.Array, range.Kind);
        Assert.Equal(new[] { "a", "b", "c" }, range.AsArray().Select(v => v.AsString()));
        Assert.Equal(new object?[] { "a", "b", "c" }, range.ToObject());
        var empty = await c.ExecuteAsync("LRANGE", Key("missing"), 0, -1);
        Assert.Equal(RespKind.Array, empty.Kind);
        Assert.Empty(empty.AsArray());
    }

    [Fact]
    public async Task Nil_Replies()
    {
        await using var c = await _redis.ConnectAsync();
        var bulk = await c.ExecuteAsync("GET", Key("missing"));
        Assert.True(bulk.IsNull);
        Assert.Equal(RespKind.Null, bulk.Kind);
        Assert.Null(bulk.ToObject());
        // BLPOP that times out server-side answers a RESP2 nil array (*-1).
        var array = await c.ExecuteAsync("BLPOP", Key("missing"), 0.05);
        Assert.True(array.IsNull);
        var mget = await c.ExecuteAsync("MGET", Key("a"), Key("b"));
        Assert.Equal(new object?[] { null, null }, mget.ToObject());
    }

    [Fact]
    public async Task ServerError_Throws_AndConnectionStaysUsable()
    {
        await using var c = await _redis.ConnectAsync();
        var ex = await Assert.ThrowsAsync<RedisServerException>(() => c.ExecuteAsync("NOSUCHCOMMAND", "x"));
        Assert.Equal("ERR", ex.Prefix);
        Assert.Contains("unknown command", ex.Message);
        string key = Key("wrongtype");
        await c.ExecuteAsync("RPUSH", key, "x");
        var wrongType = await Assert.ThrowsAsync<RedisServerException>(() => c.ExecuteAsync("GET", key));
        Assert.Equal("WRONGTYPE", wrongType.Prefix);
        Assert.True(c.IsConnected);
        Assert.Equal("PONG", (await c.ExecuteAsync("PING")).AsString());
    }

    [Fact]
    public async Task Pipeline_ThousandCommands_InOrder()
    {
        await using var c = await _redis.ConnectAsync();
        string key = Key("pipe");
        var commands = Enumerable.Range(0, 1000).Select(_ => (IReadOnlyList<object>)new object[] { "INCR", key }).ToList();
        var replies = await c.PipelineAsync(commands);
        Assert.Equal(1000, replies.Count);
        for (int i = 0; i < 1000; i++)
        {
            Assert.Equal(i + 1, replies[i].Integer);
        }

        // Mixed commands, each reply lands with its command.
        var mixed = new List<IReadOnlyList<object>>();
        for (int i = 0; i < 300; i++)
        {
            mixed.Add(new object[] { "SET", $"{key}:{i}", $"value-{i}" });
            mixed.Add(new object[] { "GET", $"{key}:{i}" });
            mixed.Add(new object[] { "ECHO", i });
        }
        var mixedReplies = await c.PipelineAsync(mixed);
        for (int i = 0; i < 300; i++)
        {
            Assert.Equal("OK", mixedReplies[3 * i].AsString());
            Assert.Equal($"value-{i}", mixedReplies[3 * i + 1].AsString());
            Assert.Equal(i, mixedReplies[3 * i + 2].AsInt64());
        }
    }

    [Fact]
    public async Task Pipeline_ErrorReplies_AreValues()
    {
        await using var c = await _redis.ConnectAsync();
        var replies = await c.PipelineAsync(new IReadOnlyList<object>[]
        {
            new object[] { "PING" },
            new object[] { "NOSUCHCOMMAND" },
            new object[] { "ECHO", "still here" },
        });
        Assert.Equal("PONG", replies[0].AsString());
        Assert.True(replies[1].IsError);
        Assert.StartsWith("ERR unknown command", replies[1].Text);
        Assert.Equal("still here", replies[2].AsString());
        Assert.Empty(await c.PipelineAsync(Array.Empty<IReadOnlyList<object>>()));
    }

    [Fact]
    public async Task BadArgument_DoesNotBreakTheConnection()
    {
        await using var c = await _redis.ConnectAsync();
        await Assert.ThrowsAsync<ArgumentException>(() => c.ExecuteAsync("SET", "k", null!));
        await Assert.ThrowsAsync<ArgumentException>(() => c.PipelineAsync(new IReadOnlyList<object>[] { new object[] { "PING" }, Array.Empty<object>() }));
        Assert.True(c.IsConnected);
        Assert.Equal("PONG", (await c.ExecuteAsync("PING")).AsString());
    }

    [Fact]
    public async Task ConcurrentCallers_AreSerialized()
    {
        await using var c = await _redis.ConnectAsync();
        string key = Key("concurrent");
        var tasks = Enumerable.Range(0, 200).Select(i => i % 2 == 0
            ? c.ExecuteAsync("INCR", key)
            : c.ExecuteAsync(new object[] { "INCR", key })).ToArray();
        var results = await Task.WhenAll(tasks);
        Assert.Equal(Enumerable.Range(1, 200).Select(i => (long)i), results.Select(r => r.Integer).OrderBy(x => x));
        Assert.Equal(200, (await c.ExecuteAsync("GET", key)).AsInt64());
    }

    [Fact]
    public async Task Resp3_Map_Set_Double_Null_Verbatim()
    {
        await using var c = await _redis.ConnectAsync(protocol: 3);
        Assert.Equal(3, c.Protocol);
        string hash = Key("hash");
        await c.ExecuteAsync("HSET", hash, "f1", "v1", "f2", "v2");
        var all = await c.ExecuteAsync("HGETALL", hash);
        Assert.Equal(RespKind.Map, all.Kind);
        Assert.Equal(4, all.Items!.Count);
        var dict = all.AsDictionary();
        Assert.Equal("v1", dict["f1"].AsString());
        Assert.Equal("v2", dict["f2"].AsString());

        var config = await c.ExecuteAsync("CONFIG", "GET", "maxmemory-policy");
        Assert.Equal(RespKind.Map, config.Kind);
        Assert.Equal("noeviction", config.AsDictionary()["maxmemory-policy"].AsString());

        string zset = Key("zset");
        await c.ExecuteAsync("ZADD", zset, 1.25, "m");
        var score = await c.ExecuteAsync("ZSCORE", zset, "m");
        Assert.Equal(RespKind.Double, score.Kind);
        Assert.Equal(1.25, score.ToObject());

        string set = Key("set");
        await c.ExecuteAsync("SADD", set, "x", "y");
        var members = await c.ExecuteAsync("SMEMBERS", set);
        Assert.Equal(RespKind.Set, members.Kind);
        Assert.Equal(new[] { "x", "y" }, members.AsArray().Select(m => m.AsString()).OrderBy(s => s));

        var missing = await c.ExecuteAsync("GET", Key("missing"));
        Assert.Equal(RespKind.Null, missing.Kind);

        var info = await c.ExecuteAsync("INFO", "server");
        Assert.Equal(RespKind.VerbatimString, info.Kind);
        Assert.Equal(_redis.Port.ToString(CultureInfo.InvariantCulture), RedisInfo.Parse(info.AsString())["tcp_port"]);
    }

    [Fact]
    public async Task Resp3_EveryTypeFromTheServer_ViaDebugProtocol()
    {
        await using var c = await _redis.ConnectAsync(protocol: 3);
        Assert.Equal(RespKind.BigNumber, (await c.ExecuteAsync("DEBUG", "PROTOCOL", "bignum")).Kind);
        Assert.Equal("1234567999999999999999999999999999999", (await c.ExecuteAsync("DEBUG", "PROTOCOL", "bignum")).Text);
        Assert.Equal(true, (await c.ExecuteAsync("DEBUG", "PROTOCOL", "true")).ToObject());
        Assert.Equal(false, (await c.ExecuteAsync("DEBUG", "PROTOCOL", "false")).ToObject());
        Assert.Equal(RespKind.Double, (await c.ExecuteAsync("DEBUG", "PROTOCOL", "double")).Kind);
        Assert.Equal(RespKind.Null, (await c.ExecuteAsync("DEBUG", "PROTOCOL", "null")).Kind);
        Assert.Equal(RespKind.Set, (await c.ExecuteAsync("DEBUG", "PROTOCOL", "set")).Kind);
        Assert.Equal(RespKind.Map, (await c.ExecuteAsync("DEBUG", "PROTOCOL", "map")).Kind);
        var verbatim = await c.ExecuteAsync("DEBUG", "PROTOCOL", "verbatim");
        Assert.Equal(RespKind.VerbatimString, verbatim.Kind);
        Assert.Equal("This is a verbatim\nstring", verbatim.Text);
        // The attribute is skipped; the reply it annotates is returned.
        var attributed = await c.ExecuteAsync("DEBUG", "PROTOCOL", "attrib");
        Assert.Equal(RespKind.BulkString, attributed.Kind);
        Assert.Equal("Some real reply following the attribute", attributed.Text);
        // The push message is skipped; the real reply follows it.
        var afterPush = await c.ExecuteAsync("DEBUG", "PROTOCOL", "push");
        Assert.Equal("Some real reply following the push reply", afterPush.Text);
        Assert.Equal("PONG", (await c.ExecuteAsync("PING")).AsString());
    }

    [Fact]
    public async Task Resp2_DebugProtocol_DowngradesTypes()
    {
        await using var c = await _redis.ConnectAsync();
        Assert.Equal(RespKind.BulkString, (await c.ExecuteAsync("DEBUG", "PROTOCOL", "double")).Kind);
        Assert.Equal(1, (await c.ExecuteAsync("DEBUG", "PROTOCOL", "true")).Integer);
        Assert.True((await c.ExecuteAsync("DEBUG", "PROTOCOL", "null")).IsNull);
        var map = await c.ExecuteAsync("DEBUG", "PROTOCOL", "map");
        Assert.Equal(RespKind.Array, map.Kind);
    }

    [Fact]
    public async Task Resp3_TrackingInvalidationPush_IsSkipped()
    {
        await using var tracked = await _redis.ConnectAsync(protocol: 3);
        await using var writer = await _redis.ConnectAsync();
        string key = Key("tracked");
        await writer.ExecuteAsync("SET", key, "1");
        await tracked.ExecuteAsync("CLIENT", "TRACKING", "ON");
        Assert.Equal("1", (await tracked.ExecuteAsync("GET", key)).AsString());
        await writer.ExecuteAsync("SET", key, "2"); // the server now sends an invalidation push to `tracked`
        Assert.Equal("PONG", (await tracked.ExecuteAsync("PING")).AsString());
        Assert.Equal("2", (await tracked.ExecuteAsync("GET", key)).AsString());
    }

    [Fact]
    public async Task CommandTimeout_ThrowsAndBreaksConnection()
    {
        await using var c = await _redis.ConnectAsync(commandTimeout: TimeSpan.FromMilliseconds(300));
        var sw = Stopwatch.StartNew();
        var ex = await Assert.ThrowsAsync<RedisTimeoutException>(() => c.ExecuteAsync("BLPOP", Key("nokey"), 5));
        sw.Stop();
        Assert.InRange(sw.ElapsedMilliseconds, 250, 6000);
        Assert.Contains("BLPOP", ex.Message);
        Assert.Contains(c.Endpoint, ex.Message);
        Assert.False(c.IsConnected);
        var broken = await Assert.ThrowsAsync<RedisConnectionException>(() => c.ExecuteAsync("PING"));
        Assert.Equal(c.Endpoint, broken.Endpoint);
    }

    [Fact]
    public async Task Cancellation_ThrowsAndBreaksConnection()
    {
        await using var c = await _redis.ConnectAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var sw = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => c.ExecuteAsync(new object[] { "BLPOP", Key("nokey"), 5 }, cts.Token));
        Assert.True(sw.ElapsedMilliseconds < 6000);
        Assert.False(c.IsConnected);
    }

    [Fact]
    public async Task AlreadyCancelledToken_DoesNotTouchTheConnection()
    {
        await using var c = await _redis.ConnectAsync();
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => c.ExecuteAsync(new object[] { "PING" }, cts.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => c.PipelineAsync(new IReadOnlyList<object>[] { new object[] { "PING" } }, cts.Token));
        Assert.True(c.IsConnected);
        Assert.Equal("PONG", (await c.ExecuteAsync("PING")).AsString());
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            RespConnection.ConnectAsync("127.0.0.1", _redis.Port, _redis.Options(), cts.Token));
    }

    [Fact]
    public async Task ConnectRefused_NamesEndpoint()
    {
        int port = RedisServerProcess.GetFreePort();
        var ex = await Assert.ThrowsAsync<RedisConnectionException>(() =>
            RespConnection.ConnectAsync("127.0.0.1", port, new RespConnectionOptions { Password = "secret-pw" }));
        Assert.Equal($"127.0.0.1:{port}", ex.Endpoint);
        Assert.Contains($"127.0.0.1:{port}", ex.Message);
        Assert.Contains("refused", ex.Message);
        Assert.DoesNotContain("secret-pw", ex.ToString());
    }

    [Fact]
    public async Task ServerKillsConnection_NextCommandThrowsConnectionException()
    {
        await using var victim = await _redis.ConnectAsync();
        await using var admin = await _redis.ConnectAsync();
        long id = (await victim.ExecuteAsync("CLIENT", "ID")).Integer;
        Assert.Equal(1, (await admin.ExecuteAsync("CLIENT", "KILL", "ID", id)).Integer);
        var ex = await Assert.ThrowsAsync<RedisConnectionException>(() => victim.ExecuteAsync("PING"));
        Assert.Equal(victim.Endpoint, ex.Endpoint);
        Assert.False(victim.IsConnected);
    }

    [Fact]
    public async Task ClientName_IsSet_AndInvalidNameIsIgnored()
    {
        await using (var named = await RespConnection.ConnectAsync("127.0.0.1", _redis.Port,
            new RespConnectionOptions { Password = _redis.Password, ClientName = "redisdocker-test" }))
        {
            Assert.Equal("redisdocker-test", (await named.ExecuteAsync("CLIENT", "GETNAME")).AsString());
        }
        await using var invalid = await RespConnection.ConnectAsync("127.0.0.1", _redis.Port,
            new RespConnectionOptions { Password = _redis.Password, ClientName = "has spaces", Protocol = 3 });
        Assert.True(invalid.IsConnected);
        Assert.True((await invalid.ExecuteAsync("CLIENT", "GETNAME")).IsNull);
    }

    [Fact]
    public async Task Info_ParsesRealServerOutput()
    {
        await using var c = await _redis.ConnectAsync();
        var info = RedisInfo.Parse((await c.ExecuteAsync("INFO")).AsString());
        Assert.StartsWith("7.", info["redis_version"]);
        Assert.Equal(_redis.Port.ToString(CultureInfo.InvariantCulture), info["tcp_port"]);
        Assert.True(long.Parse(info["connected_clients"], CultureInfo.InvariantCulture) >= 1);
        var sections = RedisInfo.ParseSections((await c.ExecuteAsync("INFO", "everything")).AsString());
        Assert.Contains("Server", sections.Keys);
        Assert.Contains("Memory", sections.Keys);
    }

    [Fact]
    public async Task Dispose_ClosesConnection()
    {
        var c = await _redis.ConnectAsync();
        await c.DisposeAsync();
        Assert.False(c.IsConnected);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => c.ExecuteAsync("PING"));
        c.Dispose(); // idempotent
    }

    [Fact]
    public async Task InvalidOptions_AreRejected()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() =>
            RespConnection.ConnectAsync("127.0.0.1", _redis.Port, new RespConnectionOptions { Protocol = 4 }));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() =>
            RespConnection.ConnectAsync("127.0.0.1", 0, new RespConnectionOptions()));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() =>
            RespConnection.ConnectAsync("127.0.0.1", _redis.Port, new RespConnectionOptions { CommandTimeout = TimeSpan.Zero }));
    }
}
