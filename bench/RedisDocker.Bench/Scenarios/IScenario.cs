namespace RedisDocker.Bench.Scenarios;

public interface IScenario
{
    /// <summary>The figures' prefix (floor, cc, cf, sf).</summary>
    string Short { get; }
    string Describe(BenchOptions options);
    Task RunAsync(BenchContext ctx, Figures figures);
}
