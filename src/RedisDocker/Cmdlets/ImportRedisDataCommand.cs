using System.Management.Automation;
using System.Security;
using RedisDocker.Core.Backup;

namespace RedisDocker.Cmdlets;

/// <summary>
/// Import-RedisData: copies the keys of any reachable Redis (host:port) or module node into a cluster or node of the
/// module with SCAN + DUMP/RESTORE, TTLs kept; -Replace overwrites keys present; -Cursor resumes.
/// </summary>
[Cmdlet(VerbsData.Import, "RedisData", SupportsShouldProcess = true)]
[OutputType(typeof(RedisDataImport))]
public sealed class ImportRedisDataCommand : RedisDockerCmdlet
{
    /// <summary>host:port of any Redis, or the name of a node of the module.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public string Source { get; set; } = "";

    /// <summary>The password of a host:port source (a node's is read from the node).</summary>
    [Parameter]
    public SecureString? SourcePassword { get; set; }

    /// <summary>A cluster (its topology name) or a node of the module.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [Alias("Cluster")]
    public string Destination { get; set; } = "";

    [Parameter]
    public SwitchParameter Replace { get; set; }

    /// <summary>The SCAN cursor to start from: the Cursor of an import that stopped.</summary>
    [Parameter]
    public string Cursor { get; set; } = "0";

    [Parameter]
    [ValidateRange(1, 100000)]
    public int BatchSize { get; set; } = 500;

    /// <summary>Stop after about this many keys (whole batches); the output's Cursor resumes.</summary>
    [Parameter]
    [ValidateRange(1, long.MaxValue)]
    public long MaxKeys { get; set; }

    protected override void ProcessRecord()
    {
        if (!ShouldProcess($"Keys of {Source} into {Destination}{(Replace ? ", replacing keys present" : "")}",
                "Import")) return;
        var request = new DataImportRequest
        {
            Source = Source, SourcePassword = ToPlain(SourcePassword), Destination = Destination, Replace = Replace,
            Cursor = Cursor, BatchSize = BatchSize, MaxKeys = MaxKeys,
        };
        if (TryRun(Destination, (sink, ct) => CurrentSession.Workflows(sink).DataImport.ImportAsync(request, ct),
                out var result))
            WriteObject(result);
    }
}
