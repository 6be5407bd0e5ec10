using System.Globalization;
using System.Text;
using RedisDocker.Core.Docker;

namespace RedisDocker.Core.Topology;

/// <summary>Topology workflow: a topology on an overlay network written as a Docker Swarm stack file.</summary>
public sealed partial class TopologyOperations
{
    /// <summary>The file name Export-RedisTopology -Format Compose writes for a topology on an overlay.</summary>
    public const string StackFileName = "docker-stack.yml";

    /// <summary>Whether the spec's topology lives on an overlay network (its Compose export is a stack file).</summary>
    public static bool IsOverlayTopology(TopologySpec spec) =>
        spec.Networks.Any(n => Swarm.OverlayNetworks.IsOverlay(n.Driver));

    /// <summary>
    /// One stack file (docker stack deploy -c docker-stack.yml NAME) for a topology on an overlay: a service per
    /// node, placed on the swarm node it runs on now, its data in a named volume there; the overlay made by the stack
    /// (attachable); the password in swarm secrets. Swarm gives services no static address, so the nodes name each
    /// other by service name (DNS on the overlay) where the module uses addresses; the header says what follows.
    /// </summary>
    public static string ToStack(TopologySpec spec) => ToStack(spec, NullSink.Instance);

    /// <summary>The stack file, with a warning through <paramref name="sink"/> for each setting of the topology it
    /// lacks (TLS, ACL users, the user default off).</summary>
    public static string ToStack(TopologySpec spec, IOperationSink sink)
    {
        var stack = StackFile(spec);
        foreach (var w in StackWarnings(spec)) sink.Warning(w);
        return stack;
    }

    /// <summary>What the stack file of the spec lacks, and what to do about it.</summary>
    internal static IReadOnlyList<string> StackWarnings(TopologySpec spec)
    {
        var warnings = new List<string>();
        if (spec.Nodes.Any(n => n.Tls is not null))
            warnings.Add($"Topology '{spec.Name}' uses TLS, but its stack file does not: the certificates are not in "
                + "it and its nodes listen in plain text. Add them as swarm secrets and the tls-* settings to each "
                + "service's command before deploying, or keep the topology on the module.");
        var acl = new[] { spec.Users is { Count: > 0 } ? "ACL users" : null,
            spec.DefaultUserOff == true ? "the user default off" : null }.OfType<string>().ToArray();
        if (acl.Length > 0)
            warnings.Add($"Topology '{spec.Name}' has {string.Join(" and ", acl)}, but its stack file does not: its "
                + "nodes have only the user default, with the password and on. Once deployed, make them again "
                + "(ACL SETUSER on each node, or an aclfile secret).");
        return warnings;
    }

    private static string StackFile(TopologySpec spec)
    {
        InputValidation.ValidateSpec(spec, null);
        var overlay = spec.Networks.FirstOrDefault(n => Swarm.OverlayNetworks.IsOverlay(n.Driver))
            ?? throw Errors.InvalidArgument(
                $"Topology '{spec.Name}' is on no overlay network: its Compose export is one docker-compose.yml per "
                + "Docker host.", spec.Name);
        var byName = spec.Nodes.ToDictionary(n => n.Name);
        var sb = new StringBuilder();
        Header(sb, spec, overlay);
        sb.Append("version: \"3.8\"\nservices:\n");
        foreach (var n in spec.Nodes)
        {
            var cmd = new List<string> { "redis-server", "--port", Num(n.Port),
                "--appendonly", n.AppendOnly ? "yes" : "no", "--protected-mode", "yes",
                // The service name, not an address: what the primary reports for this replica (and Sentinel uses).
                "--replica-announce-ip", n.Name };
            if (n.ClusterEnabled)
                cmd.AddRange(ClusterArgs(n).Concat(new[] { "--cluster-announce-hostname", n.Name,
                    "--cluster-preferred-endpoint-type", "hostname" }));
            cmd.AddRange(BusPortArgs(n));
            cmd.AddRange(MemoryArgs(n));
            if (n.ReplicaOf is not null && !n.ClusterEnabled && byName.TryGetValue(n.ReplicaOf, out var p))
                cmd.AddRange(new[] { "--replicaof", p.Name, Num(p.Port) });
            cmd.AddRange(ConfigArgs(n));
            cmd.AddRange(IncludeSecretArgs());
            StackService(sb, n.Name, ComposeImage(n.Image), cmd, overlay.Name, Placement(n), ComposeNodeSecret);
        }
        var places = spec.Nodes.Select(Placement).Where(p => p is not null).Distinct().ToList();
        foreach (var g in spec.SentinelGroups)
        {
            var primary = byName.GetValueOrDefault(g.Primary);
            for (var i = 1; i <= g.Count; i++)
            {
                // Hostnames: Sentinel resolves the primary's service name and announces its own.
                var conf = $"port {g.Port}\\nsentinel resolve-hostnames yes\\nsentinel announce-hostnames yes\\n"
                    + $"sentinel announce-ip {spec.Name}-sentinel-{i}\\n"
                    + $"sentinel monitor {g.MasterName} {g.Primary} {primary?.Port ?? 6379} {g.Quorum}\\n"
                    + $"sentinel down-after-milliseconds {g.MasterName} {g.DownAfterMs}\\n"
                    + $"sentinel failover-timeout {g.MasterName} {g.FailoverTimeoutMs}\\n"
                    + $"sentinel parallel-syncs {g.MasterName} {g.ParallelSyncs}\\n";
                var cmd = new List<string> { "sh", "-c",
                    $"test -f /data/sentinel.conf || printf '{conf}' > /data/sentinel.conf; exec redis-sentinel "
                        + $"/data/sentinel.conf --include /run/secrets/{ComposeSentinelSecret}" };
                // Spread over the swarm nodes of the topology, so each sentinel's volume stays where it is.
                StackService(sb, $"{spec.Name}-sentinel-{i}", ComposeImage(g.Image), cmd, overlay.Name,
                    places.Count == 0 ? null : places[(i - 1) % places.Count], ComposeSentinelSecret);
            }
        }
        sb.Append("networks:\n  ").Append(overlay.Name).Append(":\n    name: ").Append(overlay.Name)
            .Append("\n    driver: overlay\n    attachable: true\n");
        if (overlay.Internal) sb.Append("    internal: true\n");
        if (overlay.Subnet is not null)
            sb.Append("    ipam:\n      config:\n        - subnet: ").Append(overlay.Subnet).Append('\n');
        sb.Append("volumes:\n");
        foreach (var v in spec.Nodes.Select(n => n.Name + "-data").Concat(spec.SentinelGroups.SelectMany(g =>
            Enumerable.Range(1, g.Count).Select(i => $"{spec.Name}-sentinel-{i}-data"))))
            sb.Append("  ").Append(v).Append(":\n    name: ").Append(v).Append('\n');
        sb.Append("secrets:\n  ").Append(ComposeNodeSecret).Append(":\n    file: ./").Append(ComposeNodeSecret)
            .Append('\n');
        if (spec.SentinelGroups.Count > 0)
            sb.Append("  ").Append(ComposeSentinelSecret).Append(":\n    file: ./").Append(ComposeSentinelSecret)
                .Append('\n');
        return sb.ToString();
    }

    /// <summary>The placement constraint of a node: its swarm node by hostname, or by id when hostnames are shared
    /// (the swarm node's name then carries the id's start); null when the spec records no swarm node.</summary>
    internal static string? Placement(NodeSpecDto n)
    {
        if (n.SwarmNode is { Length: > 0 } name && !name.Contains('/')) return $"node.hostname == {name}";
        return n.SwarmNodeId is { Length: > 0 } id ? $"node.id == {id}" : null;
    }

    private static void Header(StringBuilder sb, TopologySpec spec, NetworkSpecDto overlay)
    {
        void Line(string text) => sb.Append("# ").Append(text).Append('\n');
        Line($"Generated by RedisDocker (Export-RedisTopology -Format Compose) for topology '{spec.Name}' on the "
            + $"overlay '{overlay.Name}':");
        Line("a Docker Swarm stack file. Deploy it from a manager:");
        Line($"  docker stack deploy --compose-file {StackFileName} {spec.Name}");
        Line("The password is not stored here. Before deploying, create next to this file (they become swarm "
            + "secrets):");
        Line($"  {ComposeNodeSecret}, two lines:  requirepass \"<password>\"  and  masterauth \"<password>\"");
        if (spec.SentinelGroups.Count > 0)
            Line($"  {ComposeSentinelSecret}, the lines:  requirepass \"<password>\"  sentinel sentinel-pass "
                + "\"<password>\"" + string.Concat(spec.SentinelGroups.Select(g =>
                    $"  sentinel auth-pass {g.MasterName} \"<password>\"")));
        Line("Inside the double quotes write \\\\ for a backslash and \\\" for a quote (Get-RedisCredential reads "
            + "the password).");
        Line("");
        Line("What Swarm cannot express, and how this file does instead:");
        Line("- Static addresses: services get none (the module gives each node a fixed address on the overlay). The "
            + "nodes name each other by service name (DNS on the overlay,");
        Line("  endpoint_mode dnsrr: the name is the container's own address): replicaof and sentinel monitor name "
            + "the primary's service, replicas announce their");
        Line("  service name (replica-announce-ip), cluster nodes announce it (cluster-announce-hostname, "
            + "cluster-preferred-endpoint-type hostname), and sentinels");
        Line("  resolve and announce hostnames. Clients must therefore run on the overlay (it is attachable: "
            + $"docker run --network {overlay.Name} ...).");
        Line("- Host ports: a service's published port binds every interface of every node (there is no 127.0.0.1 "
            + "binding), so none is published here.");
        Line("- The cluster is not formed by the stack. CLUSTER MEET takes addresses, so once the services run, from "
            + "a container on the overlay:");
        if (spec.Cluster is { Primaries.Count: > 0 } cluster)
        {
            var members = cluster.Primaries.Select(p => p.Name).Concat(cluster.Primaries.SelectMany(p => p.Replicas))
                .ToList();
            var replicas = cluster.Primaries.Max(p => p.Replicas.Count);
            // Each member on its own port: the nodes listen on their own (host) port.
            var portOf = spec.Nodes.ToDictionary(n => n.Name, n => n.Port);
            Line($"    redis-cli -a \"$PASSWORD\" --cluster create {string.Join(" ", members.Select(m =>
                $"$(getent hosts {m} | cut -d' ' -f1):{portOf.GetValueOrDefault(m, 6379)}"))} --cluster-replicas "
                + replicas);
        }
        else Line("    (this topology has no cluster)");
        Line("- Placement: each service runs on the swarm node its node runs on now (its data volume is local to that "
            + "node); a node the spec records on no swarm node");
        Line("  is not constrained. The constraint pins a service: a drained swarm node stops it (it stays pending). "
            + "To move one, fail a primary over first, then");
        Line("  change its constraint (docker service update --constraint-rm/--constraint-add). It starts with an "
            + "empty volume: a replica outside a cluster resyncs");
        Line("  by itself (replicaof), a cluster node joins again as a replica (redis-cli --cluster add-node "
            + "--cluster-slave, after redis-cli --cluster call <node> CLUSTER FORGET <old id>).");
        Line("- The module does not manage the stack (docker stack ps / rm do); its containers carry no module "
            + "labels. The overlay is made by the stack: remove the");
        Line($"  module's own '{overlay.Name}' (Remove-RedisTopology) or deploy on another swarm.");
        if (spec.Nodes.Any(n => n.Tls is not null))
            Line("- TLS: the certificates are not in this file; the nodes listen without TLS.");
        if (spec.Nodes.Any(n => n.AnnounceAddress is not null))
            Line("- Host-network nodes of the topology are services on the overlay here.");
    }

    private static void StackService(StringBuilder sb, string name, string image, IReadOnlyList<string> cmd,
        string network, string? placement, string secret)
    {
        sb.Append("  ").Append(name).Append(":\n");
        sb.Append("    image: ").Append(Yaml(image)).Append('\n');
        sb.Append("    hostname: ").Append(name).Append('\n');
        sb.Append("    command: [").Append(string.Join(", ", cmd.Select(Yaml))).Append("]\n");
        sb.Append("    secrets:\n      - ").Append(secret).Append('\n');
        sb.Append("    volumes:\n      - ").Append(name).Append("-data:/data\n");
        sb.Append("    networks:\n      - ").Append(network).Append('\n');
        sb.Append("    deploy:\n      replicas: 1\n      endpoint_mode: dnsrr\n");
        if (placement is not null)
            sb.Append("      placement:\n        constraints:\n          - ").Append(Yaml(placement)).Append('\n');
        sb.Append("      restart_policy:\n        condition: any\n");
    }
}
