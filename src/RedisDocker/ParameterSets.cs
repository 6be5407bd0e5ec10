namespace RedisDocker;

/// <summary>
/// The names of the cmdlets' parameter sets, shared so that a set is spelt one way in its attributes and in the
/// checks of <c>ParameterSetName</c> (Get-Command X -Syntax shows them, and scripts may use them with
/// $PSCmdlet.ParameterSetName in proxies).
/// </summary>
internal static class ParameterSets
{
    public const string All = "All";
    public const string Cluster = "Cluster";
    public const string ClusterNode = "ClusterNode";
    public const string Count = "Count";
    public const string DockerHost = "DockerHost";
    public const string InputObject = "InputObject";
    public const string Json = "Json";
    public const string Name = "Name";
    public const string Node = "Node";
    public const string None = "None";
    public const string Path = "Path";
    public const string Primary = "Primary";
    public const string Sentinel = "Sentinel";
    public const string SentinelGroup = "SentinelGroup";
    public const string SwarmNode = "SwarmNode";
    public const string Slot = "Slot";
    public const string Topology = "Topology";
}
