using System.Reflection;
using System.Runtime.InteropServices;

namespace RedisDocker.Module.Tests;

/// <summary>Loads the built cmdlet assembly with MetadataLoadContext (no PowerShell needed) and reads its cmdlets.</summary>
public sealed class ModuleMetadata : IDisposable
{
    private readonly MetadataLoadContext _context;

    public ModuleMetadata()
    {
        RepoRoot = FindRepoRoot();
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";
        var bin = Path.Combine(RepoRoot, "src", "RedisDocker", "bin", configuration, "net8.0");
        CmdletAssemblyPath = Path.Combine(bin, "RedisDocker.dll");
        if (!File.Exists(CmdletAssemblyPath))
            throw new FileNotFoundException($"Build the cmdlet assembly first ({CmdletAssemblyPath} is missing).");
        var sma = Path.Combine(AppContext.BaseDirectory, "sma", "System.Management.Automation.dll");
        var paths = Directory.GetFiles(RuntimeEnvironment.GetRuntimeDirectory(), "*.dll")
            .Append(sma).Append(CmdletAssemblyPath).Append(Path.Combine(bin, "RedisDocker.Core.dll"))
            // The module's third-party assemblies (StackExchange.Redis, the output of Connect-RedisClient, and its own).
            .Concat(Directory.GetFiles(bin, "*.dll").Where(f => Path.GetFileName(f) is not ("RedisDocker.dll" or "RedisDocker.Core.dll"
                or "System.Management.Automation.dll")));
        _context = new MetadataLoadContext(new PathAssemblyResolver(paths), "System.Private.CoreLib");
        Assembly = _context.LoadFromAssemblyPath(CmdletAssemblyPath);
        CoreAssembly = _context.LoadFromAssemblyPath(Path.Combine(bin, "RedisDocker.Core.dll"));
        Cmdlets = Assembly.GetTypes()
            .Where(t => !t.IsAbstract && t.GetCustomAttributesData().Any(a => a.AttributeType.FullName == "System.Management.Automation.CmdletAttribute"))
            .Select(t => new CmdletInfo(t))
            .OrderBy(c => c.Name, StringComparer.Ordinal)
            .ToArray();
    }

    public string RepoRoot { get; }
    public string CmdletAssemblyPath { get; }
    public Assembly Assembly { get; }
    public Assembly CoreAssembly { get; }
    public IReadOnlyList<CmdletInfo> Cmdlets { get; }

    public CmdletInfo Get(string name) => Cmdlets.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new KeyNotFoundException($"No cmdlet {name} in the assembly.");

    public static string FindRepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "RedisDocker.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new DirectoryNotFoundException("RedisDocker.sln not found above the test directory.");
    }

    public void Dispose() => _context.Dispose();
}

/// <summary>One cmdlet as its attributes describe it.</summary>
public sealed class CmdletInfo
{
    public CmdletInfo(Type type)
    {
        Type = type;
        var attr = type.GetCustomAttributesData().First(a => a.AttributeType.FullName == "System.Management.Automation.CmdletAttribute");
        Verb = (string)attr.ConstructorArguments[0].Value!;
        Noun = (string)attr.ConstructorArguments[1].Value!;
        SupportsShouldProcess = Named<bool>(attr, "SupportsShouldProcess");
        ConfirmImpact = attr.NamedArguments.Where(n => n.MemberName == "ConfirmImpact").Select(n => (int)n.TypedValue.Value!).DefaultIfEmpty(2).First();
        DefaultParameterSetName = attr.NamedArguments.Where(n => n.MemberName == "DefaultParameterSetName").Select(n => (string?)n.TypedValue.Value).FirstOrDefault();
        OutputTypes = type.GetCustomAttributesData().Where(a => a.AttributeType.FullName == "System.Management.Automation.OutputTypeAttribute")
            .SelectMany(a => a.ConstructorArguments.SelectMany(arg => arg.Value is IEnumerable<CustomAttributeTypedArgument> arr ? arr.Select(x => x.Value) : new[] { arg.Value }))
            .OfType<Type>().ToArray();
        // [OutputType("Name")] too: a type the cmdlet assembly must not reference (Connect-RedisClient's client).
        OutputTypeNames = type.GetCustomAttributesData()
            .Where(a => a.AttributeType.FullName == "System.Management.Automation.OutputTypeAttribute")
            .SelectMany(a => a.ConstructorArguments.SelectMany(arg =>
                arg.Value is IEnumerable<CustomAttributeTypedArgument> arr ? arr.Select(x => x.Value) : new[] { arg.Value }))
            .Select(v => v is Type t ? t.FullName : v as string).OfType<string>().ToArray();
        var props = new List<ParameterInfo>();
        for (var t = type; t is not null && t.FullName != "System.Management.Automation.PSCmdlet"; t = t.BaseType)
            foreach (var p in t.GetProperties(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            {
                var sets = p.GetCustomAttributesData().Where(a => a.AttributeType.FullName == "System.Management.Automation.ParameterAttribute").ToList();
                if (sets.Count == 0) continue;
                var aliases = p.GetCustomAttributesData().Where(a => a.AttributeType.FullName == "System.Management.Automation.AliasAttribute")
                    .SelectMany(a => ((IEnumerable<CustomAttributeTypedArgument>)a.ConstructorArguments[0].Value!).Select(x => (string)x.Value!)).ToArray();
                props.Add(new ParameterInfo(p.Name, p.PropertyType, aliases, sets.Select(s => new ParameterSetInfo(
                    Named<string>(s, "ParameterSetName") ?? "__AllParameterSets",
                    Named<bool>(s, "Mandatory"),
                    s.NamedArguments.Where(n => n.MemberName == "Position").Select(n => (int)n.TypedValue.Value!).DefaultIfEmpty(int.MinValue).First(),
                    Named<bool>(s, "ValueFromPipeline"),
                    Named<bool>(s, "ValueFromPipelineByPropertyName"),
                    Named<bool>(s, "ValueFromRemainingArguments"))).ToArray(),
                    p.GetCustomAttributesData().Any(a => a.AttributeType.FullName == "System.Management.Automation.ArgumentCompleterAttribute")));
            }
        Parameters = props;
    }

    private static T? Named<T>(CustomAttributeData a, string name) =>
        a.NamedArguments.Where(n => n.MemberName == name).Select(n => (T?)n.TypedValue.Value).FirstOrDefault();

    public Type Type { get; }
    public string Verb { get; }
    public string Noun { get; }
    public string Name => $"{Verb}-{Noun}";
    public bool SupportsShouldProcess { get; }
    /// <summary>0 None, 1 Low, 2 Medium, 3 High.</summary>
    public int ConfirmImpact { get; }
    public string? DefaultParameterSetName { get; }
    public IReadOnlyList<Type> OutputTypes { get; }
    public IReadOnlyList<string> OutputTypeNames { get; }
    public IReadOnlyList<ParameterInfo> Parameters { get; }

    /// <summary>Parameters plus the common ones PowerShell adds (and WhatIf/Confirm with ShouldProcess).</summary>
    public IEnumerable<string> AllParameterNames =>
        Parameters.SelectMany(p => p.Aliases.Prepend(p.Name)).Concat(CommonParameters).Concat(SupportsShouldProcess ? new[] { "WhatIf", "Confirm", "wi", "cf" } : Array.Empty<string>());

    public static readonly string[] CommonParameters =
    {
        "Verbose", "Debug", "ErrorAction", "WarningAction", "InformationAction", "ProgressAction", "ErrorVariable", "WarningVariable",
        "InformationVariable", "OutVariable", "OutBuffer", "PipelineVariable", "vb", "db", "ea", "wa", "infa", "proga", "ev", "wv", "iv", "ov", "ob", "pv",
    };

    public ParameterInfo? FindParameter(string nameOrPrefix)
    {
        var exact = Parameters.FirstOrDefault(p => p.Name.Equals(nameOrPrefix, StringComparison.OrdinalIgnoreCase) || p.Aliases.Any(a => a.Equals(nameOrPrefix, StringComparison.OrdinalIgnoreCase)));
        if (exact is not null) return exact;
        var prefixed = Parameters.Where(p => p.Name.StartsWith(nameOrPrefix, StringComparison.OrdinalIgnoreCase)).ToList();
        return prefixed.Count == 1 ? prefixed[0] : null;
    }

    public bool AcceptsParameter(string name) =>
        FindParameter(name) is not null || AllParameterNames.Any(n => n.Equals(name, StringComparison.OrdinalIgnoreCase) || (name.Length >= 2 && n.StartsWith(name, StringComparison.OrdinalIgnoreCase)));

    public override string ToString() => Name;
}

public sealed record ParameterSetInfo(string Name, bool Mandatory, int Position, bool ValueFromPipeline, bool ValueFromPipelineByPropertyName, bool ValueFromRemainingArguments);

public sealed record ParameterInfo(string Name, Type Type, IReadOnlyList<string> Aliases, IReadOnlyList<ParameterSetInfo> Sets, bool HasCompleter)
{
    public bool ByValue => Sets.Any(s => s.ValueFromPipeline);
    public bool ByPropertyName => Sets.Any(s => s.ValueFromPipelineByPropertyName);
}
