using System.Management.Automation;
using RedisDocker.Core.Topology;

namespace RedisDocker.Cmdlets;

/// <summary>Move-RedisClusterSlot: reshards slots (with their keys) from one primary to another; safe to re-run after
/// an interruption.</summary>
[Cmdlet(VerbsCommon.Move, "RedisClusterSlot", SupportsShouldProcess = true,
    DefaultParameterSetName = ParameterSets.Count)]
[OutputType(typeof(SlotMoveResult))]
public sealed class MoveRedisClusterSlotCommand : ClusterCmdlet
{
    [Parameter(Mandatory = true)]
    [ArgumentCompleter(typeof(Completers.ClusterNodeCompleter))]
    public string Source { get; set; } = "";

    [Parameter(Mandatory = true)]
    [ArgumentCompleter(typeof(Completers.ClusterNodeCompleter))]
    public string Destination { get; set; } = "";

    /// <summary>How many slots to move (taken from the top of the source's slots).</summary>
    [Parameter(Mandatory = true, ParameterSetName = ParameterSets.Count)]
    [ValidateRange(1, 16384)]
    public int Count { get; set; }

    /// <summary>Slots or ranges to move: 100, 200-300.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ParameterSets.Slot)]
    public string[] Slot { get; set; } = Array.Empty<string>();

    /// <summary>Every slot the source owns (to empty a primary before removing it).</summary>
    [Parameter(Mandatory = true, ParameterSetName = ParameterSets.All)]
    public SwitchParameter All { get; set; }

    protected override void ProcessRecord()
    {
        IReadOnlyList<SlotRange>? ranges = null;
        if (ParameterSetName == ParameterSets.Slot)
        {
            var list = new List<SlotRange>();
            const StringSplitOptions Clean = StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries;
            foreach (var s in Slot.SelectMany(x => x.Split(',', Clean)))
            {
                var parts = s.Split('-');
                if (parts.Length is < 1 or > 2 || !int.TryParse(parts[0], out var a)
                    || !int.TryParse(parts[^1], out var b) || a < 0 || b > 16383 || b < a)
                    ThrowParameterError(Core.ErrorIds.InvalidSlot,
                        $"'{s}' is not a slot (0-16383) or a range such as 200-300. " +
                        "Give -Slot as slot numbers and ranges, for example -Slot 0-99, 500.", s);
                else list.Add(new SlotRange(a, b));
            }
            ranges = list;
        }
        var what = ParameterSetName switch
        {
            ParameterSets.Count => $"{Count} slot(s)",
            ParameterSets.All => "every slot",
            _ => $"slots {string.Join(",", ranges!)}",
        };
        if (!ShouldProcess($"Redis Cluster '{Cluster}'",
            $"Move {what} with their keys from '{Source}' to '{Destination}'")) return;
        int? count = ParameterSetName == ParameterSets.Count ? Count : null;
        if (TryRun(Cluster, (sink, ct) =>
            CurrentSession.Workflows(sink).Cluster.MoveSlotsAsync(Cluster, Source, Destination, count, ranges, ct),
            out var result))
            WriteObject(result);
    }
}
