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

    public void Dispose()
    {
        _ps.Dispose();
        foreach (var t in _topologies) DockerCli.RemoveTopology(t);
    }
}
