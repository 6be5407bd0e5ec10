using RedisDocker.Core.Topology;
using Xunit;

namespace RedisDocker.Core.Tests.Unit;

public class SentinelQuorumTests
{
    [Theory]
    [InlineData(3, 2)]
    [InlineData(5, 3)]
    [InlineData(5, 2)]
    [InlineData(4, 2)]
    [InlineData(4, 3)]
    [InlineData(7, 4)]
    public void SoundLayouts_HaveNoWarnings(int count, int quorum)
    {
        Assert.Empty(SentinelOperations.ValidateQuorum(count, quorum));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void CountBelowOne_Throws(int count)
    {
        var ex = Assert.Throws<RedisDockerException>(() => SentinelOperations.ValidateQuorum(count, 1));
        Assert.Equal(ErrorIds.SentinelQuorumInvalid, ex.ErrorId);
        Assert.Equal(ErrorKind.InvalidArgument, ex.Kind);
        Assert.Equal(count, ex.Target);
        Assert.Contains("-Count must be at least 1", ex.Message);
    }

    [Theory]
    [InlineData(3, 0)]
    [InlineData(3, -1)]
    [InlineData(3, 4)]
    [InlineData(1, 2)]
    public void QuorumOutOfRange_Throws(int count, int quorum)
    {
        var ex = Assert.Throws<RedisDockerException>(() => SentinelOperations.ValidateQuorum(count, quorum));
        Assert.Equal(ErrorIds.SentinelQuorumInvalid, ex.ErrorId);
        Assert.Equal(ErrorKind.InvalidArgument, ex.Kind);
        Assert.Equal(quorum, ex.Target);
        Assert.Contains($"-Quorum {quorum} cannot be reached by {count} sentinel(s)", ex.Message);
        Assert.Contains($"Give -Quorum {count / 2 + 1} (usual for {count} sentinels)", ex.Message);
    }

    [Fact]
    public void SingleSentinel_WarnsTwice()
    {
        var w = SentinelOperations.ValidateQuorum(1, 1);
        Assert.Equal(2, w.Count);
        Assert.Contains("A single sentinel", w[0]);
        Assert.Contains("Use -Count 3", w[0]);
        Assert.Contains("After the loss of one sentinel, 0 remain", w[1]);
        Assert.Contains("majority of 1", w[1]);
    }

    [Theory]
    [InlineData(2, 1)]
    [InlineData(2, 2)]
    public void TwoSentinels_CannotLoseOne(int count, int quorum)
    {
        var w = Assert.Single(SentinelOperations.ValidateQuorum(count, quorum));
        Assert.Contains("After the loss of one sentinel, 1 remain", w);
        Assert.Contains("majority of 2 needed to authorise a failover", w);
        Assert.Contains("at least 3 sentinels with a quorum of 2", w);
    }

    [Fact]
    public void QuorumEqualToCount_WarnsAboutTheQuorum()
    {
        var w = Assert.Single(SentinelOperations.ValidateQuorum(3, 3));
        Assert.Contains("After the loss of one sentinel, 2 remain", w);
        Assert.Contains("quorum of 3", w);
        Assert.DoesNotContain("majority", w);
    }

    [Fact]
    public void QuorumAboveMajorityButReachable_NoWarning()
    {
        // 5 sentinels, quorum 4: one can be lost and 4 remain.
        Assert.Empty(SentinelOperations.ValidateQuorum(5, 4));
        // quorum 5 of 5: losing one makes the quorum unreachable.
        Assert.Contains("quorum of 5", Assert.Single(SentinelOperations.ValidateQuorum(5, 5)));
    }
}
