using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using RedisDocker.Core.Docker;

namespace RedisDocker.Core.Topology;

/// <summary>
/// Checks every value a user (or an imported spec) gives before anything is created: names, addresses,
/// ports, the image reference, labels, the password, and every configuration value, through
/// <see cref="RedisConfigRenderer.Problems(RedisServerConfig)"/>. Pure: no Docker call.
/// </summary>
public static class InputValidation
{
    // The grammar of docker/distribution's reference package: [domain[:port]/]path[:tag][@digest].
    private static readonly Regex s_image = new(
        // A first component is a registry only with a dot, a port, or as localhost; otherwise it is a lower-case path.
        @"^(?:(?:localhost(?::[0-9]{1,5})?|[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?" +
        @"(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)+" +
        @"(?::[0-9]{1,5})?" +
        @"|[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?:[0-9]{1,5})/)?" +
        @"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*" +
        @"(?::[a-zA-Z0-9_][a-zA-Z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?\z", RegexOptions.CultureInvariant);

    private static readonly Regex s_slotRange = new(@"^[0-9]{1,5}(-[0-9]{1,5})?\z", RegexOptions.CultureInvariant);

    /// <summary>Labels in the module's namespace are set by the module only.</summary>
    public const string ReservedLabelPrefix = "io.redisdocker.";

    private static RedisDockerException Invalid(string id, string message, object? target) =>
        Errors.InvalidInput(id, message, target);

    private static string P(string? s) => RedisConfigRenderer.Printable(s ?? "");

    /// <summary>An image reference Docker accepts; InvalidImage otherwise.</summary>
    public static void ValidateImage(string? image, object? target = null)
    {
        if (image is null) return;
        if (image.Length is 0 or > 255 || !s_image.IsMatch(image))
            throw Invalid(ErrorIds.InvalidImage,
                $"'{P(image)}' is not a valid image reference: use [registry/]name[:tag] in lower case, e.g. "
                    + "redis:7.4.", target ?? image);
    }

    /// <summary>A password the nodes can hold and clients can send; returns warnings (a short password).</summary>
    public static IReadOnlyList<string> ValidatePassword(string? password, object? target = null)
    {
        if (password is null) return Array.Empty<string>();
        if (RedisConfigRenderer.PasswordProblem(password) is { } problem)
            throw Invalid(ErrorIds.InvalidPassword, problem, target);
        return password.Length < RedisConfigRenderer.RecommendedPasswordLength
            ? new[] { $"The password has {password.Length} characters; use at least "
                + $"{RedisConfigRenderer.RecommendedPasswordLength} (or leave -Password out to have one generated)." }
            : Array.Empty<string>();
    }

    /// <summary>Whether the address is one of 0.0.0.0 and :: (every interface).</summary>
    public static bool IsAnyAddress(string address) =>
        IPAddress.TryParse(address, out var ip) && (ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any));

    /// <summary>
    /// The host address a port is published on: an IP address literal (Docker publishes an unknown or
    /// name-like address on every interface), and 0.0.0.0/:: only when allowed explicitly.
    /// </summary>
    public static void ValidateHostAddress(string? hostIp, bool allowAllInterfaces, object? target = null)
    {
        if (hostIp is null || !IsIpLiteral(hostIp))
            throw Invalid(ErrorIds.IPAddressInvalid,
                $"-HostAddress '{P(hostIp)}' is not an IP address: give an address of this host, such as 127.0.0.1 "
                    + "(host names like localhost are not accepted; Docker would publish them on every interface).",
                target ?? hostIp);
        if (IsAnyAddress(hostIp) && !allowAllInterfaces)
            throw Invalid(ErrorIds.IPAddressInvalid,
                $"-HostAddress {hostIp} publishes the node on every interface of the host. Add -AllowAllInterfaces if "
                    + "that is what you want, or give one address of this host (127.0.0.1 by default).",
                target ?? hostIp);
    }

    /// <summary>An IPv4 address in dotted decimal, or an IPv6 address (no names, no shorthand like "1" or
    /// "1.2").</summary>
    public static bool IsIpLiteral(string s) =>
        IPv4Cidr.TryParseAddress(s, out _) ||
        (s.Contains(':') && IPAddress.TryParse(s, out var ip) && ip.AddressFamily == AddressFamily.InterNetworkV6
            && !s.Contains('%'));

    /// <summary>Extra Docker labels: printable, and outside the module's namespace.</summary>
    public static void ValidateLabels(IReadOnlyDictionary<string, string>? labels, object? target = null)
    {
        if (labels is null) return;
        foreach (var (k, v) in labels)
        {
            if (string.IsNullOrWhiteSpace(k) || RedisConfigRenderer.IndexOfControl(k) >= 0 || k.Length > 255)
                throw Invalid(ErrorIds.InvalidArgument,
                    $"'{P(k)}' is not a label name: use printable text, such as com.example.team.", target ?? k);
            if (k.StartsWith(ReservedLabelPrefix, StringComparison.OrdinalIgnoreCase))
                throw Invalid(ErrorIds.InvalidArgument,
                    $"The label '{P(k)}' is in RedisDocker's namespace ({ReservedLabelPrefix}*), which the module "
                        + "sets itself. Choose another label name.", target ?? k);
            if (v is null || RedisConfigRenderer.IndexOfControl(v) >= 0)
                throw Invalid(ErrorIds.InvalidArgument,
                    $"The value of label '{P(k)}' must be one line of printable text.", target ?? k);
        }
    }

    /// <summary>A Docker host string the session can parse (no connection is made).</summary>
    public static void ValidateDockerHost(string? dockerHost, object? target = null)
    {
        if (dockerHost is null) return;
        try
        {
            if (RedisConfigRenderer.IndexOfControl(dockerHost) >= 0) throw new ArgumentException("it contains a "
                + "control character.");
            DockerEndpoint.Parse(dockerHost);
        }
        catch (ArgumentException e)
        {
            throw Invalid(ErrorIds.InvalidDockerHost,
                $"-DockerHost '{P(dockerHost)}' is not a Docker host: {e.Message}", target ?? dockerHost);
        }
        catch (FormatException e)
        {
            throw Invalid(ErrorIds.InvalidDockerHost,
                $"-DockerHost '{P(dockerHost)}' is not a Docker host: {e.Message}", target ?? dockerHost);
        }
    }

    /// <summary>
    /// Everything about one node that can be checked without Docker, including its whole configuration
    /// rendered once with placeholders. Returns warnings.
    /// </summary>
    public static IReadOnlyList<string> ValidateNode(NodeSpec s)
    {
        if (s is null) throw Invalid(ErrorIds.InvalidArgument, "A node spec is missing.", null);
        NetworkOperations.ValidateName(s.Name, "node");
        if (!s.HostNetwork) NetworkOperations.ValidateName(s.Network, "network");
        if (s.Topology is not null) NetworkOperations.ValidateName(s.Topology, "topology");
        ValidateDockerHost(s.DockerHost, s.Name);
        ValidateImage(s.Image, s.Name);
        // On a Docker network a cluster node above 55535 takes port - 10000 as its bus port (HostEndpoints.BusPortOf);
        // with host networking the bus port is port + 10000 unless given.
        if (s.Port is < 1 or > 65535
            || (s.ClusterEnabled && s.HostNetwork && s.BusPort is null && HostEndpoints.HasBusBelow(s.Port)))
            throw Invalid(ErrorIds.InvalidConfig,
                s.ClusterEnabled
                    ? $"Port {s.Port} is out of range for a cluster node (1-55535: the bus port is port+10000)."
                        : $"Port {s.Port} is out of range (1-65535).", s.Name);
        if (s.HostPort is < 1 or > 65535)
            throw Invalid(ErrorIds.InvalidConfig, $"Host port {s.HostPort} is out of range (1-65535).", s.Name);
        if (s.BusPort is < 1 or > 65535)
            throw Invalid(ErrorIds.InvalidConfig, $"Bus port {s.BusPort} is out of range (1-65535).", s.Name);
        if (!s.HostNetwork) ValidateHostAddress(s.HostIp, s.AllowAllInterfaces, s.Name);
        if (s.IPAddress is not null && !IPv4Cidr.TryParseAddress(s.IPAddress, out _))
            throw Invalid(ErrorIds.IPAddressInvalid, $"-IPAddress '{P(s.IPAddress)}' is not an IPv4 address.", s.Name);
        if (s.AnnounceAddress is not null && !IPv4Cidr.TryParseAddress(s.AnnounceAddress, out _))
            throw Invalid(ErrorIds.IPAddressInvalid,
                $"-AnnounceAddress '{P(s.AnnounceAddress)}' is not an IPv4 address of the Docker host.", s.Name);
        ValidateLabels(s.Labels, s.Name);
        var warnings = ValidatePassword(s.Password, s.Name);
        // The configuration, rendered with placeholders for what is chosen later (address, password).
        var problems = s.Sentinel is { } sentinel
            ? RedisConfigRenderer.Problems(sentinel
                with { Password = "placeholder-password", AnnounceIp = "127.0.0.1", Port = s.Port })
            : RedisConfigRenderer.Problems(NodeOperations.ServerConfigOf(s, s.AnnounceAddress ?? "127.0.0.1",
                "placeholder-password"));
        if (problems.FirstOrDefault() is { } problem) throw Invalid(ErrorIds.InvalidConfig, problem, s.Name);
        return warnings;
    }

    /// <summary>
    /// A whole imported spec, before anything is created: every field of every network, node, cluster
    /// primary and sentinel group, and the references between them.
    /// </summary>
    public static IReadOnlyList<string> ValidateSpec(TopologySpec spec, string? password)
    {
        if (spec is null) throw Invalid(ErrorIds.InvalidConfig, "The topology spec is empty.", null);
        NetworkOperations.ValidateName(spec.Name, "topology");
        if (spec.Networks is null || spec.Nodes is null || spec.SentinelGroups is null)
            throw Invalid(ErrorIds.InvalidConfig,
                $"Topology spec '{spec.Name}' lacks networks, nodes or sentinelGroups (give [] for none).", spec.Name);
        var warnings = new List<string>(ValidatePassword(password, spec.Name));
        var networks = new HashSet<string>(StringComparer.Ordinal);
        var subnets = new Dictionary<string, IPv4Cidr>(StringComparer.Ordinal);
        foreach (var n in spec.Networks)
        {
            if (n is null) throw Invalid(ErrorIds.InvalidConfig, "A network of the spec is null.", spec.Name);
            NetworkOperations.ValidateName(n.Name, "network");
            if (!networks.Add(n.Name)) throw Invalid(ErrorIds.NetworkNameTaken,
                $"Network '{n.Name}' is in the spec twice.", n.Name);
            if (n.Subnet is not null && !IPv4Cidr.TryParse(n.Subnet, out _, out var why))
                throw Invalid(ErrorIds.InvalidSubnet,
                    $"Network '{n.Name}': subnet '{P(n.Subnet)}' is not valid{(why.Length > 0 ? $" ({why})" : "")}.",
                        n.Name);
            if (n.Gateway is not null && !IPv4Cidr.TryParseAddress(n.Gateway, out _))
                throw Invalid(ErrorIds.IPAddressInvalid,
                    $"Network '{n.Name}': gateway '{P(n.Gateway)}' is not an IPv4 address.", n.Name);
            if (n.Subnet is not null && IPv4Cidr.TryParse(n.Subnet, out var cidr, out _))
            {
                subnets[n.Name] = cidr;
                if (n.Gateway is not null && !cidr.Contains(n.Gateway))
                    throw Invalid(ErrorIds.IPAddressInvalid,
                        $"Network '{n.Name}': gateway {n.Gateway} is not in its subnet {cidr}.", n.Name);
            }
            ValidateDockerHost(n.DockerHost, n.Name);
            if (n.Driver is not null) Swarm.OverlayNetworks.NormalizeDriver(n.Driver);
        }
        var nodes = new Dictionary<string, NodeSpecDto>(StringComparer.OrdinalIgnoreCase);
        foreach (var n in spec.Nodes)
        {
            if (n is null) throw Invalid(ErrorIds.InvalidConfig, "A node of the spec is null.", spec.Name);
            if (n.Name is not null && !nodes.TryAdd(n.Name, n)) throw Invalid(ErrorIds.NodeNameTaken,
                $"Node '{n.Name}' is in the spec twice.", n.Name);
            if (n.Config is not null && n.Config.Any(kv => kv.Value is null))
                throw Invalid(ErrorIds.InvalidConfig, $"Node '{P(n.Name)}': a config value is null.", n.Name);
            if (n.Tls is not null && Security.TlsOptions.FromLabel(n.Tls) is null)
                throw Invalid(ErrorIds.InvalidConfig,
                    $"Node '{P(n.Name)}': Tls is '{P(n.Tls)}', not yes, optional or no.",
                    n.Name);
            warnings.AddRange(ValidateNode(ToNodeSpec(spec, n, password)));
            if (n.AnnounceAddress is null && !networks.Contains(n.Network))
                throw Invalid(ErrorIds.NetworkNotFound,
                    $"Node '{n.Name}' is on network '{n.Network}', which the spec does not define.", n.Name);
            if (n.AnnounceAddress is null && n.IPAddress is not null && subnets.TryGetValue(n.Network, out var subnet)
                && !subnet.Contains(n.IPAddress))
                throw Invalid(ErrorIds.IPAddressInvalid,
                    $"Node '{n.Name}': {n.IPAddress} is not in the subnet {subnet} of network '{n.Network}'.", n.Name);
        }
        foreach (var n in spec.Nodes.Where(n => n.ReplicaOf is not null && !n.ClusterEnabled))
            if (!nodes.ContainsKey(n.ReplicaOf!))
                throw Invalid(ErrorIds.NodeNotFound,
                    $"Node '{n.Name}' replicates '{P(n.ReplicaOf)}', which is not a node of the spec.", n.Name);
        if (spec.Cluster is { } cluster)
        {
            if (cluster.ClientEndpoint is { } ce
                && (!Enum.TryParse<ClusterClientEndpoint>(ce, true, out _) || int.TryParse(ce, out _)))
                throw Invalid(ErrorIds.InvalidArgument,
                    $"Cluster clientEndpoint '{P(ce)}' is neither Host nor Container (leave it out for Host).", ce);
            if (cluster.Primaries is null) throw Invalid(ErrorIds.InvalidConfig,
                "The spec's cluster has no primaries (give [] for none).", spec.Name);
            foreach (var p in cluster.Primaries)
            {
                if (p is null || p.Name is null || !nodes.TryGetValue(p.Name, out var pn) || !pn.ClusterEnabled)
                    throw Invalid(ErrorIds.ClusterModeRequired,
                        $"Cluster primary '{P(p?.Name)}' is not a cluster-enabled node of the spec.", p?.Name);
                foreach (var r in p.Replicas ?? Array.Empty<string>())
                    if (r is null || !nodes.TryGetValue(r, out var rn) || !rn.ClusterEnabled)
                        throw Invalid(ErrorIds.ClusterModeRequired,
                            $"Cluster replica '{P(r)}' of '{p.Name}' is not a cluster-enabled node of the spec.", r);
                foreach (var range in p.Slots ?? Array.Empty<string>())
                {
                    var parts = range is not null && s_slotRange.IsMatch(range) ? range.Split('-') : null;
                    var a = parts is null ? -1 : int.Parse(parts[0], CultureInfo.InvariantCulture);
                    var b = parts is null ? -1 : parts.Length > 1 ? int.Parse(parts[1], CultureInfo.InvariantCulture)
                        : a;
                    if (parts is null || a > 16383 || b > 16383 || b < a)
                        throw Invalid(ErrorIds.InvalidSlot,
                            $"Cluster primary '{p.Name}': '{P(range)}' is not a slot or slot range within 0-16383.",
                                p.Name);
                }
            }
        }
        var groups = new HashSet<string>(StringComparer.Ordinal);
        foreach (var g in spec.SentinelGroups)
        {
            if (g is null) throw Invalid(ErrorIds.InvalidConfig, "A sentinel group of the spec is null.", spec.Name);
            NetworkOperations.ValidateName(g.MasterName, "master");
            if (!groups.Add(g.MasterName)) throw Invalid(ErrorIds.NodeNameTaken,
                $"Sentinel group '{g.MasterName}' is in the spec twice.", g.MasterName);
            if (g.Primary is null || !nodes.TryGetValue(g.Primary, out var primary) || primary.ClusterEnabled)
                throw Invalid(ErrorIds.NodeNotFound,
                    $"Sentinel group '{g.MasterName}' watches '{P(g.Primary)}', which is not a non-cluster node of "
                        + "the spec.", g.MasterName);
            if (g.Count is < 1 or > 15 || g.Quorum < 1 || g.Quorum > g.Count)
                throw Invalid(ErrorIds.SentinelQuorumInvalid,
                    $"Sentinel group '{g.MasterName}': {g.Count} sentinel(s) with quorum {g.Quorum}; give 1-15 "
                        + "sentinels and a quorum from 1 to their count.", g.MasterName);
            if (g.Port is < 1 or > 65535) throw Invalid(ErrorIds.InvalidConfig,
                $"Sentinel group '{g.MasterName}': port {g.Port} is out of range (1-65535).", g.MasterName);
            if (g.DownAfterMs < 1 || g.FailoverTimeoutMs < 1 || g.ParallelSyncs < 1)
                throw Invalid(ErrorIds.InvalidConfig,
                    $"Sentinel group '{g.MasterName}': downAfterMs, failoverTimeoutMs and parallelSyncs must be "
                        + "positive.", g.MasterName);
            ValidateImage(g.Image, g.MasterName);
            // The names New-RedisSentinel gives must be valid node names too.
            NetworkOperations.ValidateName($"{spec.Name}-sentinel-{g.Count}", "sentinel");
        }
        Security.AclTransfer.Validate(spec.Users, spec.Name);
        return warnings;
    }

    /// <summary>The node an imported spec entry makes (also used by the import itself).</summary>
    public static NodeSpec ToNodeSpec(TopologySpec spec, NodeSpecDto n, string? password) => new()
    {
        Name = n.Name,
        Network = n.Network,
        IPAddress = n.IPAddress,
        Port = n.Port,
        Image = n.Image,
        Password = password,
        ClusterEnabled = n.ClusterEnabled,
        ClusterNodeTimeoutMs = n.ClusterNodeTimeoutMs ?? 5000,
        AppendOnly = n.AppendOnly,
        MaxMemory = n.MaxMemory,
        MaxMemoryPolicy = n.MaxMemoryPolicy,
        Config = (n.Config ?? new Dictionary<string, string>())
            .Select(kv => new KeyValuePair<string, string>(kv.Key, kv.Value)).ToArray(),
        DockerHost = n.DockerHost,
        HostIp = n.HostAddress ?? "127.0.0.1",
        HostNetwork = n.AnnounceAddress is not null,
        AnnounceAddress = n.AnnounceAddress,
        Topology = n.AnnounceAddress is not null ? spec.Name : null,
        Tls = Security.TlsOptions.FromLabel(n.Tls),
    };
}
