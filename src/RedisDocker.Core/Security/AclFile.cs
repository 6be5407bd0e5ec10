using System.Security.Cryptography;
using System.Text;

namespace RedisDocker.Core.Security;

/// <summary>
/// The ACL file every Redis node of a topology loads (<c>aclfile /data/users.acl</c>, in its volume): rendering,
/// parsing and the checks on user names and permissions. Redis 7.0 ignores <c>requirepass</c> once an aclfile is
/// loaded (a <c>default</c> user missing from the file comes back as <c>nopass</c>), so the file always carries the
/// <c>default</c> user with the topology password, as its SHA-256 (never the password itself). Nodes made since
/// the admin user came (label <see cref="Labels.AdminUser"/>) also carry <see cref="AdminUser"/>: the same password,
/// all rights; the module, replicas (masteruser) and sentinels (auth-user) authenticate as it, so <c>default</c> can be
/// turned off.
/// </summary>
public static class AclFile
{
    /// <summary>The file's name in the node's data directory.</summary>
    public const string FileName = "users.acl";

    /// <summary>Its path inside the node (the config's aclfile directive).</summary>
    public const string Path = "/data/" + FileName;

    /// <summary>Redis's default user: the topology password; the user cmdlets may only turn it on or off, and only
    /// where every node has <see cref="AdminUser"/>.</summary>
    public const string DefaultUser = "default";

    /// <summary>The user the module administers a topology as (the topology password, all rights): the one place its
    /// name is given. The user cmdlets refuse it.</summary>
    public const string AdminUser = "redisdocker";

    /// <summary>SHA-256 of a password, lower-case hex, as Redis writes it after '#'.</summary>
    public static string HashOf(string password) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(password))).ToLowerInvariant();

    /// <summary>The default user's line: all rights, the topology password (hashed), on unless told.</summary>
    public static string DefaultLine(string topologyPassword, bool enabled = true) =>
        $"user {DefaultUser} {(enabled ? "on" : "off")} #{HashOf(topologyPassword)} ~* &* +@all";

    /// <summary>The admin user's line: all rights, the topology password (hashed).</summary>
    public static string AdminLine(string topologyPassword) =>
        $"user {AdminUser} on #{HashOf(topologyPassword)} ~* &* +@all";

    /// <summary>Whether the module's own users (default, redisdocker) are meant: the user cmdlets refuse to change
    /// them but for turning default on or off.</summary>
    public static bool IsReserved(string name) => name is DefaultUser or AdminUser;

    /// <summary>Whether the lines (ACL LIST or an aclfile) turn the user default off.</summary>
    public static bool IsDefaultOff(IEnumerable<string> lines) =>
        lines.Where(l => l.StartsWith("user ", StringComparison.Ordinal) && NameOf(l) == DefaultUser)
            .Any(l => !Parse(DefaultUser, l).Enabled);

    /// <summary>Whether a node (its labels) was made with the module's admin user (label io.redisdocker.admin-user).
    /// </summary>
    public static bool HasAdminUser(IReadOnlyDictionary<string, string> labels) =>
        labels.Get(Labels.AdminUser) == AdminUser;

    /// <summary>
    /// The file's text: the default user with the topology password (off when the given lines have it off), the
    /// admin user when <paramref name="withAdmin"/>, then the other users' lines as given (lines of ACL LIST or of
    /// another node's file; default and admin lines among them are replaced).
    /// </summary>
    public static string Render(string topologyPassword, IEnumerable<string> userLines, bool withAdmin)
    {
        var lines = userLines.Select(l => l.Trim())
            .Where(t => t.StartsWith("user ", StringComparison.Ordinal)).ToList();
        // default stays off only where the admin user is there to administer the node.
        var defaultOn = !withAdmin || !IsDefaultOff(lines);
        var sb = new StringBuilder();
        sb.Append(DefaultLine(topologyPassword, defaultOn)).Append('\n');
        if (withAdmin) sb.Append(AdminLine(topologyPassword)).Append('\n');
        foreach (var t in lines.Where(t => !IsReserved(NameOf(t)))) sb.Append(t).Append('\n');
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
        var u = AclLine.Read(line)
            ?? throw Errors.RedisError($"Not an ACL user line (it should start with 'user NAME').", topology);
        return new RedisUser
        {
            Topology = topology, Name = u.Name, Enabled = u.Enabled, PasswordCount = u.Hashes.Count + u.PlainPasswords,
            NoPassword = u.NoPassword, Permission = string.Join(' ', u.Rules.Where(r => r != "sanitize-payload")),
            ModuleUser = u.Name == AdminUser,
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

/// <summary>
/// The words of one 'user NAME ...' line of an aclfile or of ACL LIST, sorted once for both of its readers: the
/// module's view of a user (<see cref="AclFile.Parse"/>: counts passwords, never shows them) and the export
/// (<see cref="AclTransfer.ToSpec"/>: keeps the hashes). resetpass is dropped (it never stands in a saved line).
/// </summary>
internal sealed record AclLine(string Name, bool Enabled, bool NoPassword, IReadOnlyList<string> Hashes,
    int PlainPasswords, IReadOnlyList<string> Rules)
{
    /// <summary>The line's parts; null when it is not a user line.</summary>
    public static AclLine? Read(string line)
    {
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 2 || parts[0] != "user") return null;
        bool enabled = false, noPass = false;
        var plain = 0;
        var hashes = new List<string>();
        var rules = new List<string>();
        foreach (var p in parts.Skip(2))
        {
            if (p == "on") enabled = true;
            else if (p == "off") enabled = false;
            else if (p == "nopass") noPass = true;
            else if (p.StartsWith('#')) hashes.Add(p);
            else if (p.StartsWith('>')) plain++;
            else if (p != "resetpass") rules.Add(p);
        }
        return new AclLine(parts[1], enabled, noPass, hashes, plain, rules);
    }
}
