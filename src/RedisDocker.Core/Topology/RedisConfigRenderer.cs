// Over 400 lines on purpose: one renderer per file format (redis.conf, sentinel.conf) and the validation of every
// directive it writes, kept together so a directive's rendering and its check change in one place.
using System.Globalization;
using System.Text;

namespace RedisDocker.Core.Topology;

/// <summary>Everything that goes into a node's redis.conf.</summary>
public sealed record RedisServerConfig
{
    public int Port { get; init; } = 6379;
    public required string Password { get; init; }
    public bool AppendOnly { get; init; } = true;
    public bool ClusterEnabled { get; init; }
    public int ClusterNodeTimeoutMs { get; init; } = 5000;
    /// <summary>Address other nodes and clients inside the network use (cluster-announce-ip,
    /// replica-announce-ip).</summary>
    public string? AnnounceIp { get; init; }
    public int? AnnouncePort { get; init; }
    public int? AnnounceBusPort { get; init; }
    /// <summary>The cluster bus port (cluster-port); port + 10000 when null.</summary>
    public int? BusPort { get; init; }
    /// <summary>Addresses to listen on; all interfaces ("* -::*") when null.</summary>
    public string? Bind { get; init; }
    public string? MaxMemory { get; init; }
    public string? MaxMemoryPolicy { get; init; }
    /// <summary>Start as a replica of this container endpoint ("ip port").</summary>
    public string? ReplicaOf { get; init; }
    /// <summary>Any other directive, in order (name, value). Validated by <see
    /// cref="RedisConfigRenderer.ValidateExtra"/>.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Extra { get; init; } = Array.Empty<KeyValuePair<string,
        string>>();
    /// <summary>TLS only on <see cref="Port"/> (plain text off) when set.</summary>
    public Security.TlsOptions? Tls { get; init; }
    /// <summary>The user a replica authenticates to its primary as (masteruser, with masterauth); default when
    /// null (nodes made before the module's admin user).</summary>
    public string? MasterUser { get; init; }
}

/// <summary>Everything that goes into a sentinel.conf.</summary>
public sealed record SentinelConfig
{
    public int Port { get; init; } = 26379;
    public required string Password { get; init; }
    public required string MasterName { get; init; }
    public required string PrimaryIp { get; init; }
    public int PrimaryPort { get; init; } = 6379;
    public int Quorum { get; init; } = 2;
    public int DownAfterMs { get; init; } = 5000;
    public int FailoverTimeoutMs { get; init; } = 60000;
    public int ParallelSyncs { get; init; } = 1;
    public required string AnnounceIp { get; init; }
    /// <summary>Addresses to listen on; all interfaces ("* -::*") when null.</summary>
    public string? Bind { get; init; }
    /// <summary>TLS only on <see cref="Port"/>, to clients, sentinels and the monitored nodes, when set.</summary>
    public Security.TlsOptions? Tls { get; init; }
    /// <summary>The user the sentinel authenticates to the monitored nodes as (auth-user, with auth-pass); default
    /// when null.</summary>
    public string? AuthUser { get; init; }
}

/// <summary>Renders configuration files in C#; they are uploaded into the container before it starts.</summary>
public static class RedisConfigRenderer
{
    public const string ConfigDirectory = "/etc/redisdocker";
    public const string RedisConfigPath = ConfigDirectory + "/redis.conf";
    public const string SentinelConfigPath = ConfigDirectory + "/sentinel.conf";

    /// <summary>Directives the module owns: setting them through -Config would break what it relies on.</summary>
    private static readonly Dictionary<string, string> Reserved = new(StringComparer.OrdinalIgnoreCase)
    {
        ["port"] = "use -Port",
        ["requirepass"] = "use -Password",
        ["masterauth"] = "use -Password (one password per topology)",
        ["dir"] = "data lives in the node's volume at /data",
        ["cluster-enabled"] = "use -ClusterEnabled",
        ["cluster-config-file"] = "the module keeps nodes.conf in the data volume",
        ["appendonly"] = "use -AppendOnly",
        ["maxmemory"] = "use -MaxMemory",
        ["daemonize"] = "the container's main process must stay in the foreground",
        ["include"] = "render everything into one file",
        ["replicaof"] = "use Set-RedisReplica",
        ["slaveof"] = "use Set-RedisReplica",
        ["bind"] = "the node listens on its container addresses; publish with -HostPort",
        ["protected-mode"] = "protected mode stays on; the password makes remote access safe",
        ["logfile"] = "logs go to the container's output (Get-RedisNode | docker logs)",
        ["cluster-node-timeout"] = "use -ClusterNodeTimeout",
        ["masteruser"] = "replicas authenticate as the module's admin user with the topology's password",
        ["aclfile"] = "users live in the node's ACL file: use New-RedisUser",
        ["sentinel"] = "use New-RedisSentinel",
        ["cluster-preferred-endpoint-type"] = "use Set-RedisCluster -ClientEndpoint",
        ["cluster-port"] = "a cluster node's bus port is its port + 10000 (or -BusPort with -HostNetwork)",
    };

    /// <summary>Directives that only some arguments of would lock the module out.</summary>
    private static readonly HashSet<string> s_moduleCommands = new(StringComparer.OrdinalIgnoreCase)
    {
        "CONFIG", "AUTH", "HELLO", "PING", "INFO", "ROLE", "CLUSTER", "REPLICAOF", "SLAVEOF", "SENTINEL", "FAILOVER",
        "MIGRATE", "WAIT", "SHUTDOWN", "CLIENT", "READONLY", "READWRITE", "ASKING", "ACL", "MULTI", "EXEC", "DBSIZE",
        "SCAN", "SELECT", "COMMAND", "DEBUG", "SAVE", "BGSAVE", "BGREWRITEAOF", "LASTSAVE", "TIME",
    };

    /// <summary>Directives whose argument is one integer (a small, common set: others are checked for shape
    /// only).</summary>
    private static readonly HashSet<string> s_integerDirectives = new(StringComparer.OrdinalIgnoreCase)
    {
        "hz", "databases", "maxclients", "timeout", "tcp-keepalive", "tcp-backlog", "min-replicas-to-write",
        "min-replicas-max-lag", "repl-timeout", "repl-ping-replica-period", "lua-time-limit", "busy-reply-threshold",
        "slowlog-log-slower-than", "slowlog-max-len", "latency-monitor-threshold", "io-threads",
        "cluster-migration-barrier", "replica-priority", "maxmemory-samples", "active-expire-effort",
    };

    /// <summary>Directives whose argument is a memory size (1gb, 512mb, 100000).</summary>
    private static readonly HashSet<string> s_memoryDirectives = new(StringComparer.OrdinalIgnoreCase)
    {
        "maxmemory", "repl-backlog-size", "client-query-buffer-limit", "proto-max-bulk-len",
            "active-defrag-ignore-bytes",
    };

    /// <summary>Directives whose argument is yes or no.</summary>
    private static readonly HashSet<string> s_boolDirectives = new(StringComparer.OrdinalIgnoreCase)
    {
        "lazyfree-lazy-eviction", "lazyfree-lazy-expire", "lazyfree-lazy-server-del", "replica-lazy-flush",
        "replica-read-only", "replica-serve-stale-data", "activedefrag", "aof-use-rdb-preamble", "rdbcompression",
        "rdbchecksum", "stop-writes-on-bgsave-error", "cluster-require-full-coverage", "cluster-allow-reads-when-down",
        "cluster-replica-no-failover", "activerehashing", "no-appendfsync-on-rewrite", "always-show-logo",
    };

    public static readonly IReadOnlyList<string> MaxMemoryPolicies = new[]
    {
        "noeviction", "allkeys-lru", "allkeys-lfu", "allkeys-random", "volatile-lru", "volatile-lfu", "volatile-random",
            "volatile-ttl",
    };

    private static readonly System.Text.RegularExpressions.Regex s_memory =
        new(@"^[0-9]{1,15}(b|k|kb|m|mb|g|gb)?\z",
            System.Text.RegularExpressions.RegexOptions.IgnoreCase
            | System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    private static readonly System.Text.RegularExpressions.Regex s_directive =
        new(@"^[a-zA-Z][a-zA-Z0-9-]{0,63}\z", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    /// <summary>A control character (C0, DEL or C1) at the first position it occurs, or -1.</summary>
    public static int IndexOfControl(string value)
    {
        for (var i = 0; i < value.Length; i++)
            if (char.IsControl(value[i]) || value[i] is '\u2028' or '\u2029') return i;
        return -1;
    }

    /// <summary>The problem with a maxmemory value (bytes, or a number with b, k, kb, m, mb, g, gb), or null.</summary>
    public static string? MaxMemoryProblem(string? value) =>
        value is null || s_memory.IsMatch(value) ? null
            : $"-MaxMemory '{Printable(value)}' is not a memory size: give a number of bytes, or a number with kb, mb "
                + "or gb (e.g. 256mb).";

    /// <summary>The problem with a maxmemory-policy value, or null.</summary>
    public static string? MaxMemoryPolicyProblem(string? value) =>
        value is null || MaxMemoryPolicies.Contains(value, StringComparer.Ordinal) ? null
            : $"-MaxMemoryPolicy '{Printable(value)}' is not one of {string.Join(", ", MaxMemoryPolicies)}.";

    /// <summary>Checks user directives; returns the problem or null.</summary>
    public static string? ValidateExtra(string name, string value)
    {
        if (name is null || !s_directive.IsMatch(name))
            return $"'{Printable(name ?? "")}' is not a redis.conf directive name (a letter, then letters, digits and "
                + "'-').";
        if (Reserved.TryGetValue(name, out var why))
            return $"The directive '{name}' is managed by RedisDocker: {why}.";
        if (name.StartsWith("cluster-announce-", StringComparison.OrdinalIgnoreCase) ||
            name.StartsWith("replica-announce-", StringComparison.OrdinalIgnoreCase)
                || name.StartsWith("slave-announce-", StringComparison.OrdinalIgnoreCase))
            return $"The directive '{name}' is managed by RedisDocker: nodes announce the addresses the module gives "
                + "them (-IPAddress, -AnnounceAddress).";
        if (value is null) return $"Give a value for '{name}' (\"\" for an empty string).";
        if (IndexOfControl(value) >= 0)
            return $"The value of '{name}' must be on one line of printable text: it contains a control character "
                + "(such as a line break).";
        if (value.Trim().Length == 0) return null;   // rendered as "" (save "" turns snapshots off)
        if (SplitArgs(value) is not { } args)
            return $"The value of '{name}' has unbalanced quotes: quote an argument with \"...\" or '...', closed "
                + "before the next space.";
        if (s_integerDirectives.Contains(name)
            && (args.Count != 1 || !long.TryParse(args[0], System.Globalization.NumberStyles.AllowLeadingSign,
                CultureInfo.InvariantCulture, out _)))
            return $"'{name}' takes one whole number, not '{value}'.";
        if (s_memoryDirectives.Contains(name) && (args.Count != 1 || !s_memory.IsMatch(args[0])))
            return $"'{name}' takes one memory size (e.g. 64mb), not '{value}'.";
        if (s_boolDirectives.Contains(name) && (args.Count != 1 || args[0] is not ("yes" or "no")))
            return $"'{name}' takes yes or no, not '{value}'.";
        if (name.Equals("maxmemory-policy", StringComparison.OrdinalIgnoreCase)
            && (args.Count != 1 || MaxMemoryPolicyProblem(args[0]) is not null))
            return MaxMemoryPolicyProblem(args.Count == 1 ? args[0] : value) ?? $"'{name}' takes one policy.";
        if (name.Equals("user", StringComparison.OrdinalIgnoreCase))
            return "ACL users are not set through -Config: they live in the node's ACL file. Add users after "
                + "creation with New-RedisUser.";
        if (name.Equals("rename-command", StringComparison.OrdinalIgnoreCase))
        {
            if (args.Count != 2) return "rename-command takes two arguments: the command and its new name (\"\" to "
                + "disable it).";
            if (s_moduleCommands.Contains(args[0]))
                return $"rename-command {args[0].ToUpperInvariant()} would lock RedisDocker out of the node: it uses "
                    + $"{args[0].ToUpperInvariant()} to manage it. Rename only other commands (e.g. FLUSHALL).";
        }
        return null;
    }

    /// <summary>
    /// Splits a directive's arguments the way redis.conf reads them (sdssplitargs): null when the quotes
    /// do not balance or a closing quote is not followed by a space.
    /// </summary>
    public static IReadOnlyList<string>? SplitArgs(string line)
    {
        var args = new List<string>();
        var i = 0;
        while (true)
        {
            while (i < line.Length && line[i] == ' ') i++;
            if (i >= line.Length) return args;
            var sb = new StringBuilder();
            if (line[i] is '"' or '\'')
            {
                var q = line[i++];
                var closed = false;
                while (i < line.Length)
                {
                    var c = line[i];
                    if (q == '"' && c == '\\' && i + 1 < line.Length) { sb.Append(line[i + 1]); i += 2; continue; }
                    if (q == '\'' && c == '\\' && i + 1 < line.Length
                        && line[i + 1] == '\'') { sb.Append('\''); i += 2; continue; }
                    if (c == q) { closed = true; i++; break; }
                    sb.Append(c);
                    i++;
                }
                if (!closed || (i < line.Length && line[i] != ' ')) return null;
            }
            else
            {
                while (i < line.Length && line[i] != ' ') sb.Append(line[i++]);
            }
            args.Add(sb.ToString());
        }
    }

    /// <summary>A value as it may appear in a message: control characters shown as \uXXXX, cut at 80
    /// characters.</summary>
    public static string Printable(string value)
    {
        var sb = new StringBuilder();
        foreach (var c in value.Length > 80 ? value[..80] : value)
            sb.Append(char.IsControl(c) || c is '\u2028' or '\u2029' ? $"\\u{(int)c:x4}" : c.ToString());
        if (value.Length > 80) sb.Append("...");
        return sb.ToString();
    }

    /// <summary>
    /// Every problem with a node's configuration, before it is rendered: the one check every value
    /// that reaches redis.conf goes through (parameters, imported fields, -Config).
    /// </summary>
    public static IEnumerable<string> Problems(RedisServerConfig c)
    {
        if (c.Port is < 1 or > 65535) yield return $"Port {c.Port} is out of range (1-65535).";
        if (PasswordProblem(c.Password) is { } pw) yield return pw;
        if (c.ClusterNodeTimeoutMs is < 100
            or > 600000) yield return $"The cluster node timeout {c.ClusterNodeTimeoutMs} ms is out of range "
                + "(100-600000).";
        if (c.AnnounceIp is { } ip && !System.Net.IPAddress.TryParse(ip,
            out _)) yield return $"'{Printable(ip)}' is not an IP address.";
        if (c.AnnouncePort is < 1 or > 65535) yield return $"Announce port {c.AnnouncePort} is out of range (1-65535).";
        if (c.AnnounceBusPort is < 1
            or > 65535) yield return $"Announce bus port {c.AnnounceBusPort} is out of range (1-65535).";
        if (c.BusPort is < 1 or > 65535) yield return $"Bus port {c.BusPort} is out of range (1-65535).";
        if (c.Bind is { } bind && bind.Split(' ')
            .Any(a => !System.Net.IPAddress.TryParse(a,
                out _))) yield return $"'{Printable(bind)}' is not a list of addresses.";
        if (MaxMemoryProblem(c.MaxMemory) is { } mm) yield return mm;
        if (MaxMemoryPolicyProblem(c.MaxMemoryPolicy) is { } mp) yield return mp;
        if (c.ReplicaOf is { } r && (r.Split(' ') is not [var rip, var rport]
            || !System.Net.IPAddress.TryParse(rip, out _) || !int.TryParse(rport, out var rp) || rp is < 1 or > 65535))
            yield return $"'{Printable(r)}' is not a primary endpoint ('address port').";
        foreach (var kv in c.Extra)
            if (ValidateExtra(kv.Key, kv.Value) is { } problem) yield return problem;
    }

    /// <summary>The problem with a password (empty, a NUL, longer than Redis accepts from a client that has not
    /// authenticated), or null.</summary>
    public static string? PasswordProblem(string? password)
    {
        if (password is null) return "The password is missing.";
        if (password.Length == 0) return "The password is empty: give one of at least 16 characters, or leave "
            + "-Password out to have one generated.";
        if (password.Contains('\0')) return "The password contains a NUL character, which redis.conf cannot hold.";
        if (Encoding.UTF8.GetByteCount(password) > MaxPasswordBytes)
            return $"The password is {Encoding.UTF8.GetByteCount(password)} bytes long; Redis accepts at most "
                + $"{MaxPasswordBytes} bytes in AUTH before a client is authenticated.";
        return null;
    }

    /// <summary>Redis refuses longer bulk strings from clients that have not authenticated yet ("unauthenticated bulk
    /// length").</summary>
    public const int MaxPasswordBytes = 16384;

    /// <summary>Passwords shorter than this are accepted with a warning.</summary>
    public const int RecommendedPasswordLength = 16;

    /// <summary>Every problem with a sentinel's configuration.</summary>
    public static IEnumerable<string> Problems(SentinelConfig c)
    {
        if (c.Port is < 1 or > 65535) yield return $"Port {c.Port} is out of range (1-65535).";
        if (PasswordProblem(c.Password) is { } pw) yield return pw;
        if (c.MasterName is null
            || !System.Text.RegularExpressions.Regex.IsMatch(c.MasterName, @"^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}\z"))
            yield return $"'{Printable(c.MasterName ?? "")}' is not a valid master name: use 1-63 letters, digits, "
                + "'_', '.' or '-'.";
        if (c.PrimaryIp is null || !System.Net.IPAddress.TryParse(c.PrimaryIp,
            out _)) yield return $"'{Printable(c.PrimaryIp ?? "")}' is not an IP address.";
        if (c.AnnounceIp is null || !System.Net.IPAddress.TryParse(c.AnnounceIp,
            out _)) yield return $"'{Printable(c.AnnounceIp ?? "")}' is not an IP address.";
        if (c.PrimaryPort is < 1 or > 65535) yield return $"Primary port {c.PrimaryPort} is out of range (1-65535).";
        if (c.Quorum < 1) yield return $"Quorum {c.Quorum} must be at least 1.";
        if (c.DownAfterMs < 1) yield return $"down-after-milliseconds {c.DownAfterMs} must be positive.";
        if (c.FailoverTimeoutMs < 1) yield return $"failover-timeout {c.FailoverTimeoutMs} must be positive.";
        if (c.ParallelSyncs < 1) yield return $"parallel-syncs {c.ParallelSyncs} must be at least 1.";
        if (c.Bind is { } bind && bind.Split(' ')
            .Any(a => !System.Net.IPAddress.TryParse(a,
                out _))) yield return $"'{Printable(bind)}' is not a list of addresses.";
    }

    private static void ThrowIfInvalid(IEnumerable<string> problems)
    {
        if (problems.FirstOrDefault() is { } problem)
            throw Errors.InvalidConfig(problem);
    }

    /// <summary>Quotes an argument the way redis.conf reads it (sdssplitargs).</summary>
    public static string Quote(string value)
    {
        if (value.Length > 0 && value.All(c => c > ' ' && c != '"' && c != '\'' && c != '\\' && c < 127)) return value;
        // As Redis writes strings (sdscatrepr): escapes for quote, backslash and control characters,
        // \xHH for other non-printable bytes, so every value stays on one line and reads back exactly.
        var sb = new StringBuilder("\"");
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            sb.Append(b switch
            {
                (byte)'"' => "\\\"",
                (byte)'\\' => "\\\\",
                (byte)'\n' => "\\n",
                (byte)'\r' => "\\r",
                (byte)'\t' => "\\t",
                7 => "\\a",
                8 => "\\b",
                < 32 or >= 127 => $"\\x{b:x2}",
                _ => ((char)b).ToString(),
            });
        }
        return sb.Append('"').ToString();
    }

    public static string Render(RedisServerConfig c)
    {
        ThrowIfInvalid(Problems(c));
        var sb = new StringBuilder();
        sb.Append("# Rendered by RedisDocker. Redis may rewrite this file (CONFIG REWRITE).\n");
        Line(sb, "port", c.Tls is null ? c.Port.ToString(CultureInfo.InvariantCulture) : "0");
        if (c.Tls is not null)
            foreach (var kv in Security.TlsFiles.Directives(c.Tls, c.Port, c.ClusterEnabled))
                Line(sb, kv.Key, kv.Value);
        Line(sb, "bind", c.Bind ?? "* -::*");
        Line(sb, "protected-mode", "yes");
        Line(sb, "requirepass", Quote(c.Password));
        Line(sb, "masterauth", Quote(c.Password));
        if (c.MasterUser is not null) Line(sb, "masteruser", c.MasterUser);
        Line(sb, "dir", "/data");
        // ACL users (New-RedisUser) live in the volume; the file also holds the default user (Security.AclFile).
        Line(sb, "aclfile", Security.AclFile.Path);
        Line(sb, "appendonly", c.AppendOnly ? "yes" : "no");
        Line(sb, "appendfsync", "everysec");
        // Replicas link at once instead of waiting 5 s for more replicas to batch a diskless sync.
        Line(sb, "repl-diskless-sync-delay", "0");
        if (c.AnnounceIp is not null) Line(sb, "replica-announce-ip", c.AnnounceIp);
        if (c.AnnouncePort is int rap) Line(sb, "replica-announce-port", rap.ToString(CultureInfo.InvariantCulture));
        if (c.ClusterEnabled)
        {
            Line(sb, "cluster-enabled", "yes");
            Line(sb, "cluster-config-file", "/data/nodes.conf");
            Line(sb, "cluster-node-timeout", c.ClusterNodeTimeoutMs.ToString(CultureInfo.InvariantCulture));
            if (c.AnnounceIp is not null) Line(sb, "cluster-announce-ip", c.AnnounceIp);
            if (c.AnnouncePort is int ap) Line(sb, "cluster-announce-port", ap.ToString(CultureInfo.InvariantCulture));
            if (c.AnnounceBusPort is int bp) Line(sb, "cluster-announce-bus-port",
                bp.ToString(CultureInfo.InvariantCulture));
            if (c.BusPort is int cp) Line(sb, "cluster-port", cp.ToString(CultureInfo.InvariantCulture));
        }
        if (c.MaxMemory is not null) Line(sb, "maxmemory", c.MaxMemory);
        if (c.MaxMemoryPolicy is not null) Line(sb, "maxmemory-policy", c.MaxMemoryPolicy);
        if (c.ReplicaOf is not null) Line(sb, "replicaof", c.ReplicaOf);
        foreach (var kv in c.Extra) Line(sb, kv.Key.ToLowerInvariant(), kv.Value.Trim().Length == 0 ? "\"\""
            : kv.Value);
        return sb.ToString();
    }

    public static string Render(SentinelConfig c)
    {
        ThrowIfInvalid(Problems(c));
        var sb = new StringBuilder();
        sb.Append("# Rendered by RedisDocker. Sentinel rewrites this file as the topology changes.\n");
        Line(sb, "port", c.Tls is null ? c.Port.ToString(CultureInfo.InvariantCulture) : "0");
        if (c.Tls is not null)
            foreach (var kv in Security.TlsFiles.Directives(c.Tls, c.Port, false)) Line(sb, kv.Key, kv.Value);
        Line(sb, "bind", c.Bind ?? "* -::*");
        Line(sb, "protected-mode", "yes");
        Line(sb, "dir", "/data");
        Line(sb, "requirepass", Quote(c.Password));
        Line(sb, "sentinel announce-ip", c.AnnounceIp);
        Line(sb, "sentinel announce-port", c.Port.ToString(CultureInfo.InvariantCulture));
        Line(sb, "sentinel monitor", $"{c.MasterName} {c.PrimaryIp} {c.PrimaryPort} {c.Quorum}");
        Line(sb, "sentinel auth-pass", $"{c.MasterName} {Quote(c.Password)}");
        if (c.AuthUser is not null) Line(sb, "sentinel auth-user", $"{c.MasterName} {c.AuthUser}");
        Line(sb, "sentinel down-after-milliseconds", $"{c.MasterName} {c.DownAfterMs}");
        Line(sb, "sentinel failover-timeout", $"{c.MasterName} {c.FailoverTimeoutMs}");
        Line(sb, "sentinel parallel-syncs", $"{c.MasterName} {c.ParallelSyncs}");
        // Other sentinels authenticate to this one with the same password.
        Line(sb, "sentinel sentinel-pass", Quote(c.Password));
        return sb.ToString();
    }

    private static void Line(StringBuilder sb, string name, string value)
    {
        // The last line of defence: nothing rendered may start a second directive.
        if (IndexOfControl(value) >= 0) throw Errors.InvalidConfig(
            $"The value of '{name}' contains a control character.");
        sb.Append(name).Append(' ').Append(value).Append('\n');
    }

    /// <summary>Reads one directive's first argument from a rendered (or rewritten) file.</summary>
    public static string? ReadDirective(string config, string name)
    {
        foreach (var raw in config.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#') continue;
            if (!line.StartsWith(name + " ", StringComparison.OrdinalIgnoreCase)) continue;
            var rest = line[(name.Length + 1)..].Trim();
            return Unquote(rest);
        }
        return null;
    }

    /// <summary>All arguments of one directive, as written (e.g. "172.28.0.10 6379" for replicaof).</summary>
    public static string? ReadDirectiveLine(string config, string name)
    {
        foreach (var raw in config.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#') continue;
            if (line.StartsWith(name + " ", StringComparison.OrdinalIgnoreCase)) return line[(name.Length + 1)
                ..].Trim();
        }
        return null;
    }

    private static string Unquote(string s)
    {
        if (s.Length < 2 || s[0] != '"') return s.Split(' ')[0];
        // sdssplitargs: \xHH bytes and \n \r \t \b \a escapes; the bytes are UTF-8.
        var bytes = new List<byte>();
        for (var i = 1; i < s.Length; i++)
        {
            var c = s[i];
            if (c == '\\' && i + 3 < s.Length && s[i + 1] == 'x' && Uri.IsHexDigit(s[i + 2])
                && Uri.IsHexDigit(s[i + 3]))
            {
                bytes.Add(Convert.ToByte(s.Substring(i + 2, 2), 16));
                i += 3;
            }
            else if (c == '\\' && i + 1 < s.Length)
            {
                var n = s[++i];
                bytes.Add(n switch { 'n' => (byte)'\n', 't' => (byte)'\t', 'r' => (byte)'\r', 'b' => 8, 'a' => 7, _ =>
                    (byte)n });
            }
            else if (c == '"') break;
            else bytes.AddRange(Encoding.UTF8.GetBytes(c.ToString()));
        }
        return Encoding.UTF8.GetString(bytes.ToArray());
    }
}
