namespace RedisDocker;

/// <summary>An ACL user of a topology (Get-RedisUser): never its password or the password's hash.</summary>
public sealed record RedisUser
{
    public required string Topology { get; init; }
    public required string Name { get; init; }
    /// <summary>Whether the user may authenticate (ACL 'on').</summary>
    public bool Enabled { get; init; }
    /// <summary>Its ACL rules (keys, channels, commands), passwords left out.</summary>
    public string Permission { get; init; } = "";
    /// <summary>How many passwords it has.</summary>
    public int PasswordCount { get; init; }
    /// <summary>Whether it authenticates with any password (ACL 'nopass').</summary>
    public bool NoPassword { get; init; }
    /// <summary>Whether it is the user the module administers the topology as (redisdocker): the user cmdlets do not
    /// change it.</summary>
    public bool ModuleUser { get; init; }
}
