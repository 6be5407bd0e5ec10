using Xunit;

namespace RedisDocker.Hosting.Tests;

/// <summary>Each runspace has its own default session: a Connect-RedisDocker in one neither replaces nor disposes
/// the default session of another, and a runspace's default session is disposed when the runspace closes.</summary>
public class DefaultSessionTests
{
    // Two spellings of the local engine (/var/run is /run on Linux), so that the two sessions are told apart.
    private const string EndpointA = "unix:///var/run/docker.sock";
    private const string EndpointB = "unix:///run/docker.sock";

    private static object Session(HostedPowerShell ps, string script, string endpoint) =>
        Assert.Single(ps.Output(script, new Dictionary<string, object?> { ["Endpoint"] = endpoint }))!;

    private static T Get<T>(object session, string property) =>
        (T)session.GetType().GetProperty(property)!.GetValue(session)!;

    [Fact]
    public void TwoRunspacesConnectToDifferentEnginesWithoutInterfering()
    {
        if (!File.Exists("/run/docker.sock") || !File.Exists("/var/run/docker.sock"))
            throw new InvalidOperationException("The test needs the local engine at /run/docker.sock.");
        using var a = new HostedPowerShell();
        var b = new HostedPowerShell();
        try
        {
            var sessionA = Session(a, "param($Endpoint) Connect-RedisDocker $Endpoint", EndpointA);
            var sessionB = Session(b, "param($Endpoint) Connect-RedisDocker $Endpoint", EndpointB);
            Assert.NotEqual(Get<string>(sessionA, "Id"), Get<string>(sessionB, "Id"));

            // B's Connect-RedisDocker neither disposed A's default session nor replaced it.
            Assert.False(Get<bool>(sessionA, "IsDisposed"));
            const string Default = "param($Endpoint) Connect-RedisDocker -Add $Endpoint";
            Assert.Equal(Get<string>(sessionA, "Id"), Get<string>(Session(a, Default, EndpointA), "Id"));
            Assert.Equal(Get<string>(sessionB, "Id"), Get<string>(Session(b, Default, EndpointB), "Id"));
            Assert.Equal(EndpointA, Get<string>(Session(a, Default, EndpointA), "DockerHost"));
            // And A's cmdlets still work on it.
            const string NoSuchTopology =
                "Get-RedisNode -Topology ('rdhz' + [guid]::NewGuid().ToString('N').Substring(0, 8))";
            Assert.Empty(a.Output(NoSuchTopology));

            // Connecting again in A disposes A's previous default, not B's.
            var sessionA2 = Session(a, "param($Endpoint) Connect-RedisDocker $Endpoint", EndpointA);
            Assert.True(Get<bool>(sessionA, "IsDisposed"));
            Assert.False(Get<bool>(sessionB, "IsDisposed"));

            // Closing B disposes B's default session, and only it.
            b.Dispose();
            Assert.True(Get<bool>(sessionB, "IsDisposed"));
            Assert.False(Get<bool>(sessionA2, "IsDisposed"));
        }
        finally { b.Dispose(); }
    }
}
