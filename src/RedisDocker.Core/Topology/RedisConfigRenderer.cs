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
    /// <summary>Address other nodes and clients inside the network use (cluster-announce-ip, replica-announce-ip).</summary>
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
    /// <summary>Any other directive, in order (name, value). Validated by <see cref="RedisConfigRenderer.ValidateExtra"/>.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Extra { get; init; } = Array.Empty<KeyValuePair<string, string>>();
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
    };

    /// <summary>Checks user directives; returns the problem or null.</summary>
    public static string? ValidateExtra(string name, string value)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Any(c => !(char.IsLetterOrDigit(c) || c == '-')))
            return $"'{name}' is not a redis.conf directive name (letters, digits and '-').";
        if (Reserved.TryGetValue(name, out var why))
            return $"The directive '{name}' is managed by RedisDocker: {why}.";
        if (value.IndexOfAny(new[] { '\r', '\n', '\0' }) >= 0)
            return $"The value of '{name}' must be on one line.";
        return null;
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
        var sb = new StringBuilder();
        sb.Append("# Rendered by RedisDocker. Redis may rewrite this file (CONFIG REWRITE).\n");
        Line(sb, "port", c.Port.ToString(CultureInfo.InvariantCulture));
        Line(sb, "bind", c.Bind ?? "* -::*");
        Line(sb, "protected-mode", "yes");
        Line(sb, "requirepass", Quote(c.Password));
        Line(sb, "masterauth", Quote(c.Password));
        Line(sb, "dir", "/data");
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
            if (c.AnnounceBusPort is int bp) Line(sb, "cluster-announce-bus-port", bp.ToString(CultureInfo.InvariantCulture));
            if (c.BusPort is int cp) Line(sb, "cluster-port", cp.ToString(CultureInfo.InvariantCulture));
        }
        if (c.MaxMemory is not null) Line(sb, "maxmemory", c.MaxMemory);
        if (c.MaxMemoryPolicy is not null) Line(sb, "maxmemory-policy", c.MaxMemoryPolicy);
        if (c.ReplicaOf is not null) Line(sb, "replicaof", c.ReplicaOf);
        foreach (var kv in c.Extra)
        {
            var problem = ValidateExtra(kv.Key, kv.Value);
            if (problem is not null) throw new ArgumentException(problem);
            Line(sb, kv.Key.ToLowerInvariant(), kv.Value);
        }
        return sb.ToString();
    }

    public static string Render(SentinelConfig c)
    {
        var sb = new StringBuilder();
        sb.Append("# Rendered by RedisDocker. Sentinel rewrites this file as the topology changes.\n");
        Line(sb, "port", c.Port.ToString(CultureInfo.InvariantCulture));
        Line(sb, "bind", c.Bind ?? "* -::*");
        Line(sb, "protected-mode", "yes");
        Line(sb, "dir", "/data");
        Line(sb, "requirepass", Quote(c.Password));
        Line(sb, "sentinel announce-ip", c.AnnounceIp);
        Line(sb, "sentinel announce-port", c.Port.ToString(CultureInfo.InvariantCulture));
        Line(sb, "sentinel monitor", $"{c.MasterName} {c.PrimaryIp} {c.PrimaryPort} {c.Quorum}");
        Line(sb, "sentinel auth-pass", $"{c.MasterName} {Quote(c.Password)}");
        Line(sb, "sentinel down-after-milliseconds", $"{c.MasterName} {c.DownAfterMs}");
        Line(sb, "sentinel failover-timeout", $"{c.MasterName} {c.FailoverTimeoutMs}");
        Line(sb, "sentinel parallel-syncs", $"{c.MasterName} {c.ParallelSyncs}");
        // Other sentinels authenticate to this one with the same password.
        Line(sb, "sentinel sentinel-pass", Quote(c.Password));
        return sb.ToString();
    }

    private static void Line(StringBuilder sb, string name, string value) => sb.Append(name).Append(' ').Append(value).Append('\n');

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
            if (line.StartsWith(name + " ", StringComparison.OrdinalIgnoreCase)) return line[(name.Length + 1)..].Trim();
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
            if (c == '\\' && i + 3 < s.Length && s[i + 1] == 'x' && Uri.IsHexDigit(s[i + 2]) && Uri.IsHexDigit(s[i + 3]))
            {
                bytes.Add(Convert.ToByte(s.Substring(i + 2, 2), 16));
                i += 3;
            }
            else if (c == '\\' && i + 1 < s.Length)
            {
                var n = s[++i];
                bytes.Add(n switch { 'n' => (byte)'\n', 't' => (byte)'\t', 'r' => (byte)'\r', 'b' => 8, 'a' => 7, _ => (byte)n });
            }
            else if (c == '"') break;
            else bytes.AddRange(Encoding.UTF8.GetBytes(c.ToString()));
        }
        return Encoding.UTF8.GetString(bytes.ToArray());
    }
}
