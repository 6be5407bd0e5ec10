using System.Net;
using System.Net.Sockets;
using System.Text;
using RedisDocker.Core.Docker;
using Xunit;

namespace RedisDocker.Core.Tests.Docker;

/// <summary>A fact that talks to the real Docker engine; skipped only when REDISDOCKER_SKIP_DOCKER_TESTS=1.</summary>
public sealed class DockerFactAttribute : FactAttribute
{
    public DockerFactAttribute()
    {
        if (DockerEngineFixture.SkipDocker)
        {
            Skip = "REDISDOCKER_SKIP_DOCKER_TESTS is set";
        }
    }
}

/// <summary>
/// Connects to the engine (DOCKER_HOST or the platform default) and removes, in DisposeAsync, every container,
/// network and volume labelled io.redisdocker.test=&lt;this run's id&gt;, whatever the tests left.
/// Test networks use 172.29.X.0/24 subnets.
/// </summary>
public class DockerEngineFixture : IAsyncLifetime
{
    public const string LabelKey = "io.redisdocker.test";

    public static bool SkipDocker => Environment.GetEnvironmentVariable("REDISDOCKER_SKIP_DOCKER_TESTS") is "1" or "true";

    public string RunId { get; } = "rdt" + Guid.NewGuid().ToString("N")[..10];

    public string Image { get; } = Environment.GetEnvironmentVariable("REDISDOCKER_TEST_IMAGE") is { Length: > 0 } image
        ? image
        : "redisdocker/redis:local";

    public DockerEndpoint Endpoint { get; } = DockerEndpoint.FromEnvironment();

    public DockerClient Client { get; private set; } = null!;

    /// <summary>The run label alone (for filters).</summary>
    public IReadOnlyDictionary<string, string?> RunFilter => new Dictionary<string, string?> { [LabelKey] = RunId };

    /// <summary>The run label plus extra labels.</summary>
    public IReadOnlyDictionary<string, string> Labels(params (string Key, string Value)[] extra)
    {
        var d = new Dictionary<string, string> { [LabelKey] = RunId };
        foreach (var (k, v) in extra)
        {
            d[k] = v;
        }

        return d;
    }

    public string Name(string suffix) => $"{RunId}-{suffix}";

    public virtual async Task InitializeAsync()
    {
        if (SkipDocker)
        {
            return;
        }

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        Client = await DockerClient.ConnectAsync(Endpoint, cts.Token);
    }

    public virtual async Task DisposeAsync()
    {
        if (Client is null)
        {
            return;
        }

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var errors = new List<string>();
        try
        {
            foreach (var c in await Client.ListContainersAsync(RunFilter, all: true, cts.Token))
            {
                try
                {
                    await Client.RemoveContainerAsync(c.Id, force: true, removeVolumes: true, cts.Token);
                }
                catch (DockerException ex)
                {
                    errors.Add(ex.Message);
                }
            }

            foreach (var n in await Client.ListNetworksAsync(RunFilter, cts.Token))
            {
                try
                {
                    await Client.RemoveNetworkAsync(n.Id, cts.Token);
                }
                catch (DockerException ex)
                {
                    errors.Add(ex.Message);
                }
            }

            foreach (var v in await Client.ListVolumesAsync(RunFilter, cts.Token))
            {
                try
                {
                    await Client.RemoveVolumeAsync(v.Name, force: true, cts.Token);
                }
                catch (DockerException ex)
                {
                    errors.Add(ex.Message);
                }
            }
        }
        finally
        {
            Client.Dispose();
        }

        if (errors.Count > 0)
        {
            throw new InvalidOperationException("Cleanup of test resources failed: " + string.Join("; ", errors));
        }
    }

    /// <summary>
    /// Creates a labelled bridge network on a free 172.29.X.0/24 (X drawn at random, retried on overlap with another run's network).
    /// Returns its id and the "172.29.X." prefix.
    /// </summary>
    public async Task<(string Id, string Prefix)> CreateTestNetworkAsync(string suffix, bool isInternal = false,
        IReadOnlyDictionary<string, string>? labels = null, CancellationToken ct = default)
    {
        for (var attempt = 0; ; attempt++)
        {
            var octet = Random.Shared.Next(100, 240);
            var prefix = $"172.29.{octet}.";
            try
            {
                var id = await Client.CreateNetworkAsync(new NetworkCreateSpec
                {
                    Name = Name(suffix),
                    Subnet = prefix + "0/24",
                    Gateway = prefix + "1",
                    Internal = isInternal,
                    Labels = labels ?? Labels(),
                }, ct);
                return (id, prefix);
            }
            catch (DockerApiException ex) when (attempt < 20 && ex.EngineMessage.Contains("overlap", StringComparison.OrdinalIgnoreCase))
            {
                // another network (maybe another run's) holds this subnet: draw again
            }
        }
    }

    /// <summary>A Redis container spec (not started) with the run label and no published ports.</summary>
    public ContainerCreateSpec RedisSpec(string suffix, params string[] cmd) => new()
    {
        Name = Name(suffix),
        Image = Image,
        Cmd = cmd.Length == 0 ? ["redis-server", "--save", "", "--appendonly", "no"] : cmd,
        Labels = Labels(),
        StopTimeoutSeconds = 3,
    };

    /// <summary>Waits until the container's log shows <paramref name="text"/> (at least <paramref name="occurrences"/> times).</summary>
    public async Task WaitForLogAsync(string container, string text, int occurrences = 1, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        string logs = "";
        while (DateTime.UtcNow < deadline)
        {
            logs = await Client.GetLogsAsync(container);
            if (CountOf(logs, text) >= occurrences)
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"'{text}' did not appear {occurrences} times in the log of {container}:\n{logs}");
    }

    private static int CountOf(string haystack, string needle)
    {
        var count = 0;
        for (var i = haystack.IndexOf(needle, StringComparison.Ordinal); i >= 0; i = haystack.IndexOf(needle, i + needle.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    /// <summary>Sends raw RESP commands to 127.0.0.1:port and reads until <paramref name="expected"/> arrived (retrying while Redis starts).</summary>
    public static async Task<string> RedisRoundTripAsync(int port, string commands, string expected, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        var received = "";
        while (true)
        {
            try
            {
                using var tcp = new TcpClient();
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await tcp.ConnectAsync(IPAddress.Loopback, port, cts.Token);
                var stream = tcp.GetStream();
                await stream.WriteAsync(Encoding.ASCII.GetBytes(commands), cts.Token);
                var buffer = new byte[1024];
                var sb = new StringBuilder();
                while (sb.Length < expected.Length)
                {
                    var n = await stream.ReadAsync(buffer, cts.Token);
                    if (n == 0)
                    {
                        break;
                    }

                    sb.Append(Encoding.ASCII.GetString(buffer, 0, n));
                }

                received = sb.ToString();
                if (received == expected)
                {
                    return received;
                }
            }
            catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException)
            {
                received = ex.Message;
            }

            if (DateTime.UtcNow > deadline)
            {
                return received;
            }

            await Task.Delay(200);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class DockerEngineCollection : ICollectionFixture<DockerEngineFixture>
{
    public const string Name = "Docker engine";
}

public sealed class RedisScenarioFixture : DockerEngineFixture;

[CollectionDefinition(Name)]
public sealed class RedisScenarioCollection : ICollectionFixture<RedisScenarioFixture>
{
    public const string Name = "Docker Redis scenario";
}

public sealed class ContainerLifecycleFixture : DockerEngineFixture;

[CollectionDefinition(Name)]
public sealed class ContainerLifecycleCollection : ICollectionFixture<ContainerLifecycleFixture>
{
    public const string Name = "Docker container lifecycle";
}
