namespace RedisDocker.Core;

/// <summary>The kinds of failure, mapped one to one onto PowerShell's ErrorCategory by the cmdlet layer.</summary>
public enum ErrorKind
{
    NotSpecified,
    InvalidArgument,
    InvalidOperation,
    ObjectNotFound,
    ResourceExists,
    ResourceUnavailable,
    ConnectionError,
    AuthenticationError,
    OperationTimeout,
    LimitsExceeded,
    InvalidData,
}

/// <summary>Stable error ids (the ErrorRecord's FullyQualifiedErrorId starts with one of these).</summary>
public static class ErrorIds
{
    public const string DockerUnreachable = "RedisDocker.DockerUnreachable";
    public const string DockerError = "RedisDocker.DockerError";
    public const string InvalidName = "RedisDocker.InvalidName";
    public const string InvalidSubnet = "RedisDocker.InvalidSubnet";
    public const string SubnetOverlap = "RedisDocker.SubnetOverlap";
    public const string NetworkNameTaken = "RedisDocker.NetworkNameTaken";
    public const string NetworkNotFound = "RedisDocker.NetworkNotFound";
    public const string NetworkInUse = "RedisDocker.NetworkInUse";
    public const string NodeNameTaken = "RedisDocker.NodeNameTaken";
    public const string NodeNotFound = "RedisDocker.NodeNotFound";
    public const string NodeNotReachable = "RedisDocker.NodeNotReachable";
    public const string NodeNotReady = "RedisDocker.NodeNotReady";
    public const string IPAddressInvalid = "RedisDocker.IPAddressInvalid";
    public const string IPAddressTaken = "RedisDocker.IPAddressTaken";
    public const string HostPortTaken = "RedisDocker.HostPortTaken";
    public const string ImageUnavailable = "RedisDocker.ImageUnavailable";
    public const string InvalidConfig = "RedisDocker.InvalidConfig";
    public const string InvalidImage = "RedisDocker.InvalidImage";
    public const string InvalidPassword = "RedisDocker.InvalidPassword";
    public const string WrongPassword = "RedisDocker.WrongPassword";
    public const string RedisError = "RedisDocker.RedisError";
    public const string TopologyMismatch = "RedisDocker.TopologyMismatch";
    public const string ClusterTooSmall = "RedisDocker.ClusterTooSmall";
    public const string ClusterNodeNotEmpty = "RedisDocker.ClusterNodeNotEmpty";
    public const string ClusterModeRequired = "RedisDocker.ClusterModeRequired";
    public const string ClusterModeNotAllowed = "RedisDocker.ClusterModeNotAllowed";
    public const string ClusterNotFound = "RedisDocker.ClusterNotFound";
    public const string ClusterNotConverged = "RedisDocker.ClusterNotConverged";
    public const string ClusterBusUnreachable = "RedisDocker.ClusterBusUnreachable";
    public const string PrimaryOwnsSlots = "RedisDocker.PrimaryOwnsSlots";
    public const string FailoverFailed = "RedisDocker.FailoverFailed";
    public const string ReplicationFailed = "RedisDocker.ReplicationFailed";
    public const string SentinelQuorumInvalid = "RedisDocker.SentinelQuorumInvalid";
    public const string SentinelNotFound = "RedisDocker.SentinelNotFound";
    public const string Timeout = "RedisDocker.Timeout";
    public const string TopologyNotFound = "RedisDocker.TopologyNotFound";
    public const string TopologyExists = "RedisDocker.TopologyExists";
    public const string InvalidArgument = "RedisDocker.InvalidArgument";
    public const string InvalidDockerHost = "RedisDocker.InvalidDockerHost";
    public const string NotASwarmManager = "RedisDocker.NotASwarmManager";
    /// <summary>Nodes on an overlay network without -DockerHost, and no swarm node (ready, active, an engine of the
    /// session, matching -SwarmNodeLabel) to place them on.</summary>
    public const string NoUsableSwarmNode = "RedisDocker.NoUsableSwarmNode";
    public const string InvalidSlot = "RedisDocker.InvalidSlot";
    public const string UnexpectedError = "RedisDocker.UnexpectedError";
    /// <summary>A backup folder whose manifest or data files are missing, altered or truncated.</summary>
    public const string BackupCorrupted = "RedisDocker.BackupCorrupted";
    /// <summary>A restore that would overwrite nodes holding keys (without -Force).</summary>
    public const string RestoreTargetNotEmpty = "RedisDocker.RestoreTargetNotEmpty";
    /// <summary>A cluster node cannot name its host endpoint to clients (Redis before 7.0, or port numbers that
    /// differ).</summary>
    public const string HostEndpointUnsupported = "RedisDocker.HostEndpointUnsupported";
    /// <summary>A TLS topology whose CA or certificates cannot be read from its nodes.</summary>
    public const string TlsMaterialMissing = "RedisDocker.TlsMaterialMissing";
    /// <summary>No ACL user of that name in the topology.</summary>
    public const string UserNotFound = "RedisDocker.UserNotFound";
    /// <summary>An ACL user of that name exists already.</summary>
    public const string UserExists = "RedisDocker.UserExists";
    /// <summary>The default user carries the topology password the module administers with: not changed by the user
    /// cmdlets.</summary>
    public const string DefaultUserReserved = "RedisDocker.DefaultUserReserved";
}

/// <summary>
/// A failure the user can act on: a stable id, a category, the object it concerns and a message
/// that says what to do next. Never carries a password.
/// </summary>
public class RedisDockerException : Exception
{
    public RedisDockerException(string errorId, string message, ErrorKind kind = ErrorKind.NotSpecified,
        object? target = null, Exception? inner = null)
        : base(message, inner)
    {
        ErrorId = errorId;
        Kind = kind;
        Target = target;
    }

    public string ErrorId { get; }
    public ErrorKind Kind { get; }
    public object? Target { get; }
}
