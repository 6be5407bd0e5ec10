using System.Globalization;
using System.Management.Automation;
using System.Net;
using System.Net.Sockets;
using Xunit;

namespace RedisDocker.Hosting.Tests;

/// <summary>
/// Ctrl+C, as a host delivers it (PowerShell.Stop()), in the middle of the long cmdlets: nothing is left behind
/// (containers, volumes, networks of the stopped command), and a cluster is left consistent.
/// </summary>
public class StopTests : IDisposable
{
    private readonly HostedPowerShell _ps = new();
    private readonly List<string> _topologies = new();

    private string NewTopology(string prefix)
    {
        var t = DockerCli.UniqueName(prefix);
        _topologies.Add(t);
        return t;
    }

    /// <summary>Starts the script, waits for a progress record whose activity starts with <paramref name="stopAt"/>,
    /// then stops it as Ctrl+C would. Returns the progress records seen.</summary>
    private static IReadOnlyList<ProgressRecord> RunAndStop(PowerShell ps, string stopAt, TimeSpan bound)
    {
        using var reached = new ManualResetEventSlim();
        var seen = new List<ProgressRecord>();
        ps.Streams.Progress.DataAdded += (_, e) =>
        {
            var r = ps.Streams.Progress[e.Index];
            lock (seen) seen.Add(r);
            if (r.Activity.StartsWith(stopAt, StringComparison.Ordinal)) reached.Set();
        };
        var output = new PSDataCollection<PSObject>();
        var handle = ps.BeginInvoke<PSObject, PSObject>(null, output);
        var stopped = reached.Wait(bound);
        ps.Stop();
        try { ps.EndInvoke(handle); }
        catch (PipelineStoppedException) { }
        lock (seen)
        {
            Assert.True(stopped, $"'{stopAt}' never started; activities: "
                + string.Join(", ", seen.Select(s => s.Activity).Distinct())
                + "; errors: " + string.Join("; ", ps.Streams.Error));
            return seen.ToList();
        }
    }

    [Theory]
    [InlineData("Starting 6 Redis nodes")]
    [InlineData("Joining 6 nodes")]
    [InlineData("Waiting for the cluster to converge")]
    public void StoppingNewRedisClusterCountLeavesNothingBehind(string stopAt)
    {
        var t = NewTopology("rdhc");
        using var ps = _ps.Create();
        ps.AddScript("param($Name, $Image) New-RedisCluster -Count 6 -ReplicasPerPrimary 1 -Name $Name -Image $Image")
            .AddParameter("Name", t).AddParameter("Image", HostedPowerShell.Image);
        RunAndStop(ps, stopAt, TimeSpan.FromSeconds(180));

        Assert.Empty(DockerCli.Leftovers(t));
    }

    [Theory]
    [InlineData("Starting 3 sentinels")]
    [InlineData("Sentinels discovering")]
    public void StoppingNewRedisSentinelRemovesTheSentinelsAndKeepsThePrimary(string stopAt)
    {
        var t = NewTopology("rdhs");
        _ps.Output(
            "param($Name, $Image) $null = New-RedisNetwork -Name $Name | New-RedisNode -Name \"$Name-p\" -Image $Image",
            new Dictionary<string, object?> { ["Name"] = t, ["Image"] = HostedPowerShell.Image });

        using var ps = _ps.Create();
        ps.AddScript("param($Name) New-RedisSentinel -Primary \"$Name-p\" -Count 3 -Quorum 2").AddParameter("Name", t);
        RunAndStop(ps, stopAt, TimeSpan.FromSeconds(120));

        Assert.Equal(new[] { $"container {t}-p", $"volume {t}-p-data", $"network {t}" }.Order(),
            DockerCli.Leftovers(t).Order());
        var pong = _ps.Output("param($Name) Invoke-RedisCommand -Node \"$Name-p\" PING",
            new Dictionary<string, object?> { ["Name"] = t });
        Assert.Equal("PONG", Assert.Single(pong)?.ToString());
    }

    [Fact]
    public void StoppingMoveRedisClusterSlotLeavesNoOpenSlotAndEveryKeyReadable()
    {
        var t = NewTopology("rdhm");
        const int keys = 300;
        _ps.Output("""
            param($Name, $Image, $Keys)
            $null = New-RedisCluster -Count 3 -ReplicasPerPrimary 0 -Name $Name -Image $Image -ErrorAction Stop
            foreach ($i in 1..$Keys) { $null = Invoke-RedisCommand -Cluster $Name SET "k$i" "v$i" -ErrorAction Stop }
            """, new Dictionary<string, object?> { ["Name"] = t, ["Image"] = HostedPowerShell.Image, ["Keys"] = keys });
        var primaries = _ps.Output(
            "param($Name) Get-RedisClusterNode -Cluster $Name -Role Primary | ForEach-Object Name",
            new Dictionary<string, object?> { ["Name"] = t }).Select(o => o!.ToString()!).ToList();
        Assert.Equal(3, primaries.Count);

        using var ps = _ps.Create();
        ps.AddScript("""
            param($Name, $Source, $Destination)
            Move-RedisClusterSlot -Cluster $Name -Source $Source -Destination $Destination -Count 3000 -Confirm:$false
            """)
            .AddParameter("Name", t).AddParameter("Source", primaries[0]).AddParameter("Destination", primaries[1]);
        var progress = RunAndStop(ps, "Moving ", TimeSpan.FromSeconds(120));
        Assert.Contains(progress, p => p.Activity.StartsWith("Moving ", StringComparison.Ordinal));

        var failed = _ps.Output("""
            param($Name)
            Test-RedisCluster -Cluster $Name | Where-Object { -not $_.Passed } |
                ForEach-Object { "$($_.Check): $($_.Detail)" }
            """, new Dictionary<string, object?> { ["Name"] = t });
        Assert.Empty(failed);
        var readable = _ps.Output("""
            param($Name, $Keys)
            @(1..$Keys | Where-Object { (Invoke-RedisCommand -Cluster $Name GET "k$_") -eq "v$_" }).Count
            """, new Dictionary<string, object?> { ["Name"] = t, ["Keys"] = keys });
        Assert.Equal(keys, Convert.ToInt32(Assert.Single(readable), System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Connect-RedisDocker waits up to 30 s for an engine; Ctrl+C must reach it while it waits (it used to
    /// block outside the bridge, where only its own 30 s bound ended the wait). The "engine" is a listener on a
    /// loopback port that accepts the connection and never answers.</summary>
    [Fact]
    public async Task StoppingConnectRedisDockerWhileTheEngineDoesNotAnswerStopsIt()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            using var ps = _ps.Create();
            ps.AddScript("param($DockerHost) Connect-RedisDocker -DockerHost $DockerHost -NoDefault")
                .AddParameter("DockerHost", $"tcp://127.0.0.1:{port}");
            var handle = ps.BeginInvoke();
            using var engine = await listener.AcceptTcpClientAsync().WaitAsync(TimeSpan.FromSeconds(20));

            var stop = ps.BeginStop(null, null);
            // A bound well under the cmdlet's own 30 s: past it, the stop did not reach the wait.
            Assert.True(stop.AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(20)),
                "Connect-RedisDocker did not stop while it waited on the engine");
            ps.EndStop(stop);
            try { ps.EndInvoke(handle); }
            catch (PipelineStoppedException) { }

            Assert.Equal(PSInvocationState.Stopped, ps.InvocationStateInfo.State);
            Assert.Empty(ps.Streams.Error);
        }
        finally { listener.Stop(); }
    }

    [Fact]
    public void StoppingMoveRedisClusterSlotInsideASlotFinishesThatSlotAndSaysWhatRemains()
    {
        var t = NewTopology("rdhk");
        const int heavyKeys = 30000;
        var host = new RecordingHost();
        using var hosted = new HostedPowerShell(host);
        // One slot (that of the hash tag {t}) holds many keys, so that moving it takes long enough to be stopped
        // in the middle: the Ctrl+C below lands while that slot is MIGRATING, never between two slots.
        var setup = hosted.Output("""
            param($Name, $Image, $Keys)
            $null = New-RedisCluster -Count 3 -ReplicasPerPrimary 0 -Name $Name -Image $Image -ErrorAction Stop
            $slot = [int] (Invoke-RedisCommand -Node "$Name-1" CLUSTER KEYSLOT "{$Name}" -ErrorAction Stop)
            $value = 'x' * 64
            for ($i = 0; $i -lt $Keys; $i += 2000) {
                $batch = foreach ($k in $i..([Math]::Min($i + 1999, $Keys - 1))) { "{$Name}:$k"; $value }
                $null = Invoke-RedisCommand -Cluster $Name -Command (@('MSET') + $batch) -ErrorAction Stop
            }
            $primaries = @(Get-RedisClusterNode -Cluster $Name -Role Primary)
            $source = $primaries |
                Where-Object { @($_.SlotRanges | Where-Object { $slot -ge $_.Start -and $slot -le $_.End }).Count }
            $destination = $primaries | Where-Object Name -ne $source.Name | Select-Object -First 1
            $others = @($source.SlotRanges | ForEach-Object { $_.Start..$_.End } | Where-Object { $_ -ne $slot } |
                Select-Object -First 100)
            $slot; $source.Name; $destination.Name; $source.SlotCount; $others -join ','
            """,
            new Dictionary<string, object?> { ["Name"] = t, ["Image"] = HostedPowerShell.Image, ["Keys"] = heavyKeys });
        Assert.Equal(5, setup.Count);
        var heavy = Convert.ToInt32(setup[0], CultureInfo.InvariantCulture);
        var (source, destination) = (setup[1]!.ToString()!, setup[2]!.ToString()!);
        var sourceSlots = Convert.ToInt32(setup[3], CultureInfo.InvariantCulture);
        // The heavy slot first, then 100 empty slots of the source: a stop inside the first leaves the 100.
        var slots = new[] { heavy.ToString(CultureInfo.InvariantCulture) }
            .Concat(setup[4]!.ToString()!.Split(',')).ToArray();
        Assert.Equal(101, slots.Length);

        using var probe = new HostedPowerShell();
        using var ps = hosted.Create();
        ps.AddScript("""
            param($Name, $Source, $Destination, $Slots)
            Move-RedisClusterSlot -Cluster $Name -Source $Source -Destination $Destination -Slot $Slots -Confirm:$false
            """)
            .AddParameter("Name", t).AddParameter("Source", source).AddParameter("Destination", destination)
            .AddParameter("Slots", slots);
        var handle = ps.BeginInvoke();
        var migrating = $"[{heavy}->-";
        var seenOpen = false;
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (!handle.IsCompleted && DateTime.UtcNow < deadline)
        {
            var nodes = probe.Output("param($Node) Invoke-RedisCommand -Node $Node CLUSTER NODES",
                new Dictionary<string, object?> { ["Node"] = source });
            if (nodes.Count == 1 && (nodes[0]?.ToString() ?? "").Contains(migrating, StringComparison.Ordinal))
            {
                seenOpen = true;
                break;
            }
        }
        ps.Stop();
        try { ps.EndInvoke(handle); }
        catch (PipelineStoppedException) { }
        Assert.True(seenOpen, $"slot {heavy} was never seen MIGRATING on {source} before the move ended; errors: "
            + string.Join("; ", ps.Streams.Error));

        // The open slot was finished: it is the destination's, with every key; nothing is MIGRATING/IMPORTING.
        var after = _ps.Output("""
            param($Name, $Source, $Destination, $Slot)
            @(Get-RedisClusterNode -Cluster $Name | ForEach-Object OpenSlots).Count
            Invoke-RedisCommand -Node $Destination CLUSTER COUNTKEYSINSLOT $Slot
            Invoke-RedisCommand -Node $Source CLUSTER COUNTKEYSINSLOT $Slot
            (Get-RedisClusterNode -Cluster $Name -Node $Source).SlotCount
            @(Test-RedisCluster -Cluster $Name | Where-Object { -not $_.Passed }).Count
            """, new Dictionary<string, object?>
            {
                ["Name"] = t, ["Source"] = source, ["Destination"] = destination, ["Slot"] = heavy,
            }).Select(o => Convert.ToInt64(o, CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(new long[] { 0, heavyKeys, 0, sourceSlots - 1, 0 }, after);

        // And it says what was done and what remains, with the command that finishes the move.
        var warning = Assert.Single(host.Warnings, w => w.StartsWith("Stopped:", StringComparison.Ordinal));
        Assert.Contains("1 of 101 slot(s)", warning, StringComparison.Ordinal);
        Assert.Contains($"100 slot(s) remain on {source}", warning, StringComparison.Ordinal);
        Assert.Contains("no slot is left migrating or importing", warning, StringComparison.Ordinal);
        Assert.Contains($"Move-RedisClusterSlot -Cluster {t} -Source {source} -Destination {destination}", warning,
            StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _ps.Dispose();
        foreach (var t in _topologies) DockerCli.RemoveTopology(t);
    }
}
