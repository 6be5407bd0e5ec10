namespace RedisDocker.Core;

public static class ModuleInfo
{
    public static string Version { get; } =
        typeof(ModuleInfo).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
}
