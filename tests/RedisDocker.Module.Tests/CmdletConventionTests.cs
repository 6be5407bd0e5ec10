using Xunit;

namespace RedisDocker.Module.Tests;

public sealed class ModuleFixture : IDisposable
{
    public ModuleMetadata Module { get; } = new();
    public void Dispose() => Module.Dispose();
}

[CollectionDefinition("module")]
public sealed class ModuleCollection : ICollectionFixture<ModuleFixture> { }

[Collection("module")]
public class CmdletConventionTests
{
    private readonly ModuleMetadata _m;
    public CmdletConventionTests(ModuleFixture f) => _m = f.Module;

    /// <summary>Get-Verb's approved verbs (PowerShell 7.4).</summary>
    public static readonly HashSet<string> ApprovedVerbs = new(StringComparer.Ordinal)
    {
        "Add", "Clear", "Close", "Copy", "Enter", "Exit", "Find", "Format", "Get", "Hide", "Join", "Lock", "Move", "New", "Open", "Optimize",
        "Pop", "Push", "Redo", "Remove", "Rename", "Reset", "Resize", "Search", "Select", "Set", "Show", "Skip", "Split", "Step", "Switch",
        "Undo", "Unlock", "Watch", "Connect", "Disconnect", "Read", "Receive", "Send", "Write", "Backup", "Checkpoint", "Compare", "Compress",
        "Convert", "ConvertFrom", "ConvertTo", "Dismount", "Edit", "Expand", "Export", "Group", "Import", "Initialize", "Limit", "Merge", "Mount",
        "Out", "Publish", "Restore", "Save", "Sync", "Unpublish", "Update", "Debug", "Measure", "Repair", "Resolve", "Test", "Trace", "Approve",
        "Assert", "Build", "Complete", "Confirm", "Deny", "Deploy", "Disable", "Enable", "Install", "Invoke", "Register", "Request", "Restart",
        "Resume", "Start", "Stop", "Submit", "Suspend", "Uninstall", "Unregister", "Wait", "Block", "Grant", "Protect", "Revoke", "Unblock", "Unprotect", "Use",
    };

    /// <summary>Verbs whose cmdlets change state, so they must support -WhatIf/-Confirm.</summary>
    private static readonly HashSet<string> StateChangingVerbs = new() { "New", "Remove", "Set", "Start", "Stop", "Restart", "Add", "Move", "Optimize", "Repair", "Disconnect" };

    [Fact]
    public void TheAssemblyDefinesTheCmdlets() => Assert.True(_m.Cmdlets.Count >= 34, $"only {_m.Cmdlets.Count} cmdlets");

    [Fact]
    public void EveryCmdletUsesAnApprovedVerbAndARedisNoun()
    {
        foreach (var c in _m.Cmdlets)
        {
            Assert.True(ApprovedVerbs.Contains(c.Verb), $"{c.Name}: '{c.Verb}' is not an approved verb");
            Assert.StartsWith("Redis", c.Noun);
            Assert.False(c.Noun.EndsWith('s') && !c.Noun.EndsWith("ss", StringComparison.Ordinal), $"{c.Name}: nouns are singular");
        }
    }

    [Fact]
    public void EveryCmdletDeclaresOutputType()
    {
        foreach (var c in _m.Cmdlets) Assert.True(c.OutputTypeNames.Count > 0, $"{c.Name} has no [OutputType]");
    }

    [Fact]
    public void StateChangingCmdletsSupportShouldProcess()
    {
        foreach (var c in _m.Cmdlets.Where(c => StateChangingVerbs.Contains(c.Verb) || c.Name is "Invoke-RedisFailover" or "Connect-RedisNetwork"))
            Assert.True(c.SupportsShouldProcess, $"{c.Name} changes state but has no SupportsShouldProcess");
    }

    [Fact]
    public void RemovalAndFailoverAskForConfirmation()
    {
        // Move-RedisNode removes a container and its volume and may fail a primary over.
        foreach (var c in _m.Cmdlets.Where(c => c.Verb == "Remove" || c.Name is "Invoke-RedisFailover"
            or "Move-RedisNode"))
            Assert.True(c.ConfirmImpact == 3, $"{c.Name} should have ConfirmImpact High");
    }

    /// <summary>
    /// The cmdlet assembly is loaded by PowerShell in the default load context, which does not search the module's
    /// Dependencies/ folder: a reference to a third-party assembly (StackExchange.Redis for Connect-RedisClient's
    /// output was one) fails there with FileNotFoundException. Only the core is resolved for it (RedisDocker.Loader).
    /// </summary>
    [Fact]
    public void TheCmdletAssemblyReferencesNoThirdPartyAssembly()
    {
        var refs = _m.Assembly.GetReferencedAssemblies().Select(a => a.Name!)
            .Where(n => !n.StartsWith("System.", StringComparison.Ordinal)
                && n is not ("System" or "netstandard" or "mscorlib" or "RedisDocker.Core"))
            .ToList();
        Assert.True(refs.Count == 0, "RedisDocker.dll references " + string.Join(", ", refs));
    }

    [Fact]
    public void OutputTypesAreTheModulesOwnObjects()
    {
        var allowed = new[] { "RedisDocker.", "System.IO.FileInfo", "System.String", "System.Int64", "System.Object[]", "System.Boolean", "System.Void", "System.Management.Automation.PSCredential",
            // Connect-RedisClient: the application-side client itself, as issue 14 asks.
            "StackExchange.Redis.ConnectionMultiplexer" };
        foreach (var c in _m.Cmdlets)
            foreach (var t in c.OutputTypeNames)
                Assert.True(allowed.Any(a => t.StartsWith(a, StringComparison.Ordinal)), $"{c.Name} emits {t}: emit the module's own objects");
    }

    [Fact]
    public void SecretsAreNeverPlainStrings()
    {
        foreach (var c in _m.Cmdlets)
            // A switch (Get-RedisConnectionString -IncludePassword) carries no secret.
            foreach (var p in c.Parameters.Where(p => (p.Name.Contains("Password", StringComparison.OrdinalIgnoreCase) || p.Name.Contains("Credential", StringComparison.OrdinalIgnoreCase))
                         && p.Type.FullName != "System.Management.Automation.SwitchParameter"))
                Assert.True(p.Type.FullName is "System.Security.SecureString" or "System.Management.Automation.PSCredential", $"{c.Name} -{p.Name} is {p.Type.FullName}");
    }

    [Fact]
    public void NameParametersOfNodesNetworksAndClustersHaveCompleters()
    {
        var completed = new[] { "Network", "Node", "Cluster", "Topology", "MasterName", "SentinelGroup" };
        foreach (var c in _m.Cmdlets)
            // A name being created (New-RedisSentinel -MasterName) has nothing to complete.
            foreach (var p in c.Parameters.Where(p => completed.Contains(p.Name) && p.Type.FullName!.StartsWith("System.String", StringComparison.Ordinal) && !(c.Verb == "New" && p.Name == "MasterName")))
                Assert.True(p.HasCompleter, $"{c.Name} -{p.Name} has no argument completer");
    }

    [Fact]
    public void EveryCmdletTakesASession()
    {
        foreach (var c in _m.Cmdlets.Where(c => c.Name != "Connect-RedisDocker"))
            Assert.Contains(c.Parameters, p => p.Name == "Session" && p.Type.Name == "RedisDockerSession");
    }

    [Fact]
    public void CmdletClassesAreNamedAfterTheirCmdletAndLiveInTheirOwnFile()
    {
        foreach (var c in _m.Cmdlets)
        {
            Assert.Equal(c.Verb + c.Noun + "Command", c.Type.Name);
            Assert.True(File.Exists(Path.Combine(_m.RepoRoot, "src", "RedisDocker", "Cmdlets", c.Type.Name + ".cs")), $"{c.Type.Name}.cs is missing");
        }
    }
}
