using System.Management.Automation;
using System.Text.RegularExpressions;
using Xunit;

namespace RedisDocker.Hosting.Tests;

/// <summary>
/// The bad-input set, run in a real PowerShell: every error record has the stable ErrorId, the category, the
/// TargetObject (what was wrong) and a message that says what to do next.
/// </summary>
public class ErrorRecordTests : IDisposable
{
    private readonly HostedPowerShell _ps = new();
    private static readonly string Run = DockerCli.UniqueName("rdhe");

    // A message "says what to do" when it has an instruction: one of these verbs as an imperative.
    private static readonly Regex Instruction = new(
        @"(^|[.:;]\s+|,\s+or\s+|\bor\s+)(use|give|list|create|run|remove|start|choose|omit|check|pick|wait|connect|set|"
        + @"stop|add|did you mean)\b",
        RegexOptions.Multiline | RegexOptions.IgnoreCase);

    public static TheoryData<string, string, ErrorCategory, string> BadInput() => new()
    {
        {
            $"New-RedisNetwork -Name {Run} -Subnet 8.8.8.0/24",
            "RedisDocker.InvalidSubnet", ErrorCategory.InvalidArgument, "8.8.8.0/24"
        },
        {
            $"New-RedisNetwork -Name {Run} -Subnet 172.28.1.5/24",
            "RedisDocker.InvalidSubnet", ErrorCategory.InvalidArgument, "172.28.1.5/24"
        },
        { "New-RedisNetwork -Name '-bad name'", "RedisDocker.InvalidName", ErrorCategory.InvalidArgument, "-bad name" },
        {
            $"New-RedisNetwork -Name {Run} -Subnet 10.99.0.0/24 -Gateway 10.98.0.1",
            "RedisDocker.IPAddressInvalid", ErrorCategory.InvalidArgument, "10.98.0.1"
        },
        { $"Get-RedisNode -Name {Run}-nope", "RedisDocker.NodeNotFound", ErrorCategory.ObjectNotFound, $"{Run}-nope" },
        {
            $"Invoke-RedisCommand -Node {Run}-nope PING",
            "RedisDocker.NodeNotFound", ErrorCategory.ObjectNotFound, $"{Run}-nope"
        },
        {
            $"Remove-RedisTopology -Topology {Run}-nope -Confirm:$false",
            "RedisDocker.TopologyNotFound", ErrorCategory.ObjectNotFound, $"{Run}-nope"
        },
        {
            $"New-RedisNode -Network {Run}-nope -Name {Run}-x",
            "RedisDocker.NetworkNotFound", ErrorCategory.ObjectNotFound, $"{Run}-nope"
        },
        {
            $"New-RedisSentinel -Primary {Run}-nope -Count 3 -Quorum 4",
            "RedisDocker.SentinelQuorumInvalid", ErrorCategory.InvalidArgument, "4"
        },
        {
            $"New-RedisCluster -Count 5 -ReplicasPerPrimary 1 -Name {Run}-small",
            "RedisDocker.ClusterTooSmall", ErrorCategory.InvalidArgument, "5"
        },
        {
            $"Get-RedisClusterNode -Cluster {Run}-nope",
            "RedisDocker.ClusterNotFound", ErrorCategory.ObjectNotFound, $"{Run}-nope"
        },
        {
            $"Invoke-RedisFailover -SentinelGroup {Run}-nope -Force -Wait -Confirm:$false",
            "RedisDocker.InvalidArgument", ErrorCategory.InvalidArgument, $"{Run}-nope"
        },
        {
            $"Move-RedisClusterSlot -Cluster {Run}-nope -Source a -Destination b -Slot 99999 -Confirm:$false",
            "RedisDocker.InvalidSlot", ErrorCategory.InvalidArgument, "99999"
        },
        {
            $"Get-RedisCredential -Topology {Run}-nope",
            "RedisDocker.NodeNotFound", ErrorCategory.ObjectNotFound, $"{Run}-nope"
        },
        {
            "Connect-RedisDocker -DockerHost ftp://x",
            "RedisDocker.InvalidDockerHost", ErrorCategory.InvalidArgument, "ftp://x"
        },
    };

    [Theory]
    [MemberData(nameof(BadInput))]
    public void EveryErrorRecordHasItsIdCategoryTargetAndSaysWhatToDo(
        string command, string errorId, ErrorCategory category, string target)
    {
        // -ErrorAction Stop turns a non-terminating record into a catchable one; $_ is the original record.
        var output = _ps.Output($"try {{ {command} -ErrorAction Stop; 'no error' }} catch {{ $_ }}");
        var record = Assert.IsType<ErrorRecord>(Assert.Single(output));

        Assert.StartsWith(errorId + ",RedisDocker.Cmdlets.", record.FullyQualifiedErrorId);
        Assert.Equal(category, record.CategoryInfo.Category);
        Assert.NotNull(record.TargetObject);
        Assert.Equal(target, Convert.ToString(record.TargetObject, System.Globalization.CultureInfo.InvariantCulture));
        var message = record.Exception.Message;
        Assert.Matches(Instruction, message);
        Assert.DoesNotContain("(Parameter '", message);
        Assert.DoesNotContain("Exception", message);
    }

    public void Dispose() => _ps.Dispose();
}
