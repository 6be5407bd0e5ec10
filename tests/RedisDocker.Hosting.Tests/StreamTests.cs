using System.Management.Automation;
using Xunit;

namespace RedisDocker.Hosting.Tests;

/// <summary>What a user sees in every stream of a real PowerShell: no password anywhere, and progress that a host
/// can draw (stable activity ids, parents before children, a Completed record for every activity).</summary>
public class StreamTests : IDisposable
{
    private readonly HostedPowerShell _ps = new();
    private readonly List<string> _topologies = new();

    private string NewTopology(string prefix)
    {
        var t = DockerCli.UniqueName(prefix);
        _topologies.Add(t);
        return t;
    }

    [Fact]
    public void NoPasswordInAnyStreamTheTranscriptOrErrorVariable()
    {
        var t = NewTopology("rdhp");
        var password = "Pw" + Guid.NewGuid().ToString("N");
        var transcript = Path.Combine(Path.GetTempPath(), t + ".transcript.txt");
        try
        {
            using var ps = _ps.Create();
            ps.AddScript("""
                param($Name, $Image, $Password, $Transcript)
                $VerbosePreference = 'Continue'; $DebugPreference = 'Continue'; $InformationPreference = 'Continue'
                $WarningPreference = 'Continue'; $ProgressPreference = 'Continue'; $ErrorActionPreference = 'Continue'
                $Error.Clear()
                $null = Start-Transcript -Path $Transcript
                try {
                    $secure = ConvertTo-SecureString $Password -AsPlainText -Force
                    $primary = New-RedisNetwork -Name $Name |
                        New-RedisNode -Name "$Name-a" -Password $secure -Image $Image
                    $primary
                    New-RedisNode -Network $Name -Name "$Name-b" -Image $Image | Set-RedisReplica -Primary $primary
                    Invoke-RedisCommand -Node "$Name-a" SET greeting hello
                    # Replication is asynchronous: WAIT until the replica has the write before reading it there.
                    $null = Invoke-RedisCommand -Node "$Name-a" WAIT 1 5000
                    Invoke-RedisCommand -Node "$Name-b" GET greeting
                    Get-RedisNode -Topology $Name | Format-List * | Out-String
                    Get-RedisReplication -Topology $Name | Format-List * | Out-String
                    Get-RedisTopology -Topology $Name | Format-List * | Out-String
                    Export-RedisTopology -Topology $Name
                    Get-RedisCredential -Topology $Name | Format-List * | Out-String
                    Restart-RedisNode -Name "$Name-b" -Confirm:$false
                    Invoke-RedisCommand -Node "$Name-a" AUTH default wrong-password
                    Invoke-RedisCommand -Node "$Name-nope" PING
                    New-RedisNode -Network $Name -Name "$Name-a" -Image $Image
                    Write-Information 'done'
                } finally {
                    $null = Stop-Transcript
                }
                '--- $Error ---'
                $Error | ForEach-Object { $_ | Format-List * -Force | Out-String; $_.Exception.ToString() }
                """);
            ps.AddParameters(new Dictionary<string, object?>
            {
                ["Name"] = t, ["Image"] = HostedPowerShell.Image, ["Password"] = password, ["Transcript"] = transcript,
            });
            var output = ps.Invoke();

            // The script really ran: the nodes answered, and the wrong commands made errors.
            var rendered = output.Select(o => o?.ToString() ?? "").ToList();
            Assert.Contains("hello", rendered);
            Assert.True(ps.Streams.Error.Count >= 3, string.Join("\n", ps.Streams.Error));
            Assert.NotEmpty(ps.Streams.Verbose);
            Assert.NotEmpty(ps.Streams.Progress);
            Assert.NotEmpty(ps.Streams.Information);
            Assert.True(File.Exists(transcript), "Start-Transcript wrote no file");

            var texts = new List<(string Where, string Text)>();
            texts.AddRange(rendered.Select(r => ("Output", r)));
            texts.AddRange(ps.Streams.Error.Select(
                e => ("Error", $"{e} {e.Exception} {e.TargetObject} {e.ErrorDetails}")));
            texts.AddRange(ps.Streams.Warning.Select(w => ("Warning", w.Message)));
            texts.AddRange(ps.Streams.Verbose.Select(v => ("Verbose", v.Message)));
            texts.AddRange(ps.Streams.Debug.Select(d => ("Debug", d.Message)));
            texts.AddRange(ps.Streams.Information.Select(i => ("Information", $"{i.MessageData}")));
            texts.AddRange(ps.Streams.Progress.Select(
                p => ("Progress", $"{p.Activity} {p.StatusDescription} {p.CurrentOperation}")));
            texts.Add(("Transcript", File.ReadAllText(transcript)));
            foreach (var (where, text) in texts)
                Assert.False(text.Contains(password, StringComparison.Ordinal),
                    $"the password appears in {where}: {text}");
        }
        finally
        {
            if (File.Exists(transcript)) File.Delete(transcript);
        }
    }

    [Fact]
    public void ProgressHasStableIdsParentsBeforeChildrenAndACompletedRecordPerActivity()
    {
        var t = NewTopology("rdhg");
        using var ps = _ps.Create();
        ps.AddScript("param($Name, $Image) New-RedisCluster -Count 6 -ReplicasPerPrimary 1 -Name $Name -Image $Image")
            .AddParameter("Name", t).AddParameter("Image", HostedPowerShell.Image);
        var output = ps.Invoke();
        Assert.Empty(ps.Streams.Error);
        Assert.Single(output);

        var records = ps.Streams.Progress.ToList();
        Assert.NotEmpty(records);
        AssertWellFormedProgress(records);
        // Nested work: the cmdlet's activity has the core's steps (node start, bus handshake, convergence) as children.
        var top = records.Where(r => r.ParentActivityId < 0).Select(r => r.ActivityId).Distinct().ToList();
        var topId = Assert.Single(top);
        Assert.Equal("New-RedisCluster", records.First(r => r.ActivityId == topId).Activity);
        Assert.True(records.Select(r => r.ActivityId).Distinct().Count(id => id != topId) >= 3,
            "expected several nested activities: " + string.Join(", ", records.Select(r => r.Activity).Distinct()));
    }

    /// <summary>Every activity keeps its id and text, its parent is shown before it and still open, and it ends
    /// with exactly one Completed record (children before their parent).</summary>
    internal static void AssertWellFormedProgress(IReadOnlyList<ProgressRecord> records)
    {
        var open = new Dictionary<int, (string Activity, int Parent)>();
        var closed = new HashSet<int>();
        foreach (var r in records)
        {
            Assert.False(closed.Contains(r.ActivityId),
                $"activity {r.ActivityId} ({r.Activity}) reported after it completed");
            if (open.TryGetValue(r.ActivityId, out var known))
            {
                Assert.Equal(known.Activity, r.Activity);
                Assert.Equal(known.Parent, r.ParentActivityId);
            }
            else
            {
                Assert.True(r.RecordType == ProgressRecordType.Processing,
                    $"activity {r.ActivityId} ({r.Activity}) starts completed");
                if (r.ParentActivityId >= 0)
                    Assert.True(open.ContainsKey(r.ParentActivityId),
                        $"'{r.Activity}' names parent {r.ParentActivityId}, which is not open");
                open[r.ActivityId] = (r.Activity, r.ParentActivityId);
            }
            if (r.RecordType == ProgressRecordType.Completed)
            {
                Assert.DoesNotContain(open, o => o.Value.Parent == r.ActivityId && !closed.Contains(o.Key));
                open.Remove(r.ActivityId);
                closed.Add(r.ActivityId);
            }
        }
        Assert.True(open.Count == 0,
            "activities without a Completed record: " + string.Join(", ", open.Values.Select(v => v.Activity)));
    }

    public void Dispose()
    {
        _ps.Dispose();
        foreach (var t in _topologies) DockerCli.RemoveTopology(t);
    }
}
