using RedisDocker.Core.Docker;

namespace RedisDocker.Core.Swarm;

/// <summary>How the engine says that a swarm operation needs a manager.</summary>
internal static class SwarmErrors
{
    /// <summary>
    /// "This node is not a swarm manager..." (an engine outside any swarm) or "Cannot create a multi-host network
    /// from a worker node..." (a worker).
    /// </summary>
    public static bool IsNotManager(DockerApiException e) =>
        e.EngineMessage.Contains("not a swarm manager", StringComparison.OrdinalIgnoreCase)
        || e.EngineMessage.Contains("from a worker node", StringComparison.OrdinalIgnoreCase);
}
