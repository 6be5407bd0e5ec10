using System.Net;
using System.Net.Sockets;
using RedisDocker.Core.Docker;
using RedisDocker.Core.Resp;

namespace RedisDocker.Core.Topology;

/// <summary>Node workflow: the host ports nodes are published on (picked, held, checked).</summary>
public sealed partial class NodeOperations
{
    /// <summary>
    /// Host ports for the nodes that publish one and were given none: free ports of this machine (held open
    /// together, so the batch gets distinct ones) for a local engine, random ephemeral ones for a remote engine
    /// (a port taken there is picked again at start). Null where the user chose the port or none is published.
    /// </summary>
    private static int?[] PickHostPorts(IReadOnlyList<NodeSpec> specs, DockerClient[] engines)
    {
        var picked = new int?[specs.Count];
        var held = new List<TcpListener>();
        try
        {
            for (var i = 0; i < specs.Count; i++)
            {
                if (specs[i].HostNetwork || specs[i].HostPort is not null) continue;
                picked[i] = engines[i].Endpoint.IsLocal() ? HoldFreePort(specs[i].HostIp, held) : null;
                picked[i] ??= RandomEphemeralPort(picked);
            }
        }
        finally
        {
            foreach (var l in held) l.Stop();
        }
        return picked;
    }

    private static int? HoldFreePort(string hostIp, List<TcpListener> held)
    {
        try
        {
            var l = new TcpListener(hostIp is "0.0.0.0" or "" ? IPAddress.Any : IPAddress.Parse(hostIp), 0);
            l.Start();
            held.Add(l);
            return ((IPEndPoint)l.LocalEndpoint).Port;
        }
        catch (Exception e) when (e is SocketException or FormatException) { return null; }
    }

    private static int RandomEphemeralPort(IReadOnlyCollection<int?> avoid)
    {
        while (true)
        {
            var p = Random.Shared.Next(32768, 61000);
            if (!avoid.Contains(p)) return p;
        }
    }

    internal static bool IsPortInUse(DockerApiException e) =>
        e.EngineMessage.Contains("port is already allocated", StringComparison.OrdinalIgnoreCase)
        || e.EngineMessage.Contains("address already in use", StringComparison.OrdinalIgnoreCase);

    private static RedisDockerException HostPortTaken(string hostIp, int port, Exception? inner) =>
        Errors.HostPortTaken(
            $"Host port {hostIp}:{port} is already in use. Choose another -HostPort, or leave it out to let Docker "
            + "pick a free one.",
            port, inner);

    /// <summary>A node's pinned host port (or, on the host's network, its port) is used by another process
    /// now.</summary>
    private static RedisDockerException KeptHostPortTaken(ContainerInfo info, DockerApiException e)
    {
        var port = info.Labels.Get(Labels.HostPort) ?? info.Labels.Get(Labels.Port) ?? "?";
        return Errors.HostPortTaken(
            $"Node '{info.Name}' keeps host port {port} for life, but another process uses it now "
            + $"({e.EngineMessage.Trim()}). Stop that process and start the node again, or recreate the node on "
            + $"another port (Remove-RedisNode {info.Name} -KeepVolume, then New-RedisNode with the same name and "
            + "-HostPort).",
            info.Name, e);
    }

    private static bool IsAddressOfThisMachine(string address)
    {
        try
        {
            using var l = new TcpListener(IPAddress.Parse(address), 0);
            l.Start();
            l.Stop();
            return true;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressNotAvailable) { return false; }
        catch (Exception) { return true; }
    }

    private static bool IsHostPortFree(string hostIp, int port)
    {
        try
        {
            var addr = hostIp is "0.0.0.0" or "" ? IPAddress.Any : IPAddress.Parse(hostIp);
            using var l = new TcpListener(addr, port);
            l.Server.ExclusiveAddressUse = true;
            l.Start();
            l.Stop();
            return true;
        }
        catch (SocketException) { return false; }
        catch (FormatException) { return true; }
    }
}
