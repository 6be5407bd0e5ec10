using System.Text;
using RedisDocker.Core.Docker;
using RedisDocker.Core.Topology;

namespace RedisDocker.Core.Security;

/// <summary>
/// ACL users through Export-/Import-RedisTopology (and Restore-RedisTopology, which imports its backup's spec): the
/// spec carries each user's name, on/off, rules and password hashes (the "#sha256" form of an ACL file, never a
/// password), and the import sets them on every Redis node with ACL SETUSER and saves them in the node's aclfile,
/// so an application authenticates with its old password on the imported topology.
/// </summary>
public static class AclTransfer
{
    /// <summary>The module's own users, never exported nor imported: default holds the topology password (a new
    /// one on import) and redisdocker is the module's admin user.</summary>
    public static readonly IReadOnlySet<string> Reserved =
        new HashSet<string>(StringComparer.Ordinal) { AclFile.DefaultUser, AclFile.AdminUser };

    /// <summary>A user of a line of ACL LIST or of an aclfile; null for a reserved user.</summary>
    public static UserSpecDto? ToSpec(string line)
    {
        // A '>password' word never stands in ACL LIST or a saved file; were it there, it is not exported.
        var u = AclLine.Read(line);
        if (u is null || Reserved.Contains(u.Name)) return null;
        return new UserSpecDto(u.Name, u.Enabled, u.Hashes.Select(h => h.ToLowerInvariant()).ToList(),
            string.Join(' ', u.Rules)) { NoPassword = u.NoPassword };
    }

    /// <summary>Checks a spec's users before anything is made (names, hashes, rules; no password rule).</summary>
    public static void Validate(IReadOnlyList<UserSpecDto>? users, string topology)
    {
        if (users is null) return;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var u in users)
        {
            if (u is null || u.Name is null)
                throw Errors.InvalidConfig($"A user of topology spec '{topology}' is null or has no name.", topology);
            if (AclFile.NameProblem(u.Name) is { } problem) throw Errors.InvalidConfig(problem, u.Name);
            if (Reserved.Contains(u.Name))
                throw Errors.InvalidConfig($"The spec holds the user '{u.Name}', which the module keeps for itself "
                    + "(default: the topology password; redisdocker: its admin user). Remove it from the spec.",
                    u.Name);
            if (!seen.Add(u.Name))
                throw Errors.InvalidConfig($"The user '{u.Name}' is in the spec twice.", u.Name);
            foreach (var h in u.PasswordHashes ?? Array.Empty<string>())
                if (!IsHash(h))
                    throw Errors.InvalidConfig($"User '{u.Name}': a password hash is not '#' and 64 hex digits (the "
                        + "spec holds hashes only, never passwords: set a password with Set-RedisUser after the "
                        + "import).", u.Name);
            if (!string.IsNullOrWhiteSpace(u.Permission)) _ = AclFile.RulesOf(u.Permission);
        }
    }

    private static bool IsHash(string? h) =>
        h is { Length: 65 } && h[0] == '#' && h.Skip(1).All(char.IsAsciiHexDigit);

    /// <summary>The ACL SETUSER arguments that make the user as the spec says (from scratch: reset first).</summary>
    public static IReadOnlyList<object> SetUserArgs(UserSpecDto u)
    {
        var args = new List<object> { "ACL", "SETUSER", u.Name, "reset", u.Enabled ? "on" : "off" };
        args.AddRange(u.PasswordHashes ?? Array.Empty<string>());
        if (u.NoPassword) args.Add("nopass");
        args.AddRange(Rules(u.Permission ?? ""));
        return args;
    }

    /// <summary>The rules as ACL SETUSER arguments; a selector, "(~k +get)", is one argument.</summary>
    internal static IEnumerable<string> Rules(string permission)
    {
        var open = new StringBuilder();
        foreach (var r in permission.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (open.Length > 0 || r.StartsWith('('))
            {
                if (open.Length > 0) open.Append(' ');
                open.Append(r);
                if (!r.EndsWith(')')) continue;
                yield return open.ToString();
                open.Clear();
                continue;
            }
            yield return r;
        }
        if (open.Length > 0) yield return open.ToString();
    }

    /// <summary>
    /// The topology's users (the reserved ones left out): ACL LIST of its first running Redis node, else the aclfile
    /// in a stopped node's volume.
    /// </summary>
    public static async Task<(IReadOnlyList<UserSpecDto> Users, bool DefaultOff)> ExportAsync(
        RedisDockerSession session, IReadOnlyList<RedisNode> redisNodes, CancellationToken ct)
    {
        var lines = await ReadAsync(session, redisNodes, ct).ConfigureAwait(false);
        return (lines.Select(ToSpec).OfType<UserSpecDto>().ToList(), AclFile.IsDefaultOff(lines));
    }

    private static async Task<IReadOnlyList<string>> ReadAsync(RedisDockerSession session,
        IReadOnlyList<RedisNode> redisNodes, CancellationToken ct)
    {
        IReadOnlyList<string>? lines = null;
        foreach (var n in redisNodes.Where(n => n.HostEndpoint is not null
                     && string.Equals(n.State, "running", StringComparison.OrdinalIgnoreCase)))
        {
            var password = await session.GetPasswordAsync(n.Topology, ct).ConfigureAwait(false);
            var reply = await session.SendAsync(n.HostEndpoint!, password, new object[] { "ACL", "LIST" }, ct)
                .ConfigureAwait(false);
            if (reply.IsError || reply.Items is null)
                throw Errors.RedisError($"Node '{n.Name}' did not list its users: {reply.Text}", n.Name);
            lines = reply.Items.Select(i => i.AsString()).ToList();
            break;
        }
        if (lines is null)
            foreach (var n in redisNodes)
            {
                var docker = await session.GetDockerAsync(n.DockerHost, ct).ConfigureAwait(false);
                byte[]? text;
                try { text = await docker.ReadFileAsync(n.Name, AclFile.Path, ct).ConfigureAwait(false); }
                catch (DockerException) { continue; }
                if (text is null) continue;
                lines = AclFile.LinesOf(Encoding.UTF8.GetString(text));
                break;
            }
        return lines ?? Array.Empty<string>();
    }

    /// <summary>Makes the users on every Redis node given (running, just made) and saves them in its
    /// aclfile.</summary>
    public static async Task ApplyAsync(RedisDockerSession session, IOperationSink sink, string topology,
        IReadOnlyList<RedisNode> redisNodes, IReadOnlyList<UserSpecDto>? users, CancellationToken ct,
        bool defaultOff = false)
    {
        users ??= Array.Empty<UserSpecDto>();
        if (users.Count == 0 && !defaultOff) return;
        if (defaultOff
            && redisNodes.FirstOrDefault(n => !AclFile.HasAdminUser(n.Labels)) is { } old)
            throw Errors.DefaultUserReserved($"The spec turns the user default off, but node '{old.Name}' has no "
                + $"admin user ({AclFile.AdminUser}) to administer it then: the import is undone.", old.Name);
        var password = await session.GetPasswordAsync(topology, ct).ConfigureAwait(false);
        foreach (var node in redisNodes)
        {
            if (node.HostEndpoint is null)
                throw Errors.NodeNotReachable($"Node '{node.Name}' has no published port, so the spec's users "
                    + "cannot be made on it and the import is undone: check the node's entry in the spec.", node.Name);
            var commands = users.Select(SetUserArgs);
            if (defaultOff)
                commands = commands.Append(new object[] { "ACL", "SETUSER", AclFile.DefaultUser, "off" });
            commands = commands.Append(new object[] { "ACL", "SAVE" });
            foreach (var command in commands)
            {
                var reply = await session.SendAsync(node.HostEndpoint!, password, command, ct).ConfigureAwait(false);
                if (reply.IsError)
                    throw Errors.RedisError($"Node '{node.Name}' refused {command[0]} {command[1]} "
                        + $"{(command.Count > 2 ? command[2] : "")}: {reply.Text}. Check the user's permission in "
                        + "the spec against the ACL rules of Redis (ACL SETUSER).", node.Name);
            }
        }
        if (users.Count > 0)
            sink.Verbose($"Users {string.Join(", ", users.Select(u => u.Name))} made on every node of topology "
                + $"'{topology}' (their passwords as the spec's hashes).");
        if (defaultOff)
            sink.Verbose($"User default turned off on every node of topology '{topology}', as in the spec.");
    }
}
