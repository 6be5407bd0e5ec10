using System.Net;
using RedisDocker.Core.Docker;
using Xunit;

namespace RedisDocker.Core.Tests.Docker;

[Collection(DockerEngineCollection.Name)]
public class DockerConnectionTests(DockerEngineFixture fx)
{
    [DockerFact]
    public async Task Connect_negotiates_api_version()
    {
        using var client = await DockerClient.ConnectAsync(fx.Endpoint);
        var v = client.Version;
        Assert.False(string.IsNullOrEmpty(v.Version));
        Assert.False(string.IsNullOrEmpty(v.ApiVersion));
        Assert.False(string.IsNullOrEmpty(v.MinApiVersion));
        Assert.Equal("linux", v.Os);
        Assert.False(string.IsNullOrEmpty(v.Arch));
        Assert.Equal(DockerClient.NegotiateApiVersion(v.ApiVersion, v.MinApiVersion), client.ApiVersion);
        Assert.True(DockerClient.CompareApiVersions(client.ApiVersion, DockerClient.MaxApiVersion) <= 0);
        Assert.True(DockerClient.CompareApiVersions(client.ApiVersion, v.MinApiVersion) >= 0);
        Assert.Same(fx.Endpoint, client.Endpoint);
        await client.PingAsync();
    }

    [DockerFact]
    public async Task Missing_unix_socket_is_unreachable_and_names_the_path()
    {
        var path = $"/tmp/nonexistent-{Guid.NewGuid():N}.sock";
        var endpoint = DockerEndpoint.Parse("unix://" + path);
        var ex = await Assert.ThrowsAsync<DockerUnreachableException>(() => DockerClient.ConnectAsync(endpoint));
        Assert.Same(endpoint, ex.Endpoint);
        Assert.Contains(path, ex.Message);
        Assert.Contains("does not exist", ex.Message);
        Assert.Contains("DOCKER_HOST", ex.Message);
        Assert.Contains("-DockerHost", ex.Message);
        Assert.StartsWith($"Cannot reach the Docker engine at unix://{path}: ", ex.Message);
    }

    [DockerFact]
    public async Task Directory_instead_of_socket_is_unreachable()
    {
        var ex = await Assert.ThrowsAsync<DockerUnreachableException>(() => DockerClient.ConnectAsync(DockerEndpoint.Parse("unix:///tmp")));
        Assert.Contains("/tmp is a directory", ex.Message);
    }

    [Fact]
    public async Task Silent_engine_hits_the_call_time_out()
    {
        // Something on 127.0.0.1 accepts and never answers.
        var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var accept = listener.AcceptTcpClientAsync();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            var ex = await Assert.ThrowsAsync<DockerException>(() =>
                DockerClient.ConnectAsync(DockerEndpoint.Parse($"tcp://127.0.0.1:{port}"), TimeSpan.FromMilliseconds(300)));
            Assert.Equal($"The Docker engine at tcp://127.0.0.1:{port} did not answer GET /_ping within 300 ms.", ex.Message);
            Assert.IsType<TimeoutException>(ex.InnerException);
            (await accept).Dispose();
        }
        finally
        {
            listener.Stop();
        }
    }

    [DockerFact]
    public async Task Refused_tcp_port_is_unreachable()
    {
        var endpoint = DockerEndpoint.Parse("tcp://127.0.0.1:1");
        var ex = await Assert.ThrowsAsync<DockerUnreachableException>(() => DockerClient.ConnectAsync(endpoint));
        Assert.Contains("tcp://127.0.0.1:1", ex.Message);
        Assert.Contains("refused", ex.Message);
    }

    [DockerFact]
    public async Task Engine_errors_carry_the_engine_message()
    {
        var name = fx.Name("missing");
        var ex = await Assert.ThrowsAsync<DockerApiException>(() => fx.Client.StartContainerAsync(name));
        Assert.Equal(HttpStatusCode.NotFound, ex.StatusCode);
        Assert.Equal("POST", ex.Method);
        Assert.Equal($"/containers/{name}/start", ex.Path);
        Assert.Contains($"No such container: {name}", ex.EngineMessage);
        Assert.Equal($"Docker engine at {fx.Endpoint} refused POST /containers/{name}/start: {ex.EngineMessage} (HTTP 404)", ex.Message);
    }

    [DockerFact]
    public async Task Caller_cancellation_propagates()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => fx.Client.ListContainersAsync(ct: cts.Token));
    }
}

[Collection(DockerEngineCollection.Name)]
public class DockerNetworkTests(DockerEngineFixture fx)
{
    [DockerFact]
    public async Task Create_inspect_list_remove_network()
    {
        var client = fx.Client;
        var (id, prefix) = await fx.CreateTestNetworkAsync("net-a", isInternal: true, fx.Labels(("role", "a")));
        var (idB, _) = await fx.CreateTestNetworkAsync("net-b", labels: fx.Labels(("role", "b")));

        var net = await client.InspectNetworkAsync(fx.Name("net-a"));
        Assert.NotNull(net);
        Assert.Equal(id, net.Id);
        Assert.Equal(fx.Name("net-a"), net.Name);
        Assert.Equal("bridge", net.Driver);
        Assert.Equal("local", net.Scope);
        Assert.True(net.Internal);
        Assert.Equal([new IpamSubnet(prefix + "0/24", prefix + "1", null)], net.Subnets);
        Assert.Equal(fx.RunId, net.Labels[DockerEngineFixture.LabelKey]);
        Assert.Equal("a", net.Labels["role"]);
        Assert.Empty(net.Containers);
        Assert.True(net.Created > DateTimeOffset.UtcNow.AddHours(-1));

        var both = await client.ListNetworksAsync(fx.RunFilter);
        Assert.Equal(new[] { id, idB }.Order(), both.Select(n => n.Id).Order());

        var onlyA = await client.ListNetworksAsync(new Dictionary<string, string?> { [DockerEngineFixture.LabelKey] = fx.RunId, ["role"] = "a" });
        Assert.Equal(id, Assert.Single(onlyA).Id);

        var keyOnly = await client.ListNetworksAsync(new Dictionary<string, string?> { [DockerEngineFixture.LabelKey] = fx.RunId, ["role"] = null });
        Assert.Equal(2, keyOnly.Count);

        var none = await client.ListNetworksAsync(new Dictionary<string, string?> { [DockerEngineFixture.LabelKey] = fx.RunId, ["role"] = "c" });
        Assert.Empty(none);

        await client.RemoveNetworkAsync(id);
        await client.RemoveNetworkAsync(idB);
        Assert.Null(await client.InspectNetworkAsync(id));
        await client.RemoveNetworkAsync(id); // idempotent
        Assert.Empty(await client.ListNetworksAsync(fx.RunFilter));
    }

    [DockerFact]
    public async Task Overlapping_subnet_is_refused_with_engine_message()
    {
        var (id, prefix) = await fx.CreateTestNetworkAsync("net-overlap1");
        try
        {
            var ex = await Assert.ThrowsAsync<DockerApiException>(() => fx.Client.CreateNetworkAsync(new NetworkCreateSpec
            {
                Name = fx.Name("net-overlap2"),
                Subnet = prefix + "0/24",
                Labels = fx.Labels(),
            }));
            Assert.Contains("overlap", ex.EngineMessage, StringComparison.OrdinalIgnoreCase);
            Assert.Contains(ex.EngineMessage, ex.Message);
            Assert.Equal("/networks/create", ex.Path);
            Assert.True((int)ex.StatusCode >= 400);
        }
        finally
        {
            await fx.Client.RemoveNetworkAsync(id);
        }
    }

    [DockerFact]
    public async Task Duplicate_network_name_is_refused()
    {
        var (id, _) = await fx.CreateTestNetworkAsync("net-dup");
        try
        {
            var ex = await Assert.ThrowsAsync<DockerApiException>(() => fx.Client.CreateNetworkAsync(new NetworkCreateSpec
            {
                Name = fx.Name("net-dup"),
                Labels = fx.Labels(),
            }));
            Assert.Equal(HttpStatusCode.Conflict, ex.StatusCode);
        }
        finally
        {
            await fx.Client.RemoveNetworkAsync(id);
        }
    }

    [DockerFact]
    public async Task Inspect_missing_network_is_null()
    {
        Assert.Null(await fx.Client.InspectNetworkAsync(fx.Name("no-such-net")));
    }
}

[Collection(DockerEngineCollection.Name)]
public class DockerVolumeAndImageTests(DockerEngineFixture fx)
{
    [DockerFact]
    public async Task Create_list_remove_volume()
    {
        var client = fx.Client;
        var name = fx.Name("vol1");
        await client.CreateVolumeAsync(name, fx.Labels(("role", "data")));
        await client.CreateVolumeAsync(fx.Name("vol2"), fx.Labels());

        var all = await client.ListVolumesAsync(fx.RunFilter);
        Assert.Equal(new[] { name, fx.Name("vol2") }.Order(), all.Select(v => v.Name).Order());
        var v1 = Assert.Single(await client.ListVolumesAsync(new Dictionary<string, string?> { [DockerEngineFixture.LabelKey] = fx.RunId, ["role"] = "data" }));
        Assert.Equal(name, v1.Name);
        Assert.Equal("local", v1.Driver);
        Assert.False(string.IsNullOrEmpty(v1.Mountpoint));
        Assert.Equal("data", v1.Labels["role"]);

        await client.RemoveVolumeAsync(name);
        await client.RemoveVolumeAsync(name); // idempotent
        await client.RemoveVolumeAsync(fx.Name("vol2"), force: true);
        Assert.Empty(await client.ListVolumesAsync(fx.RunFilter));
    }

    [DockerFact]
    public async Task Inspect_test_image()
    {
        var image = await fx.Client.InspectImageAsync(fx.Image);
        Assert.NotNull(image);
        Assert.StartsWith("sha256:", image.Id);
        Assert.Contains(fx.Image, image.RepoTags);
        Assert.True(image.Size > 0);
        Assert.Equal("linux", image.Os);
        Assert.False(string.IsNullOrEmpty(image.Architecture));
        Assert.NotNull(image.Labels);

        // by id too
        Assert.Equal(image.Id, (await fx.Client.InspectImageAsync(image.Id))!.Id);
    }

    [DockerFact]
    public async Task Inspect_missing_image_is_null()
    {
        Assert.Null(await fx.Client.InspectImageAsync($"redisdocker/{fx.RunId}-missing:none"));
    }

    [DockerFact]
    public async Task Pull_of_unreachable_image_fails_fast_with_engine_message()
    {
        // A registry on 127.0.0.1:1 refuses at once: no traffic leaves the machine.
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var progress = new List<PullProgress>();
        var ex = await Assert.ThrowsAsync<DockerApiException>(() =>
            fx.Client.PullImageAsync($"127.0.0.1:1/redisdocker/{fx.RunId}", new Progress<PullProgress>(progress.Add), cts.Token));
        Assert.False(string.IsNullOrWhiteSpace(ex.EngineMessage));
        Assert.Equal("/images/create", ex.Path);
        Assert.Contains(ex.EngineMessage, ex.Message);
        Assert.False(cts.IsCancellationRequested);
    }
}
