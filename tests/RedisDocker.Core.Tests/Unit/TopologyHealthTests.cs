using RedisDocker.Core.Docker;
using RedisDocker.Core.Topology;
using Xunit;

namespace RedisDocker.Core.Tests.Unit;

public class TopologyHealthTests
{
    private static readonly string A = new('a', 40), B = new('b', 40), C = new('c', 40), X = new('f', 40);

    [Fact]
    public void AMemberKnownByNeitherIdNorAddressIsUnknown()
    {
        var view = ClusterNodesParser.Parse(
            $"{A} 172.24.0.10:6379@16379 myself,master - 0 0 1 connected 0-8000\n" +
            $"{B} 172.24.0.11:6379@16379 master - 0 0 2 connected 8001-16383\n" +
            $"{C} 172.24.0.12:6379@16379 master,fail - 0 0 3 connected\n" +       // a stopped node, known by its address
            $"{X} 172.24.0.99:6379@16379 slave {A} 0 0 1 connected\n");          // an intruder
        var unknown = TopologyHealth.UnknownMembers(new[] { view }, new HashSet<string> { A, B },
            new HashSet<string> { "172.24.0.10", "172.24.0.11", "172.24.0.12" });
        var e = Assert.Single(unknown);
        Assert.Equal(X, e.Id);
        var text = TopologyHealth.DescribeUnknown("shop", e);
        Assert.Contains("172.24.0.99:6379", text);
        Assert.Contains("no authentication", text);
        Assert.Contains($"CLUSTER FORGET {X}", text);
    }

    [Fact]
    public void ANodeWhoseIdIsKnownIsNotUnknownEvenAtAnotherAddress()
    {
        var view = ClusterNodesParser.Parse($"{A} 172.24.0.50:6379@16379 myself,master - 0 0 1 connected 0-16383\n");
        Assert.Empty(TopologyHealth.UnknownMembers(new[] { view }, new HashSet<string> { A }, new HashSet<string>()));
    }

    [Theory]
    [InlineData("172.24.0.10", "172.24.0.10", null)]
    [InlineData("172.24.0.10", "172.24.0.13", "172.24.0.13")]
    [InlineData("172.24.0.10", "", "(dynamic)")]
    public void AddressDriftComparesTheRecordedAddress(string recorded, string now, string? drift)
    {
        var info = new ContainerInfo
        {
            Id = "x", Name = "n1", State = new ContainerState(now.Length > 0 ? "running" : "exited", now.Length > 0, false, false, false, false, 0, 0, "", null, null),
            Labels = new Dictionary<string, string> { [Labels.Network] = "net", [Labels.Address] = recorded },
            Networks = new Dictionary<string, ContainerNetworkInfo> { ["net"] = new("id", now, Array.Empty<string>(), "", "", null) },
        };
        Assert.Equal(drift, NodeOperations.AddressDrift(info));
    }
}
