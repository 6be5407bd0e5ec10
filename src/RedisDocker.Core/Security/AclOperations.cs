using System.Text;
using RedisDocker.Core.Docker;
using RedisDocker.Core.Topology;

namespace RedisDocker.Core.Security;

/// <summary>
/// New-, Get-, Set- and Remove-RedisUser: ACL users on every Redis node of a topology (primaries and replicas,
/// cluster or not; sentinels keep their own single password). A change is made with ACL SETUSER / ACL DELUSER on
/// every running node and saved with ACL SAVE into the node's aclfile (/data/users.acl, in its volume), so it
/// survives restarts; a stopped node gets the file written into its volume. Passwords are sent as command arguments
/// only: never in labels, logs or messages, and the nodes keep only their SHA-256. The module's own users are
/// reserved: default may only be turned off or on (off where every node has the admin user), the admin user
/// (AclFile.AdminUser) not at all.
/// </summary>
public sealed class AclOperations : Workflow
{
    private readonly NodeOperations _nodes;

    internal AclOperations(RedisDockerSession session, IOperationSink sink, NodeOperations nodes)
        : base(session, sink) => _nodes = nodes;

    /// <summary>The users of a topology (the default user included), optionally only those named.</summary>
    public async Task<IReadOnlyList<RedisUser>> GetAsync(string topology, IReadOnlyList<string>? names,
        CancellationToken ct)
    {
        var (running, _, password) = await NodesAsync(topology, ct).ConfigureAwait(false);
        var lines = await ListAsync(running[0], password, ct).ConfigureAwait(false);
        var users = lines.Select(l => AclFile.Parse(topology, l)).ToList();
        if (names is null || names.Count == 0) return users;
        var result = new List<RedisUser>();
        foreach (var n in names)
        {
            var match = users.Where(u => Like(u.Name, n)).ToList();
            if (match.Count == 0 && !n.Contains('*', StringComparison.Ordinal))
                throw Errors.UserNotFound($"Topology '{topology}' has no user '{n}'. Get-RedisUser -Topology "
                    + $"{topology} lists its users; New-RedisUser makes one.", n);
            result.AddRange(match.Where(u => !result.Contains(u)));
        }
        return result;
    }

    private static bool Like(string name, string pattern) =>
        System.Text.RegularExpressions.Regex.IsMatch(name,
            "^" + System.Text.RegularExpressions.Regex.Escape(pattern).Replace("\\*", ".*", StringComparison.Ordinal)
                .Replace("\\?", ".", StringComparison.Ordinal) + "$",
            System.Text.RegularExpressions.RegexOptions.IgnoreCase);

    /// <summary>Makes a user on every node: on, with the password and the rules given.</summary>
    public async Task<RedisUser> NewAsync(string topology, string name, string userPassword, string permission,
        bool disabled, CancellationToken ct)
    {
        CheckName(name);
        RefuseReserved(name, "made");
        if (RedisConfigRenderer.PasswordProblem(userPassword) is { } problem)
            throw Errors.InvalidArgument(problem.Replace("-Password out to have one generated",
                "-Password to a longer one", StringComparison.Ordinal), name);
        var rules = AclFile.RulesOf(permission);
        var nodes = await NodesAsync(topology, ct).ConfigureAwait(false);
        var existing = await ListAsync(nodes.Running[0], nodes.Password, ct).ConfigureAwait(false);
        if (existing.Any(l => AclFile.NameOf(l) == name))
            throw Errors.UserExists($"Topology '{topology}' has a user '{name}' already: change it with "
                + "Set-RedisUser, or remove it with Remove-RedisUser first.", name);
        var args = new List<object> { "ACL", "SETUSER", name, "reset", disabled ? "off" : "on", ">" + userPassword };
        args.AddRange(rules);
        await ApplyAsync(nodes, args, userPassword, ct).ConfigureAwait(false);
        _sink.Verbose($"User '{name}' made on every node of topology '{topology}' ({string.Join(' ', rules)}).");
        return (await GetAsync(topology, new[] { name }, ct).ConfigureAwait(false))[0];
    }

    /// <summary>Changes a user on every node: its rules (replaced), its password (replaced), on or off.</summary>
    public async Task<RedisUser> SetAsync(string topology, string name, string? permission, string? userPassword,
        bool? enabled, CancellationToken ct)
    {
        CheckName(name);
        if (name == AclFile.DefaultUser && permission is null && userPassword is null && enabled is bool onOff)
            return await SetDefaultAsync(topology, onOff, ct).ConfigureAwait(false);
        RefuseReserved(name, "changed");
        if (userPassword is not null && RedisConfigRenderer.PasswordProblem(userPassword) is { } problem)
            throw Errors.InvalidArgument(problem.Replace("-Password out to have one generated",
                "-Password to a longer one", StringComparison.Ordinal), name);
        var rules = permission is null ? Array.Empty<string>() : AclFile.RulesOf(permission);
        var nodes = await NodesAsync(topology, ct).ConfigureAwait(false);
        var existing = await ListAsync(nodes.Running[0], nodes.Password, ct).ConfigureAwait(false);
        if (!existing.Any(l => AclFile.NameOf(l) == name))
            throw Errors.UserNotFound($"Topology '{topology}' has no user '{name}': make it with New-RedisUser.", name);
        var args = new List<object> { "ACL", "SETUSER", name };
        if (permission is not null) args.AddRange(new[] { "resetkeys", "resetchannels", "-@all" });
        args.AddRange(rules);
        if (userPassword is not null) args.AddRange(new[] { "resetpass", ">" + userPassword });
        if (enabled is bool on) args.Add(on ? "on" : "off");
        if (args.Count == 3) return AclFile.Parse(topology, existing.First(l => AclFile.NameOf(l) == name));
        await ApplyAsync(nodes, args, userPassword, ct).ConfigureAwait(false);
        _sink.Verbose($"User '{name}' changed on every node of topology '{topology}'.");
        return (await GetAsync(topology, new[] { name }, ct).ConfigureAwait(false))[0];
    }

    /// <summary>Removes a user from every node (its open connections are closed by Redis).</summary>
    public async Task RemoveAsync(string topology, string name, CancellationToken ct)
    {
        RefuseReserved(name, "removed");
        var nodes = await NodesAsync(topology, ct).ConfigureAwait(false);
        var existing = await ListAsync(nodes.Running[0], nodes.Password, ct).ConfigureAwait(false);
        if (!existing.Any(l => AclFile.NameOf(l) == name))
            throw Errors.UserNotFound($"Topology '{topology}' has no user '{name}'.", name);
        await ApplyAsync(nodes, new object[] { "ACL", "DELUSER", name }, null, ct).ConfigureAwait(false);
        _sink.Verbose($"User '{name}' removed from every node of topology '{topology}'.");
    }

    private static void CheckName(string name)
    {
        if (AclFile.NameProblem(name) is { } p) throw Errors.InvalidName(p, name);
    }

    private static void RefuseReserved(string name, string what)
    {
        if (string.Equals(name, AclFile.AdminUser, StringComparison.Ordinal))
            throw Errors.DefaultUserReserved(
                $"The user '{AclFile.AdminUser}' cannot be {what} with the user cmdlets: it is the module's own admin "
                + "user (the topology password, all rights), which the module, replication (masteruser) and "
                + "sentinels (auth-user) authenticate with. Give applications their own users (New-RedisUser).",
                name);
        if (!string.Equals(name, AclFile.DefaultUser, StringComparison.Ordinal)) return;
        throw Errors.DefaultUserReserved(
            $"The user 'default' cannot be {what} with the user cmdlets: it holds the topology password "
            + "(Get-RedisCredential). It can only be turned off or on: Set-RedisUser -Name default -Disabled "
            + "(or -Enabled), without -Permission or -Password.", name);
    }

    /// <summary>
    /// Turns default off or on on every node. Off only where every Redis node of the topology has the module's admin
    /// user (made since it came): the module, replicas and sentinels authenticate as it instead. A topology made
    /// before keeps default: its replicas and sentinels authenticate as default, so turning it off would break them.
    /// </summary>
    private async Task<RedisUser> SetDefaultAsync(string topology, bool on, CancellationToken ct)
    {
        var nodes = await NodesAsync(topology, ct).ConfigureAwait(false);
        var older = nodes.Running.Concat(nodes.Stopped).Where(n => !HasAdmin(n)).Select(n => n.Name).ToList();
        if (!on && older.Count > 0)
            throw Errors.DefaultUserReserved(
                $"The user 'default' of topology '{topology}' cannot be turned off: node(s) {string.Join(", ", older)} "
                + $"were made before the module's admin user '{AclFile.AdminUser}', so the module, their replicas "
                + "(masterauth) and sentinels authenticate to them as default, and turning it off would lock them "
                + "out. Make the topology again (Export-RedisTopology, then Import-RedisTopology, or "
                + "Backup-/Restore-RedisTopology) to have the admin user on every node.", AclFile.DefaultUser);
        await ApplyAsync(nodes, new object[] { "ACL", "SETUSER", AclFile.DefaultUser, on ? "on" : "off" }, null, ct)
            .ConfigureAwait(false);
        _sink.Verbose($"User 'default' turned {(on ? "on" : "off")} on every node of topology '{topology}'"
            + (on ? "." : $": clients authenticate as ACL users now; the module as '{AclFile.AdminUser}'."));
        return (await GetAsync(topology, new[] { AclFile.DefaultUser }, ct).ConfigureAwait(false))[0];
    }

    private static bool HasAdmin(RedisNode n) => AclFile.HasAdminUser(n.Labels);

    /// <summary>Whether default is off on the topology (read from a running node).</summary>
    public async Task<bool> DefaultDisabledAsync(string topology, CancellationToken ct)
    {
        var nodes = await NodesAsync(topology, ct).ConfigureAwait(false);
        var lines = await ListAsync(nodes.Running[0], nodes.Password, ct).ConfigureAwait(false);
        return AclFile.IsDefaultOff(lines);
    }

    private sealed record Nodes(IReadOnlyList<RedisNode> Running, IReadOnlyList<RedisNode> Stopped, string Password);

    private async Task<Nodes> NodesAsync(string topology, CancellationToken ct)
    {
        var all = await _nodes
            .GetAsync(new NodeFilter { Topology = topology, IncludeSentinels = false }, ct).ConfigureAwait(false);
        if (all.Count == 0)
            throw Errors.TopologyNotFound($"Topology '{topology}' has no Redis node. Get-RedisTopology lists them.",
                topology);
        var running = all.Where(IsRunning).ToList();
        if (running.Count == 0)
            throw Errors.NodeNotReachable($"No node of topology '{topology}' is running: start them "
                + $"(Start-RedisTopology {topology}) to read or change its users.", topology);
        var password = await _session.GetPasswordAsync(topology, ct).ConfigureAwait(false)
            ?? throw Errors.WrongPassword($"The password of topology '{topology}' cannot be read from its nodes.",
                topology);
        return new Nodes(running, all.Where(n => !IsRunning(n)).ToList(), password);
    }

    private static bool IsRunning(RedisNode n) =>
        n.HostEndpoint is not null && string.Equals(n.State, "running", StringComparison.OrdinalIgnoreCase);

    private async Task<IReadOnlyList<string>> ListAsync(RedisNode node, string password, CancellationToken ct)
    {
        var reply = await _session.SendAsync(node.HostEndpoint!, password, new object[] { "ACL", "LIST" }, ct)
            .ConfigureAwait(false);
        if (reply.IsError || reply.Items is null)
            throw Errors.RedisError($"Node '{node.Name}' did not list its users: {reply.Text}", node.Name);
        return reply.Items.Select(i => i.AsString()).ToList();
    }

    private async Task ApplyAsync(Nodes nodes, IReadOnlyList<object> args, string? secret,
        CancellationToken ct)
    {
        foreach (var node in nodes.Running)
        {
            foreach (var command in new[] { args, new object[] { "ACL", "SAVE" } })
            {
                var reply = await _session.SendAsync(node.HostEndpoint!, nodes.Password, command, ct)
                    .ConfigureAwait(false);
                if (!reply.IsError) continue;
                var text = Secrets.Redact(reply.Text ?? "", secret);
                throw Errors.RedisError($"Node '{node.Name}' refused {command[0]} {command[1]}: {text}. Check "
                    + "-Permission against the ACL rules of Redis (ACL SETUSER).", node.Name);
            }
        }
        if (nodes.Stopped.Count == 0) return;
        var lines = await ListAsync(nodes.Running[0], nodes.Password, ct).ConfigureAwait(false);
        foreach (var node in nodes.Stopped)
        {
            var docker = await _session.GetDockerAsync(node.DockerHost, ct).ConfigureAwait(false);
            await UploadAsync(docker, node.Name, AclFile.Render(nodes.Password, lines, HasAdmin(node)), ct)
                .ConfigureAwait(false);
            _sink.Verbose($"Node '{node.Name}' is not running: its users file ({AclFile.Path}) was written into its "
                + "volume for its next start.");
        }
    }

    /// <summary>Writes a node's aclfile (0600, owned by redis) into its volume.</summary>
    internal static Task UploadAsync(DockerClient docker, string container, string text, CancellationToken ct) =>
        docker.UploadFilesAsync(container, "/data",
            new[]
            {
                new ArchiveFile(AclFile.FileName, Encoding.UTF8.GetBytes(text), 0b110_000_000,
                    NodeOperations.RedisUid, NodeOperations.RedisUid),
            },
            ct, dirMode: 0b111_101_000, uid: NodeOperations.RedisUid, gid: NodeOperations.RedisUid);
}
