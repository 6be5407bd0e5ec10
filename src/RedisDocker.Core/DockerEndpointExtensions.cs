using RedisDocker.Core.Docker;

namespace RedisDocker.Core;

public static class DockerEndpointExtensions
{
    /// <summary>True when the engine runs on this machine (unix socket or named pipe, or tcp to loopback).</summary>
    public static bool IsLocal(this DockerEndpoint endpoint) =>
        endpoint.Uri.Scheme is "unix" or "npipe" || endpoint.HostAddress is "localhost" or "127.0.0.1" or "::1";

    /// <summary>The address the host uses for ports published on all interfaces of the engine's machine.</summary>
    public static string HostAddressForPorts(this DockerEndpoint endpoint) =>
        endpoint.IsLocal() ? "127.0.0.1" : endpoint.HostAddress;
}
