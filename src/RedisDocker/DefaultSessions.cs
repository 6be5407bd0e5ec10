using System.Management.Automation;
using System.Management.Automation.Runspaces;
using RedisDocker.Core;

namespace RedisDocker;

/// <summary>
/// The default session of each runspace: what the cmdlets use without -Session, and what Connect-RedisDocker
/// replaces. Each runspace (a pwsh prompt, a ForEach-Object -Parallel or Start-ThreadJob runspace, a host's own)
/// has its own, so that a Connect-RedisDocker in one never changes, or disposes, the session another is using.
/// A runspace's default session is disposed when the runspace closes. Share a session across runspaces with
/// -Session (for example -Session $using:session).
/// </summary>
public sealed class DefaultSessions : IDefaultSessionStore, IModuleAssemblyInitializer
{
    private static readonly object s_lock = new();
    private static readonly Dictionary<Guid, RedisDockerSession> s_sessions = new();
    // Code that runs outside any runspace (none in the module today): one session for all of it.
    private static RedisDockerSession? s_noRunspace;

    /// <summary>Installed when the module is imported: <see cref="RedisDockerSession.Default"/> is then the
    /// runspace's.</summary>
    public void OnImport() => Install();

    internal static void Install() => RedisDockerSession.DefaultStore ??= new DefaultSessions();

    RedisDockerSession IDefaultSessionStore.Current => Current;

    void IDefaultSessionStore.Set(RedisDockerSession session) => Set(session);

    /// <summary>The current runspace's default session, made from the environment on first use.</summary>
    public static RedisDockerSession Current
    {
        get
        {
            var runspace = Runspace.DefaultRunspace;
            lock (s_lock)
            {
                if (runspace is null)
                {
                    if (s_noRunspace is null || s_noRunspace.IsDisposed)
                        s_noRunspace = RedisDockerSession.FromEnvironment();
                    return s_noRunspace;
                }
                if (s_sessions.TryGetValue(runspace.InstanceId, out var session) && !session.IsDisposed) return session;
                session = RedisDockerSession.FromEnvironment();
                Keep(runspace, session);
                return session;
            }
        }
    }

    /// <summary>Makes the session the current runspace's default one; disposes the runspace's previous default.
    /// </summary>
    public static void Set(RedisDockerSession session)
    {
        var runspace = Runspace.DefaultRunspace;
        RedisDockerSession? old;
        lock (s_lock)
        {
            if (runspace is null)
            {
                old = s_noRunspace;
                s_noRunspace = session;
            }
            else
            {
                s_sessions.TryGetValue(runspace.InstanceId, out old);
                Keep(runspace, session);
            }
        }
        if (old is not null && !ReferenceEquals(old, session)) old.Dispose();
    }

    private static void Keep(Runspace runspace, RedisDockerSession session)
    {
        if (!s_sessions.ContainsKey(runspace.InstanceId)) runspace.StateChanged += OnStateChanged;
        s_sessions[runspace.InstanceId] = session;
    }

    private static void OnStateChanged(object? sender, RunspaceStateEventArgs e)
    {
        if (sender is not Runspace runspace
            || e.RunspaceStateInfo.State is not (RunspaceState.Closed or RunspaceState.Broken)) return;
        runspace.StateChanged -= OnStateChanged;
        RedisDockerSession? session;
        lock (s_lock)
        {
            if (!s_sessions.Remove(runspace.InstanceId, out session)) return;
        }
        session.Dispose();
    }
}
