using System.Text;
using RedisDocker.Core.Docker;
using RedisDocker.Core.Topology;

namespace RedisDocker.Core.Security;

/// <summary>ACL users in node creation (the hook of NodeOperations.CreateAsync): every Redis node starts with the
/// users of its topology.</summary>
public static class NodeAcl
{
    /// <summary>
    /// Writes the node's aclfile before it starts: the default user with the topology password, then the users of
    /// the topology read from another of its Redis nodes' aclfile (running or not): a node added later (a replica,
    /// Add-RedisClusterNode, a node recreated on a kept volume) has the same users as the others, default off where
    /// the others have it off. With <paramref name="admin"/> the file also holds the module's admin user. Sentinels
    /// get none.
    /// </summary>
    public static async Task UploadAsync(RedisDockerSession session, DockerClient docker, NodeSpec s,
        string topology, string password, bool admin, CancellationToken ct)
    {
        if (s.Sentinel is not null) return;
        var peers = await PeerLinesAsync(session, topology, s.Name, ct).ConfigureAwait(false);
        await AclOperations.UploadAsync(docker, s.Name, AclFile.Render(password, peers, admin), ct)
            .ConfigureAwait(false);
    }

    private static async Task<IReadOnlyList<string>> PeerLinesAsync(RedisDockerSession session, string topology,
        string self, CancellationToken ct)
    {
        foreach (var (docker, list) in await session.OnEveryEngineAsync(
                     (d, c) => d.ListContainersAsync(Labels.ForTopology(topology), all: true, c), NullSink.Instance, ct)
                     .ConfigureAwait(false))
            foreach (var c in list.Where(c => c.Labels.Get(Labels.Kind) == Labels.KindNode)
                         .OrderByDescending(c => c.State == "running").ThenBy(c => c.Created))
            {
                if (c.Names.Any(n => n.TrimStart('/') == self)) continue;
                byte[]? text;
                try { text = await docker.ReadFileAsync(c.Id, AclFile.Path, ct).ConfigureAwait(false); }
                catch (DockerException) { continue; }
                if (text is null) continue;
                return AclFile.LinesOf(Encoding.UTF8.GetString(text));
            }
        return Array.Empty<string>();
    }
}
