using System.Net;
using System.Net.Sockets;
using RedisDocker.Core.Topology;
using Xunit;

namespace RedisDocker.Core.Tests.Integration;

/// <summary>Issue 9 item 13: a node keeps its published host port for life.</summary>
public class HostPortIntegrationTests : DockerTestBase
{
    public HostPortIntegrationTests() : base("hport") { }

    [Fact]
    public async Task ANodeKeepsItsHostPortAcrossRestartStopStartAndNetworkConnectDisconnect()
    {
        var net = await NewNetworkAsync();
        var other = await NewNetworkAsync(Topology + "-b");
        var node = (await NewNodesAsync(net.Name, 1))[0];
        var port = node.HostPort!.Value;
        Assert.Equal(port.ToString(System.Globalization.CultureInfo.InvariantCulture), node.Labels[Labels.HostPort]);

        var restarted = await Nodes.RestartAsync(node.Name, 10, Ct);
        Assert.Equal(port, restarted.HostPort);
        await Nodes.StopAsync(node.Name, 10, Ct);
        var started = await Nodes.StartAsync(node.Name, Ct);
        Assert.Equal(port, started.HostPort);

        await Networks.ConnectAsync(node.Name, other.Name, null, Ct);
        Assert.Equal(port, (await Nodes.GetOneAsync(node.Name, Ct)).HostPort);
        await Networks.DisconnectAsync(node.Name, other.Name, force: false, Ct);
        var after = await Nodes.GetOneAsync(node.Name, Ct);
        Assert.Equal(port, after.HostPort);
        await using var conn = await ConnectAsync(after);
        Assert.Equal("PONG", (await conn.ExecuteAsync("PING")).AsString());
    }

    [Fact]
    public async Task StartingANodeWhoseHostPortAnotherProcessTookSaysSo()
    {
        var net = await NewNetworkAsync();
        var node = (await NewNodesAsync(net.Name, 1))[0];
        var port = node.HostPort!.Value;
        await Nodes.StopAsync(node.Name, 10, Ct);

        using var squatter = new TcpListener(IPAddress.Loopback, port);
        squatter.Start();
        var e = await Assert.ThrowsAsync<RedisDockerException>(() => Nodes.StartAsync(node.Name, Ct));
        Assert.Equal(ErrorIds.HostPortTaken, e.ErrorId);
        Assert.Contains(node.Name, e.Message);
        Assert.Contains(port.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Message);
        squatter.Stop();

        var started = await Nodes.StartAsync(node.Name, Ct);
        Assert.Equal(port, started.HostPort);
    }
}
