namespace RedisDocker;

/// <summary>What Backup-RedisTopology wrote: the folder, the nodes saved, keys and bytes. Never a password.</summary>
public sealed record RedisBackup
{
    public required string Topology { get; init; }
    /// <summary>The full path of the backup folder (manifest.json, SHA256SUMS, data/*.rdb).</summary>
    public required string Path { get; init; }
    /// <summary>The nodes whose data was saved (the primaries, or the node given with -Node).</summary>
    public IReadOnlyList<string> Nodes { get => _nodes; init => _nodes = TextList.From(value); }
    private readonly IReadOnlyList<string> _nodes = TextList.Empty;
    public int NodeCount => Nodes.Count;
    /// <summary>Keys over the saved nodes (DBSIZE when each save was started).</summary>
    public long Keys { get; init; }
    /// <summary>Bytes of the RDB files.</summary>
    public long Length { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public TimeSpan Duration { get; init; }
    /// <summary>Always true: the manifest holds no password (the RDB files hold only the data).</summary>
    public bool PasswordExcluded { get; init; } = true;
    public string FullName => Path;
    public override string ToString() => Path;
}

/// <summary>What Import-RedisData copied. Cursor is 0 when the scan is complete; otherwise give it to -Cursor to
/// go on.</summary>
public sealed record RedisDataImport
{
    public required string Source { get; init; }
    public required string Destination { get; init; }
    public long Scanned { get; init; }
    public long Copied { get; init; }
    /// <summary>Keys already present at the destination and kept (without -Replace).</summary>
    public long Skipped { get; init; }
    /// <summary>Keys that expired or vanished between SCAN and DUMP.</summary>
    public long Missing { get; init; }
    /// <summary>The SCAN cursor to resume from ("0": the whole keyspace was copied).</summary>
    public string Cursor { get; init; } = "0";
    public bool Completed => Cursor == "0";
    public TimeSpan Duration { get; init; }
}
