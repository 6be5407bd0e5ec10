using System.Diagnostics;
using System.Globalization;
using RedisDocker.Core.Docker;
using RedisDocker.Core.Resp;

namespace RedisDocker.Core.Topology;

/// <summary>Cluster use case: moving slots with their keys.</summary>
public sealed partial class ClusterOperations
{
    /// <summary>
    /// Moves slots (with their keys, MIGRATE in batches) from one primary to another. Safe to
    /// re-run: slots already owned by the destination are skipped, half-moved slots are finished.
    /// </summary>
    /// <summary>How long a slot already opened may take to finish after Ctrl+C.</summary>
    private static readonly TimeSpan SlotFinishBound = TimeSpan.FromSeconds(60);

    public async Task<SlotMoveResult> MoveSlotsAsync(string topology, string source, string destination, int? count,
        IReadOnlyList<SlotRange>? ranges, CancellationToken ct)
    {
        var members = await TopologyMembersAsync(topology, ct).ConfigureAwait(false);
        var ids = await ReadIdsAsync(members, ct).ConfigureAwait(false);
        Member Find(string n) => members.FirstOrDefault(m => string.Equals(m.Name, n,
            StringComparison.OrdinalIgnoreCase) || ids[m.Name] == n)
            ?? throw Errors.NotARunningClusterNode(n, topology);
        var src = Find(source);
        var dst = Find(destination);
        if (src == dst) throw Errors.InvalidArgument("-Source and -Destination are the same node.", source);
        var views = await ReadViewsAsync(members, ct).ConfigureAwait(false);
        var srcEntry = views[src.Name].First(e => e.Myself);
        var dstEntry = views[dst.Name].First(e => e.Myself);
        if (!dstEntry.IsPrimary) throw Errors.InvalidConfig(
            $"Destination '{dst.Name}' is a replica; slots go to primaries.",
            destination);
        var owned = new HashSet<int>(srcEntry.Slots);
        // Half-moved slots first (resume), then the ones asked for.
        var pending = srcEntry.Migrating.Where(x => x.NodeId == ids[dst.Name]).Select(x => x.Slot).ToList();
        List<int> slots;
        if (ranges is not null)
        {
            var asked = ranges.SelectMany(r => Enumerable.Range(r.Start, r.Count)).ToList();
            var foreign = asked.Where(s => !owned.Contains(s) && !dstEntry.Slots.Contains(s)).ToList();
            if (foreign.Count > 0)
                throw Errors.InvalidConfig(
                    $"{foreign.Count} of the slots asked ({string.Join(",", SlotRange.FromSlots(foreign).Take(5))}) "
                    + $"are owned by neither '{src.Name}' nor '{dst.Name}'.",
                    ranges);
            slots = asked.Where(owned.Contains).ToList();
        }
        else
        {
            var n = count ?? owned.Count;
            slots = owned.OrderByDescending(s => s).Take(Math.Max(0, n - pending.Count)).ToList();
        }
        slots = pending.Concat(slots).Distinct().ToList();
        var password = await _session.GetPasswordAsync(topology, ct).ConfigureAwait(false);
        _sink.Verbose($"Keys move node to node; the module's commands reach {src.Name} at {src.Conn.Endpoint} and "
            + $"{dst.Name} at {dst.Conn.Endpoint} (route {_session.Routes.Mode}).");
        long keys = 0;
        var activity = $"Moving {slots.Count} slot(s) from {src.Name} to {dst.Name}";
        var progressId = ProgressReport.NextActivityId();
        var status = "starting";
        var done = 0;
        try
        {
            for (var i = 0; i < slots.Count; i++)
            {
                if (ct.IsCancellationRequested)
                {
                    var asked = ranges is not null ? "Slot" : count is not null ? "Count" : "All";
                    WarnStoppedMove(topology, src.Name, dst.Name, slots, done, keys, asked);
                    ct.ThrowIfCancellationRequested();
                }
                var slot = slots[i];
                // Ctrl+C is honoured between slots: a slot once opened is finished (within a bound), so a stopped
                // move leaves no slot MIGRATING/IMPORTING behind for Repair-RedisCluster to fix.
                using var slotBound = new CancellationTokenSource(SlotFinishBound);
                var sct = slotBound.Token;
                await dst.Ok(sct, "CLUSTER", "SETSLOT", slot, "IMPORTING", ids[src.Name]).ConfigureAwait(false);
                await src.Ok(sct, "CLUSTER", "SETSLOT", slot, "MIGRATING", ids[dst.Name]).ConfigureAwait(false);
                keys += await MoveSlotKeysAsync(src, dst, slot, password, sct).ConfigureAwait(false);
                await AssignSlotAsync(members, slot, dst, ids, sct).ConfigureAwait(false);
                done = i + 1;
                status = $"slot {slot} ({i + 1} of {slots.Count}), {keys} key(s) moved";
                var percent = (i + 1) * 100 / Math.Max(1, slots.Count);
                _sink.Progress(new ProgressReport(progressId, activity, status, percent));
            }
            status = "done";
        }
        finally
        {
            // Also when it fails or is stopped: every activity ends with a Completed record.
            _sink.Progress(new ProgressReport(progressId, activity, status, 100, Completed: true));
        }
        _sink.Verbose($"Moved {slots.Count} slot(s) and {keys} key(s) from {src.Name} to {dst.Name}.");
        if (slots.Count > 0) await WaitConvergedAsync(members, null, ct).ConfigureAwait(false);
        return new SlotMoveResult(topology, src.Name, dst.Name, slots.Count, keys, SlotRange.FromSlots(slots));
    }

    /// <summary>Ctrl+C between two slots: what was moved, what remains, and the command that moves the rest.</summary>
    private void WarnStoppedMove(string topology, string source, string destination, IReadOnlyList<int> slots, int done,
        long keys, string asked)
    {
        var rest = SlotRange.FromSlots(slots.Skip(done));
        var listed = string.Join(",", rest.Take(8)) + (rest.Count > 8 ? ",..." : "");
        // -Count takes the top slots of the source, which the remaining ones are; -Slot and -All skip the moved ones.
        var slotArgument = asked switch
        {
            "Count" => $"-Count {slots.Count - done}",
            "All" => "-All",
            _ => rest.Count <= 8 ? $"-Slot {string.Join(",", rest)}" : "with the same -Slot (moved slots are skipped)",
        };
        _sink.Warning($"Stopped: moved {done} of {slots.Count} slot(s) ({keys} key(s)) from {source} to {destination}; "
            + $"no slot is left migrating or importing. {slots.Count - done} slot(s) remain on {source} ({listed}): "
            + $"run Move-RedisClusterSlot -Cluster {topology} -Source {source} -Destination {destination} "
            + $"{slotArgument} to move them.");
    }

    /// <summary>MIGRATE every key of the slot from source to target, in batches, with AUTH.</summary>
    private static async Task<long> MoveSlotKeysAsync(Member src, Member dst, int slot, string? password,
        CancellationToken ct)
    {
        long moved = 0;
        while (true)
        {
            var keys = (await src.Ok(ct, "CLUSTER", "GETKEYSINSLOT", slot, 100).ConfigureAwait(false)).AsArray();
            if (keys.Count == 0) return moved;
            var args = new List<object> { "MIGRATE", dst.Ip, dst.Node.Port, "", 0, 10000 };
            // A target made with the module's admin user is reached as it (its default may be off): AUTH2.
            if (password is not null && Security.AclFile.HasAdminUser(dst.Node.Labels))
                args.AddRange(new object[] { "AUTH2", Security.AclFile.AdminUser, password });
            else if (password is not null) { args.Add("AUTH"); args.Add(password); }
            args.Add("KEYS");
            args.AddRange(keys.Select(k => (object)(k.Bytes ?? System.Text.Encoding.UTF8.GetBytes(k.Text ?? ""))));
            var r = await src.Conn.SendAsync(args, ct).ConfigureAwait(false);
            if (r.IsError)
            {
                if ((r.Text ?? "").Contains("BUSYKEY", StringComparison.Ordinal))
                {
                    // A previous, interrupted run already copied some keys: replace them.
                    args.Insert(6, "REPLACE");
                    r = await src.Conn.SendAsync(args, ct).ConfigureAwait(false);
                }
                if (r.IsError)
                    throw Errors.RedisError(
                        $"{src.Name}: MIGRATE of slot {slot} to {dst.Name} failed: {r.Text}. Re-run the same "
                        + "command to resume.",
                        slot);
            }
            moved += keys.Count;
        }
    }

    /// <summary>CLUSTER SETSLOT NODE on the destination, the source, then every other primary.</summary>
    private static async Task AssignSlotAsync(IReadOnlyList<Member> members, int slot, Member owner,
        IReadOnlyDictionary<string, string> ids, CancellationToken ct)
    {
        await owner.Ok(ct, "CLUSTER", "SETSLOT", slot, "NODE", ids[owner.Name]).ConfigureAwait(false);
        foreach (var m in members.Where(m => m != owner))
        {
            var r = await m.Exec(ct, "CLUSTER", "SETSLOT", slot, "NODE", ids[owner.Name]).ConfigureAwait(false);
            // Replicas refuse SETSLOT; they learn the change from their primary.
            if (r.IsError && !IsReplicaRefusal(r.Text))
                throw Errors.RedisCommandFailed(m.Name, $"CLUSTER SETSLOT {slot} NODE", r.Text);
        }
    }

    /// <summary>Replicas answer SETSLOT with "Please use SETSLOT only with masters" (wording varies by
    /// version).</summary>
    private static bool IsReplicaRefusal(string? text) =>
        text is not null && (text.Contains("master", StringComparison.OrdinalIgnoreCase) || text.Contains("replica",
            StringComparison.OrdinalIgnoreCase) || text.Contains("slave", StringComparison.OrdinalIgnoreCase));
}
