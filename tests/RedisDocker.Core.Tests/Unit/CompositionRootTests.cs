using System.Reflection;
using System.Text.RegularExpressions;
using RedisDocker.Core.Docker;
using Xunit;

namespace RedisDocker.Core.Tests.Unit;

/// <summary>One composition root (<see cref="Workflows"/>): nothing else builds a workflow, and the graph it builds
/// has no cycle.</summary>
public partial class CompositionRootTests
{
    private static readonly string Sep = Path.DirectorySeparatorChar.ToString();

    /// <summary>The workflow types: what the root hands out (itself, the session and the sink aside).</summary>
    private static readonly Type[] WorkflowTypes = typeof(Workflows).GetProperties()
        .Select(p => p.PropertyType)
        .Where(t => t != typeof(Workflows) && t != typeof(RedisDockerSession) && t != typeof(IOperationSink))
        .Distinct().ToArray();

    [GeneratedRegex(@"new\s+(\w+Operations)\s*\(")]
    private static partial Regex NewOperations();

    [Fact]
    public void NoWorkflowIsBuiltOutsideTheCompositionRoot()
    {
        var typed = new Regex(@"new\s+(" + string.Join("|", WorkflowTypes.Select(t => t.Name)) + @")\s*\(");
        var offenders = new List<string>();
        foreach (var project in new[] { "RedisDocker.Core", "RedisDocker" })
            foreach (var file in Directory.EnumerateFiles(Path.Combine(RepoPaths.Root, "src", project), "*.cs",
                         SearchOption.AllDirectories))
            {
                if (file.Contains(Sep + "obj" + Sep, StringComparison.Ordinal)) continue;
                if (Path.GetFileName(file) == "Workflows.cs" && project == "RedisDocker.Core") continue;
                var lines = File.ReadAllLines(file);
                for (var i = 0; i < lines.Length; i++)
                    if (NewOperations().IsMatch(lines[i]) || typed.IsMatch(lines[i]))
                        offenders.Add($"{Path.GetFileName(file)}:{i + 1}: {lines[i].Trim()}");
            }
        Assert.True(offenders.Count == 0,
            "Workflows are built by RedisDocker.Core.Workflows only (session.Workflows(sink).X):\n"
            + string.Join("\n", offenders));
    }

    [Fact]
    public void WorkflowConstructorsAreNotPublic()
    {
        Assert.NotEmpty(WorkflowTypes);
        var open = WorkflowTypes.Where(t => t.GetConstructors(BindingFlags.Public | BindingFlags.Instance).Length > 0)
            .Select(t => t.Name).ToArray();
        Assert.True(open.Length == 0, "Public constructors (only the root builds these): " + string.Join(", ", open));
    }

    [Fact]
    public void TheConstructionGraphHasNoCycle()
    {
        var edges = WorkflowTypes.ToDictionary(t => t, t => t
            .GetConstructors(BindingFlags.NonPublic | BindingFlags.Instance)
            .SelectMany(c => c.GetParameters()).Select(p => p.ParameterType)
            .Where(WorkflowTypes.Contains).Distinct().ToArray());
        // Some workflow takes a collaborator: otherwise this test would check nothing.
        Assert.Contains(edges, e => e.Value.Length > 0);
        var state = new Dictionary<Type, int>();   // 1 visiting, 2 done
        var path = new Stack<Type>();
        void Visit(Type t)
        {
            if (state.GetValueOrDefault(t) == 2) return;
            path.Push(t);
            Assert.True(state.GetValueOrDefault(t) != 1,
                "Cycle: " + string.Join(" <- ", path.Select(x => x.Name)));
            state[t] = 1;
            foreach (var next in edges[t]) Visit(next);
            state[t] = 2;
            path.Pop();
        }
        foreach (var t in WorkflowTypes) Visit(t);
    }

    [Fact]
    public void EachMemberIsBuiltOnceAndTheQuietGraphReportsNowhere()
    {
        using var session = new RedisDockerSession(DockerEndpoint.Parse("unix:///tmp/redisdocker-no-such-engine.sock"));
        var sink = new RecordingSink();
        var root = session.Workflows(sink);
        foreach (var p in typeof(Workflows).GetProperties())
        {
            var first = p.GetValue(root);
            Assert.NotNull(first);
            Assert.Same(first, p.GetValue(root));
        }
        Assert.Same(sink, root.Sink);
        Assert.Same(NullSink.Instance, root.Quiet.Sink);
        Assert.Same(root.Quiet, root.Quiet.Quiet);
        Assert.NotSame(root.Nodes, root.Quiet.Nodes);
    }

    /// <summary>Issue 11 item 7: no line of src over 120 characters (the count was 796, then 0; two long lines came
    /// back in a merge unseen, which is why this is a test).</summary>
    [Fact]
    public void NoLineOfSourceIsOver120Characters()
    {
        var offenders = new List<string>();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(RepoPaths.Root, "src"), "*.cs",
                     SearchOption.AllDirectories))
        {
            if (file.Contains(Sep + "obj" + Sep, StringComparison.Ordinal)) continue;
            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
                if (lines[i].Length > 120) offenders.Add($"{Path.GetFileName(file)}:{i + 1} ({lines[i].Length})");
        }
        Assert.True(offenders.Count == 0, "Lines over 120 characters:\n" + string.Join("\n", offenders));
    }

}
