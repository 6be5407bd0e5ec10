using RedisDocker.Core.Topology;
using Xunit;

namespace RedisDocker.Core.Tests.Unit;

public class ClusterNodesParserTests
{
    private const string IdA = "e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca";
    private const string IdB = "67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1";
    private const string IdC = "292f8b365bb7edb5e285caf0b7e6ddc7265d2f4f";
    private const string IdD = "07c37dfeb235213a872192d90877d0cd55635b91";
    private const string IdE = "6ec23923021cf3ffec47632106199cb7f496ce01";
    private const string IdF = "824fe116063bc5fcf9f4ffd895bc17aee7731ac3";

    // CLUSTER NODES of a freshly created 3+3 cluster, as redis 7 prints it (one trailing newline).
    private static readonly string SixNodes =
        $"{IdD} 172.28.0.14:6379@16379 slave {IdA} 0 1426238317239 1 connected\n" +
        $"{IdB} 172.28.0.12:6379@16379 master - 0 1426238316232 2 connected 5461-10922\n" +
        $"{IdC} 172.28.0.13:6379@16379 master - 0 1426238318243 3 connected 10923-16383\n" +
        $"{IdE} 172.28.0.15:6379@16379 slave {IdB} 0 1426238316232 2 connected\n" +
        $"{IdF} 172.28.0.16:6379@16379 slave {IdC} 0 1426238317741 3 connected\n" +
        $"{IdA} 172.28.0.11:6379@16379 myself,master - 0 0 1 connected 0-5460\n";

    [Fact]
    public void Parse_FreshCluster()
    {
        var nodes = ClusterNodesParser.Parse(SixNodes);
        Assert.Equal(6, nodes.Count);

        var me = Assert.Single(nodes, n => n.Myself);
        Assert.Equal(IdA, me.Id);
        Assert.Equal("172.28.0.11:6379", me.Endpoint);
        Assert.Equal(16379, me.BusPort);
        Assert.Null(me.Hostname);
        Assert.Equal(new[] { "myself", "master" }, me.Flags);
        Assert.True(me.IsPrimary);
        Assert.False(me.IsReplica);
        Assert.Null(me.PrimaryId);
        Assert.Equal(0, me.PingSent);
        Assert.Equal(0, me.PongReceived);
        Assert.Equal(1, me.ConfigEpoch);
        Assert.Equal("connected", me.LinkState);
        Assert.Equal(5461, me.Slots.Count);
        Assert.Equal(0, me.Slots[0]);
        Assert.Equal(5460, me.Slots[^1]);
        Assert.Empty(me.Migrating);
        Assert.Empty(me.Importing);

        var replica = nodes.Single(n => n.Id == IdD);
        Assert.True(replica.IsReplica);
        Assert.False(replica.IsPrimary);
        Assert.False(replica.Myself);
        Assert.Equal(IdA, replica.PrimaryId);
        Assert.Equal("172.28.0.14:6379", replica.Endpoint);
        Assert.Equal(1426238317239, replica.PongReceived);
        Assert.Empty(replica.Slots);

        Assert.Equal(3, nodes.Count(n => n.IsPrimary));
        Assert.Equal(3, nodes.Count(n => n.IsReplica));
        Assert.Equal(16384, nodes.Sum(n => n.Slots.Count));
        Assert.Equal(Enumerable.Range(0, 16384), nodes.SelectMany(n => n.Slots).OrderBy(s => s));
        Assert.Equal(IdB, nodes.Single(n => n.Id == IdE).PrimaryId);
        Assert.Equal(IdC, nodes.Single(n => n.Id == IdF).PrimaryId);
    }

    [Fact]
    public void Parse_HostnameForm()
    {
        var line = $"{IdB} 172.28.0.12:6379@16379,redis-2 master - 0 1700000000000 2 connected 5461-10922";
        var e = Assert.Single(ClusterNodesParser.Parse(line));
        Assert.Equal("172.28.0.12:6379", e.Endpoint);
        Assert.Equal(16379, e.BusPort);
        Assert.Equal("redis-2", e.Hostname);
    }

    [Fact]
    public void Parse_OldFormatWithoutBusPort()
    {
        var e = Assert.Single(ClusterNodesParser.Parse($"{IdA} 127.0.0.1:30001 myself,master - 0 0 1 connected 0-5460"));
        Assert.Equal("127.0.0.1:30001", e.Endpoint);
        Assert.Equal(0, e.BusPort);
        Assert.Null(e.Hostname);
    }

    [Fact]
    public void Parse_SingleSlotsAndRangesMixed()
    {
        var e = Assert.Single(ClusterNodesParser.Parse($"{IdA} 172.28.0.11:6379@16379 myself,master - 0 0 1 connected 0-2 7 100-101 16383"));
        Assert.Equal(new[] { 0, 1, 2, 7, 100, 101, 16383 }, e.Slots);
    }

    [Fact]
    public void Parse_MigratingAndImporting()
    {
        var text =
            $"{IdA} 172.28.0.11:6379@16379 myself,master - 0 0 1 connected 0-5460 [93->-{IdB}] [94->-{IdC}]\n" +
            $"{IdB} 172.28.0.12:6379@16379 master - 0 1700000000000 2 connected 5461-10922 [93-<-{IdA}]\n";
        var nodes = ClusterNodesParser.Parse(text);
        var a = nodes[0];
        var b = nodes[1];

        Assert.Equal(5461, a.Slots.Count); // the open-slot markers are not owned slots
        Assert.Equal(new[] { (93, IdB), (94, IdC) }, a.Migrating);
        Assert.Empty(a.Importing);

        Assert.Equal(5462, b.Slots.Count);
        Assert.Equal(new[] { (93, IdA) }, b.Importing);
        Assert.Empty(b.Migrating);
        Assert.DoesNotContain(93, b.Slots);
    }

    [Fact]
    public void Parse_FailureAndTransitionalFlags()
    {
        var text =
            $"{IdA} 172.28.0.11:6379@16379 myself,master - 0 0 1 connected 0-5460\n" +
            $"{IdB} 172.28.0.12:6379@16379 master,fail? - 1700000000000 1699999990000 2 connected 5461-10922\n" +
            $"{IdC} 172.28.0.13:6379@16379 master,fail - 1700000000000 1699999990000 3 disconnected 10923-16383\n" +
            $"{IdD} 172.28.0.14:6379@16379 handshake - 1700000000123 0 0 disconnected\n" +
            $"{IdE} :0@0 slave,fail,noaddr {IdB} 1700000000000 1699999990000 2 disconnected\n";
        var nodes = ClusterNodesParser.Parse(text);
        Assert.Equal(5, nodes.Count);

        Assert.Equal(new[] { "master", "fail?" }, nodes[1].Flags);
        Assert.True(nodes[1].IsPrimary);
        Assert.Equal(1700000000000, nodes[1].PingSent);
        Assert.Equal(1699999990000, nodes[1].PongReceived);

        Assert.Equal(new[] { "master", "fail" }, nodes[2].Flags);
        Assert.Equal("disconnected", nodes[2].LinkState);
        Assert.Equal(5461, nodes[2].Slots.Count);

        Assert.True(nodes[3].InHandshake);
        Assert.False(nodes[3].IsPrimary);
        Assert.False(nodes[3].IsReplica);
        Assert.Null(nodes[3].PrimaryId);
        Assert.Empty(nodes[3].Slots);

        Assert.True(nodes[4].NoAddress);
        Assert.True(nodes[4].IsReplica);
        Assert.Equal(IdB, nodes[4].PrimaryId);
        Assert.Equal(":0", nodes[4].Endpoint);
        Assert.Equal(0, nodes[4].BusPort);

        Assert.False(nodes[0].InHandshake);
        Assert.False(nodes[0].NoAddress);
    }

    [Fact]
    public void Parse_IgnoresBlankLinesAndCarriageReturns()
    {
        var text = "\r\n" + $"{IdA} 172.28.0.11:6379@16379 myself,master - 0 0 1 connected 0-5460\r\n" + "\n   \n";
        var e = Assert.Single(ClusterNodesParser.Parse(text));
        Assert.Equal("connected", e.LinkState);
        Assert.Equal(5460, e.Slots[^1]);
        Assert.Empty(ClusterNodesParser.Parse(""));
    }

    [Fact]
    public void Parse_ShortLine_Throws()
    {
        var ex = Assert.Throws<FormatException>(() => ClusterNodesParser.Parse($"{IdA} 172.28.0.11:6379@16379 master - 0 0"));
        Assert.Contains("Unexpected CLUSTER NODES line", ex.Message);
    }
}
