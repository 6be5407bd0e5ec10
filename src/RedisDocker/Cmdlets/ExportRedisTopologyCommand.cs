using System.Management.Automation;
using RedisDocker.Core.Topology;

namespace RedisDocker.Cmdlets;

/// <summary>
/// Export-RedisTopology: the topology as a JSON spec that Import-RedisTopology rebuilds, or as
/// docker-compose.yml files (one per Docker host). Never contains a password. With -Path it returns a
/// RedisTopologyExport for each file written: what it describes, and the secret files Compose needs.
/// </summary>
[Cmdlet(VerbsData.Export, "RedisTopology")]
[OutputType(typeof(string), typeof(RedisTopologyExport))]
public sealed class ExportRedisTopologyCommand : TopologyCmdlet
{
    /// <summary>File (Json) or folder (Compose) to write; the text is returned when omitted.</summary>
    [Parameter(Position = 1)]
    public string? Path { get; set; }

    [Parameter]
    [ValidateSet("Json", "Compose")]
    public string Format { get; set; } = "Json";

    protected override void ProcessRecord()
    {
        foreach (var name in Topology)
        {
            if (!TryRun(name, (sink, ct) => CurrentSession.Workflows(sink).Topologies.ExportAsync(name, ct),
                out var spec)) continue;
            if (Format == "Json")
            {
                var json = TopologyOperations.ToJson(spec);
                if (Path is null) { WriteObject(json); continue; }
                var file = GetUnresolvedProviderPathFromPSPath(Topology.Length > 1
                    ? System.IO.Path.Combine(Path, name + ".json") : Path);
                Directory.CreateDirectory(System.IO.Path.GetDirectoryName(file)!);
                File.WriteAllText(file, json);
                WriteObject(RedisTopologyExport.ForJson(spec, file, new FileInfo(file).Length));
                continue;
            }
            if (TopologyOperations.IsOverlayTopology(spec))
            {
                // An overlay spans the swarm: one stack file for docker stack deploy.
                // The stack file lacks TLS and ACL users: the sink warns.
                if (!TryRun(name, (sink, _) => Task.FromResult(TopologyOperations.ToStack(spec, sink)), out var stack))
                    continue;
                if (Path is null) { WriteObject(stack); continue; }
                var stackFolder = GetUnresolvedProviderPathFromPSPath(Path);
                Directory.CreateDirectory(stackFolder);
                var stackFile = System.IO.Path.Combine(stackFolder, TopologyOperations.StackFileName);
                File.WriteAllText(stackFile, stack);
                WriteObject(RedisTopologyExport.ForStack(spec, stackFile, new FileInfo(stackFile).Length));
                continue;
            }
            var composeFiles = TopologyOperations.ToCompose(spec);
            if (Path is null)
            {
                foreach (var text in composeFiles.Values) WriteObject(text);
                continue;
            }
            var folder = GetUnresolvedProviderPathFromPSPath(Path);
            Directory.CreateDirectory(folder);
            var i = 0;
            foreach (var (host, text) in composeFiles)
            {
                var fileName = composeFiles.Count == 1 ? "docker-compose.yml" : $"docker-compose.host{++i}.yml";
                var file = System.IO.Path.Combine(folder, fileName);
                File.WriteAllText(file, $"# Docker host: {host}\n" + text);
                WriteObject(RedisTopologyExport.ForCompose(spec, host, file, new FileInfo(file).Length));
            }
        }
    }
}
