using System.Text;
using RedisDocker.Core.Resp;
using Xunit;

namespace RedisDocker.Core.Tests.Resp;

/// <summary>A real redis-server in cluster mode (no slots assigned: CLUSTER KEYSLOT only computes).</summary>
public sealed class RedisClusterFixture : IDisposable
{
    public RedisClusterFixture()
    {
        Server = RedisServerProcess.Start(new[] { "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf" });
    }

    public RedisServerProcess Server { get; }

    public void Dispose() => Server.Dispose();
}

public class ClusterKeySlotIntegrationTests : IClassFixture<RedisClusterFixture>
{
    private readonly RedisClusterFixture _cluster;

    public ClusterKeySlotIntegrationTests(RedisClusterFixture cluster) => _cluster = cluster;

    private static IEnumerable<byte[]> Keys()
    {
        var random = new Random(20240601);
        string[] fixedKeys =
        {
            "a", "foo", "123456789", "", "{user1000}.following", "{user1000}.followers", "foo{}{bar}", "foo{{bar}}zap",
            "foo{bar}{zap}", "{}", "{", "}", "{{}}", "}{", "foo{bar", "x{y}z{w}", "cl\u00e9-\u65e5\u672c-\U0001F389",
        };
        foreach (var key in fixedKeys)
        {
            yield return Encoding.UTF8.GetBytes(key);
        }
        const string alphabet = "abcXYZ019{}{}:._-";
        for (int i = 0; i < 150; i++)
        {
            var chars = new char[random.Next(0, 24)];
            for (int j = 0; j < chars.Length; j++)
            {
                chars[j] = alphabet[random.Next(alphabet.Length)];
            }
            yield return Encoding.UTF8.GetBytes(new string(chars));
        }
        for (int i = 0; i < 50; i++)
        {
            var bytes = new byte[random.Next(1, 20)];
            random.NextBytes(bytes);
            yield return bytes;
        }
    }

    [Fact]
    public async Task GetSlot_AgreesWithClusterKeySlot()
    {
        await using var c = await RespConnection.ConnectAsync("127.0.0.1", _cluster.Server.Port, new RespConnectionOptions());
        Assert.Contains("cluster_enabled:1", (await c.ExecuteAsync("INFO", "cluster")).AsString());
        var keys = Keys().ToList();
        var replies = await c.PipelineAsync(keys.Select(k => (IReadOnlyList<object>)new object[] { "CLUSTER", "KEYSLOT", k }).ToList());
        Assert.Equal(keys.Count, replies.Count);
        Assert.True(keys.Count >= 200);
        for (int i = 0; i < keys.Count; i++)
        {
            long expected = replies[i].AsInt64();
            Assert.True(expected == ClusterSlot.GetSlot(keys[i]), $"key {Convert.ToHexString(keys[i])}: server {expected}, ours {ClusterSlot.GetSlot(keys[i])}");
        }
        // The string overload hashes the UTF-8 bytes, exactly like the server sees them.
        Assert.Equal((await c.ExecuteAsync("CLUSTER", "KEYSLOT", "cl\u00e9{\u65e5}")).AsInt64(), ClusterSlot.GetSlot("cl\u00e9{\u65e5}"));
    }
}
