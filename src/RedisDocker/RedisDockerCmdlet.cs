using System.Collections;
using System.Globalization;
using System.Management.Automation;
using RedisDocker.Core;

namespace RedisDocker;

/// <summary>
/// Base of every cmdlet that works on a session (-Session, else the default one); the bridge to the async core
/// and Ctrl+C are <see cref="AsyncCmdlet"/>'s.
/// </summary>
public abstract class RedisDockerCmdlet : AsyncCmdlet
{
    /// <summary>The session to use; the runspace's default session (Connect-RedisDocker, else DOCKER_HOST or the
    /// platform default) when omitted.</summary>
    [Parameter]
    public RedisDockerSession? Session { get; set; }

    // The runspace's default session, taken on the pipeline thread: the work runs on the thread pool, where
    // Runspace.DefaultRunspace is null and DefaultSessions.Current would be a session made from the environment.
    private RedisDockerSession? _runspaceDefault;

    protected RedisDockerSession CurrentSession => Session ?? _runspaceDefault ?? DefaultSessions.Current;

    protected override void BeforeRun()
    {
        if (Session is null) _runspaceDefault ??= DefaultSessions.Current;
    }

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>Hashtable → ordered string pairs (for -Config and -Label).</summary>
    protected static IReadOnlyList<KeyValuePair<string, string>> ToPairs(Hashtable? table)
    {
        if (table is null) return Array.Empty<KeyValuePair<string, string>>();
        var list = new List<KeyValuePair<string, string>>();
        foreach (DictionaryEntry e in table)
        {
            var value = e.Value switch
            {
                null => "",
                bool b => b ? "yes" : "no",
                IEnumerable en and not string =>
                    string.Join(" ", en.Cast<object>().Select(o => Convert.ToString(o, Invariant))),
                _ => Convert.ToString(e.Value, Invariant) ?? "",
            };
            list.Add(new KeyValuePair<string, string>(Convert.ToString(e.Key, Invariant) ?? "", value));
        }
        return list;
    }

    protected static string? ToPlain(System.Security.SecureString? secure) =>
        secure is null ? null : new System.Net.NetworkCredential(string.Empty, secure).Password;
}
