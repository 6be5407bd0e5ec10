using RedisDocker.Core.Docker;
using Xunit;

namespace RedisDocker.Core.Tests.Integration;

/// <summary>
/// Extra Docker engines for one test (tests/multihost/engine.sh, never the main engine), joined into one Docker Swarm
/// (swarm.sh; the first engine is the manager), and a session on all of them, the manager first. Disposing it removes
/// the test's topology from every engine, leaves the swarm and brings the engines down, also after a failed test, so
/// the machine is left as found. Each test class names its own engines and indices, so the classes can run side by
/// side.
/// </summary>
internal sealed class TestSwarm : IAsyncDisposable
{
    private readonly (string Name, string Index)[] _engines;
    private readonly string _topology;
    private readonly Dictionary<string, string> _env = new();
    private RedisDockerSession? _session;

    private TestSwarm(string topology, (string Name, string Index)[] engines)
    {
        _topology = topology;
        _engines = engines;
    }

    public RedisDockerSession Session => _session!;

    public string Manager => _engines[0].Name;

    /// <summary>The engine's Docker endpoint, tcp://10.250.I.2:2375.</summary>
    public string Tcp(string engine) => _env[$"{engine}.RDK_DOCKER_TCP"];

    /// <summary>The engine's own address, 10.250.I.2 (where its nodes are published).</summary>
    public string Addr(string engine) => _env[$"{engine}.RDK_ENGINE_ADDR"];

    /// <summary>The swarm node id of an engine, as swarm.sh up printed it.</summary>
    public string SwarmNodeId(string engine) => _env[$"swarm.RDK_SWARM_NODE_{engine.Replace('-', '_')}"];

    /// <summary>Brings the engines up, forms the swarm and opens the session; on a failure part-way, takes down
    /// what it brought up before it throws.</summary>
    public static async Task<TestSwarm> UpAsync(string topology, params (string Name, string Index)[] engines)
    {
        var swarm = new TestSwarm(topology, engines);
        try
        {
            foreach (var (name, index) in engines)
                swarm.Parse(await RepoPaths.MultiHostScriptAsync("engine.sh", "up", name, index), name);
            swarm.Parse(await RepoPaths.MultiHostScriptAsync("swarm.sh",
                ["up", .. engines.Select(e => e.Name)]), "swarm");
            swarm._session = new RedisDockerSession(DockerEndpoint.Parse(swarm.Tcp(swarm.Manager)))
            {
                DefaultImage = DockerTestBase.TestImage,
            };
            foreach (var (name, _) in engines.Skip(1)) swarm.Session.AddHost(DockerEndpoint.Parse(swarm.Tcp(name)));
            return swarm;
        }
        catch
        {
            await swarm.DisposeAsync();
            throw;
        }
    }

    private void Parse(string output, string prefix)
    {
        foreach (var line in output.Split('\n'))
            if (line.Split('=', 2) is [var k, var v]) _env[$"{prefix}.{k.Trim()}"] = v.Trim();
    }

    /// <summary>The docker CLI (bounded at 30 s): exit code, stdout, stderr.</summary>
    public static Task<(int Code, string Out, string Err)> CliAsync(params string[] args) =>
        RepoPaths.RunProcessAsync(TimeSpan.FromSeconds(30), null, new[] { "docker" }.Concat(args).ToArray());

    /// <summary>Every step runs even when one before it failed; the first failure is thrown at the end.</summary>
    public async ValueTask DisposeAsync()
    {
        var failures = new List<Exception>();
        async Task Step(Func<Task> step)
        {
            try { await step(); }
            catch (Exception e) { failures.Add(e); }
        }

        if (_session is not null)
        {
            foreach (var host in Session.Hosts.Reverse())
            {
                using var s = new RedisDockerSession(host);
                try { await DockerTestBase.RemoveTopologyAsync(s, _topology); }
                catch (Exception) { }   // an engine a test cut and did not heal: engine.sh down removes it all
            }
            _session.Dispose();
        }
        var names = _engines.Select(e => e.Name).Reverse().ToArray();
        await Step(() => RepoPaths.MultiHostScriptAsync("swarm.sh", ["down", .. names]));
        foreach (var name in names) await Step(() => RepoPaths.MultiHostScriptAsync("engine.sh", "down", name));
        if (failures.Count > 0) throw failures[0];
    }
}
