using System.Management.Automation;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace RedisDocker.Loader;

/// <summary>
/// The module's own assembly load context: RedisDocker.Core and every third-party assembly it uses (Docker.DotNet,
/// Microsoft.Extensions.*, System.IO.Pipelines, ...) are loaded from the module's Dependencies/ folder into it, so
/// other
/// versions of the same assemblies loaded by PowerShell or by other modules neither break RedisDocker nor are broken by
/// it.
/// Assemblies of the .NET runtime itself are shared (taken from the runtime when it has the asked version or a newer
/// one).
/// Modelled on PowerShellEditorServices' PsesLoadContext; see the PowerShell docs page "Resolving PowerShell module
/// assembly dependency conflicts".
/// </summary>
internal sealed class ModuleLoadContext : AssemblyLoadContext
{
    private ModuleLoadContext(string dependencyDirectory)
        : base("RedisDocker", isCollectible: false)
    {
        DependencyDirectory = dependencyDirectory;
    }

    /// <summary>The Dependencies/ folder beside RedisDocker.Loader.dll (and RedisDocker.dll).</summary>
    public static string DefaultDependencyDirectory { get; } =
        Path.Combine(Path.GetDirectoryName(typeof(ModuleLoadContext).Assembly.Location) ?? ".", "Dependencies");

    /// <summary>The one context of this module (created on first use).</summary>
    public static ModuleLoadContext Instance { get; } = new(DefaultDependencyDirectory);

    public string DependencyDirectory { get; }

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        if (string.IsNullOrEmpty(assemblyName.Name))
        {
            return null;
        }

        var path = Path.Combine(DependencyDirectory, assemblyName.Name + ".dll");
        if (!File.Exists(path) || RuntimeProvides(assemblyName))
        {
            return null; // the default context: the runtime's (or PowerShell's) assembly
        }

        return LoadFromAssemblyPath(path);
    }

    /// <summary>True when the .NET runtime itself ships this assembly in the asked version or a newer one.</summary>
    private static bool RuntimeProvides(AssemblyName name)
    {
        var inRuntime = Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), name.Name + ".dll");
        if (!File.Exists(inRuntime))
        {
            return false;
        }

        try
        {
            return AssemblyName.GetAssemblyName(inRuntime).Version >= (name.Version ?? new Version(0, 0));
        }
        catch (Exception ex) when (ex is BadImageFormatException or IOException)
        {
            return false;
        }
    }
}

/// <summary>
/// Runs when PowerShell imports this nested module, before the root module RedisDocker.dll (the cmdlets) is loaded and
/// reflected over. RedisDocker.dll references RedisDocker.Core, which is not beside it but in Dependencies/; the
/// default
/// context then asks its Resolving event, and this hands it the copy loaded in <see cref="ModuleLoadContext"/>.
/// Only RedisDocker.Core is resolved this way: everything else the core needs is found by the module's context itself.
/// Where the core sits beside RedisDocker.dll (the build output, tests loading the assembly directly) the default
/// context finds it and this does nothing.
/// PowerShell resolves a type name like [RedisDocker.RedisNode] only among the assemblies of the default context
/// (custom
/// contexts are hidden on purpose), so the core's public types are also registered as type accelerators under their own
/// full names: scripts keep writing [RedisDocker.RedisNode], -is [RedisDocker.RedisCluster], and get the module's
/// types.
/// </summary>
public sealed class ModuleAssemblyInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    private const string CoreAssemblyName = "RedisDocker.Core";
    private static readonly object Gate = new();
    private static bool _hooked;

    /// <summary>Hooks the resolver and registers the core's type names (once per process).</summary>
    public void OnImport()
    {
        lock (Gate)
        {
            if (_hooked || !File.Exists(CorePath))
            {
                return;
            }

            AssemblyLoadContext.Default.Resolving += ResolveCore;
            _hooked = true;
            RegisterTypeNames(ModuleLoadContext.Instance.LoadFromAssemblyName(new AssemblyName(CoreAssemblyName)));
        }
    }

    /// <summary>Nothing to undo: the core stays loaded (assemblies cannot be unloaded from a non-collectible
    /// context).</summary>
    public void OnRemove(PSModuleInfo psModuleInfo)
    {
    }

    private static string CorePath => Path.Combine(ModuleLoadContext.DefaultDependencyDirectory, CoreAssemblyName
        + ".dll");

    internal static Assembly? ResolveCore(AssemblyLoadContext context, AssemblyName name) =>
        string.Equals(name.Name, CoreAssemblyName, StringComparison.Ordinal) && File.Exists(CorePath)
            ? ModuleLoadContext.Instance.LoadFromAssemblyName(name)
            : null;

    /// <summary>Each public top-level type of the core as a type accelerator named after its full name (unless
    /// taken).</summary>
    private static void RegisterTypeNames(Assembly core)
    {
        var accelerators = typeof(PSObject).Assembly.GetType("System.Management.Automation.TypeAccelerators");
        var add = accelerators?.GetMethod("Add", BindingFlags.Public | BindingFlags.Static, [typeof(string),
            typeof(Type)]);
        var existing = accelerators?.GetProperty("Get", BindingFlags.Public | BindingFlags.Static)?.GetValue(null)
            as IDictionary<string, Type>;
        if (add is null || existing is null)
        {
            return; // another PowerShell: the cmdlets work all the same, only type literals of the core do not
        }

        foreach (var type in core.GetExportedTypes().Where(t => !t.IsNested && t.FullName is not null))
        {
            if (!existing.ContainsKey(type.FullName!))
            {
                add.Invoke(null, [type.FullName, type]);
            }
        }
    }
}
