using System.Text;
using RedisDocker.Core.Backup;
using RedisDocker.Core.Topology;
using Xunit;

namespace RedisDocker.Core.Tests.Unit;

/// <summary>Issue 16 without Docker: the spec of a backup renamed and moved to another subnet, and the checks of a
/// backup folder (checksums, manifest, owner-only permissions).</summary>
public class BackupUnitTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "rdk-bku-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private static TopologySpec Spec() => new(TopologySpec.CurrentFormat, "shop", DateTimeOffset.UnixEpoch,
        new PasswordReferenceDto("node-configuration", "none"),
        new[] { new NetworkSpecDto("shop", "172.24.3.0/24", "172.24.3.1", false, null) },
        new[]
        {
            new NodeSpecDto("shop-1", "shop", "172.24.3.10", 41001, null, true, 5000, true, null, null, null, null,
                null,
                Topology: "shop"),
            new NodeSpecDto("shop-2", "shop", "172.24.3.11", 41002, null, true, 5000, true, null, null, null, null,
                null,
                Topology: "shop"),
            new NodeSpecDto("cache", "shop", "172.24.3.12", 6380, null, false, null, true, null, null, "shop-1", null,
                null),
        },
        new ClusterSpecDto(new[] { new ClusterPrimaryDto("shop-1", new[] { "0-16383" }, new[] { "shop-2" }) }),
        Array.Empty<SentinelGroupDto>());

    [Fact]
    public void ARenamedSpecRenamesNodesNetworksAndReferencesAndKeepsHostParts()
    {
        var s = SpecRewriter.Rewrite(Spec(), "shop2", "172.25.9.0/24");
        Assert.Equal("shop2", s.Name);
        Assert.Equal(new[] { "shop2-1", "shop2-2", "shop2-cache" }, s.Nodes.Select(n => n.Name));
        Assert.All(s.Nodes, n => Assert.Equal("shop2", n.Network));
        Assert.Equal(new[] { "172.25.9.10", "172.25.9.11", "172.25.9.12" }, s.Nodes.Select(n => n.IPAddress));
        Assert.Equal("172.25.9.0/24", s.Networks[0].Subnet);
        Assert.Equal("172.25.9.1", s.Networks[0].Gateway);
        Assert.Equal("shop2-1", s.Nodes[2].ReplicaOf);
        Assert.Equal("shop2-1", s.Cluster!.Primaries[0].Name);
        Assert.Equal(new[] { "shop2-2" }, s.Cluster.Primaries[0].Replicas);
        // Cluster nodes let Docker pick their host port; a standalone node keeps its own port.
        Assert.Equal(new[] { 6379, 6379, 6380 }, s.Nodes.Select(n => n.Port));
    }

    [Fact]
    public void ASubnetTooSmallForTheAddressesIsRefused()
    {
        var e = Assert.Throws<RedisDockerException>(() => SpecRewriter.Rewrite(Spec(), null, "172.25.9.0/29"));
        Assert.Equal(ErrorIds.InvalidSubnet, e.ErrorId);
    }

    private BackupManifest WriteBackup()
    {
        BackupFolder.Create(_dir);
        var rdb = Encoding.ASCII.GetBytes("REDIS0010 some data");
        BackupFolder.WriteFile(Path.Combine(_dir, "data", "shop-1.rdb"), rdb);
        var manifest = new BackupManifest(BackupManifest.CurrentFormat, "shop", DateTimeOffset.UnixEpoch, "1.0.0",
            Spec(),
            new[] { new BackupNodeEntry("shop-1", "Primary", new[] { "0-16383" }, "7.0.15", true, 1, "data/shop-1.rdb",
                BackupFolder.Sha256(rdb), rdb.Length, DateTimeOffset.UnixEpoch) });
        BackupFolder.WriteManifest(_dir, manifest);
        return manifest;
    }

    [Fact]
    public void AnIntactBackupReadsBackWithItsDataAndOwnerOnlyModes()
    {
        WriteBackup();
        var (manifest, data) = BackupFolder.ReadVerified(_dir);
        Assert.Equal("shop", manifest.Topology);
        Assert.StartsWith("REDIS", Encoding.ASCII.GetString(data["shop-1"]));
        if (OperatingSystem.IsWindows()) return;
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute,
            File.GetUnixFileMode(_dir));
        foreach (var f in Directory.EnumerateFiles(_dir, "*", SearchOption.AllDirectories))
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(f));
    }

    [Theory]
    [InlineData("data/shop-1.rdb")]
    [InlineData("manifest.json")]
    [InlineData("SHA256SUMS")]
    public void AnAlteredOrMissingFileIsBackupCorrupted(string file)
    {
        WriteBackup();
        File.AppendAllText(Path.Combine(_dir, file), "x");
        var e = Assert.Throws<RedisDockerException>(() => BackupFolder.ReadVerified(_dir));
        Assert.Equal(ErrorIds.BackupCorrupted, e.ErrorId);
        File.Delete(Path.Combine(_dir, file));
        var missing = Assert.Throws<RedisDockerException>(() => BackupFolder.ReadVerified(_dir));
        Assert.Equal(ErrorIds.BackupCorrupted, missing.ErrorId);
    }
}
