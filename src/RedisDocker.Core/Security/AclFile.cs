using System.Security.Cryptography;
using System.Text;

namespace RedisDocker.Core.Security;

/// <summary>
/// The ACL file every Redis node of a topology loads (<c>aclfile /data/users.acl</c>, in its volume): rendering,
/// parsing and the checks on user names and permissions. Redis 7.0 ignores <c>requirepass</c> once an aclfile is
/// loaded (a <c>default</c> user missing from the file comes back as <c>nopass</c>), so the file always carries the
/// <c>default</c> user with the topology password, as its SHA-256 (never the password itself).
/// </summary>
public static class AclFile
{
    /// <summary>The file's name in the node's data directory.</summary>
    public const string FileName = "users.acl";

    /// <summary>Its path inside the node (the config's aclfile directive).</summary>
    public const string Path = "/data/" + FileName;

    /// <summary>The user the module administers the topology as (the topology password); it cannot be changed with
    /// the user cmdlets.</summary>
    public const string DefaultUser = "default";

    /// <summary>SHA-256 of a password, lower-case hex, as Redis writes it after '#'.</summary>
    public static string HashOf(string password) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(password))).ToLowerInvariant();

    /// <summary>The default user's line: all rights, the topology password (hashed).</summary>
    public static string DefaultLine(string topologyPassword) =>
        $"user {DefaultUser} on #{HashOf(topologyPassword)} ~* &* +@all";

    /// <summary>
    /// The file's text: the default user with the topology password, then the other users' lines as given (lines
    /// of ACL LIST or of another node's file; a default line among them is replaced).
    /// </summary>
    public static string Render(string topologyPassword, IEnumerable<string> userLines)
    {
        var sb = new StringBuilder();
        sb.Append(DefaultLine(topologyPassword)).Append('\n');
        foreach (var line in userLines)
        {
            var t = line.Trim();
            if (t.Length == 0 || !t.StartsWith("user ", StringComparison.Ordinal)) continue;
            if (NameOf(t) == DefaultUser) continue;
            sb.Append(t).Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>The user lines of a file's text (comments and blank lines left out).</summary>
    public static IReadOnlyList<string> LinesOf(string text) =>
        text.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("user ", StringComparison.Ordinal)).ToArray();

    /// <summary>The user name of a 'user NAME ...' line.</summary>
    public static string NameOf(string line)
    {
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length > 1 ? parts[1] : "";
    }

    /// <summary>
    /// A user as the module shows it, from a line of the file or of ACL LIST: its name, whether it is on, how many
    /// passwords it has and its rules without them (no password and no hash ever leaves the node).
    /// </summary>
    public static RedisUser Parse(string topology, string line)
    {
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 2 || parts[0] != "user")
            throw Errors.RedisError($"Not an ACL user line (it should start with 'user NAME').", topology);
        var enabled = false;
        var passwords = 0;
        var noPass = false;
        var rules = new List<string>();
        foreach (var p in parts.Skip(2))
        {
            if (p == "on") enabled = true;
            else if (p == "off") enabled = false;
            else if (p.StartsWith('#') || p.StartsWith('>')) passwords++;
            else if (p == "nopass") noPass = true;
            else if (p == "sanitize-payload" || p == "resetpass") continue;
            else rules.Add(p);
        }
        return new RedisUser
        {
            Topology = topology, Name = parts[1], Enabled = enabled, PasswordCount = passwords, NoPassword = noPass,
            Permission = string.Join(' ', rules),
        };
    }

    /// <summary>Why a user name cannot be used, or null.</summary>
    public static string? NameProblem(string name)
    {
        if (string.IsNullOrEmpty(name)) return "The user name is empty.";
        if (name.Length > 64) return $"The user name '{name}' is longer than 64 characters.";
        if (!name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':'))
            return $"The user name '{name}' may hold letters, digits and - _ . : only.";
        return null;
    }

    private static readonly string[] ForbiddenRules = { "nopass", "resetpass", "reset", "on", "off" };

    /// <summary>
    /// The rules of -Permission, one argument each for ACL SETUSER. Password rules (&gt;, &lt;, #, !, nopass,
    /// resetpass) and on/off/reset are refused: passwords come as SecureString only, and -Enabled/-Disabled say
    /// whether a user is on.
    /// </summary>
    public static IReadOnlyList<string> RulesOf(string permission)
    {
        var rules = permission.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (rules.Length == 0)
            throw Errors.InvalidArgument(
                "-Permission is empty: give ACL rules such as '~app:* +@read +@write'.", permission);
        foreach (var r in rules)
        {
            if (r[0] is '>' or '<' or '#' or '!')
                throw Errors.InvalidArgument(
                    "-Permission holds a password rule: give the password with -Password (a SecureString), never in "
                    + "the rules.", "-Permission");
            if (ForbiddenRules.Contains(r, StringComparer.OrdinalIgnoreCase))
                throw Errors.InvalidArgument(
                    $"-Permission holds the rule '{r}': use -Password for passwords and -Enabled/-Disabled to turn a "
                    + "user on or off.", r);
        }
        return rules;
    }
}
