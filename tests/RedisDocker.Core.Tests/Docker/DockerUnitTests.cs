using System.Formats.Tar;
using System.Net;
using System.Text;
using RedisDocker.Core.Docker;
using Xunit;

namespace RedisDocker.Core.Tests.Docker;

public class TarArchivesTests
{
    private static List<(TarEntry Entry, byte[]? Content)> ReadAll(Stream tar)
    {
        var list = new List<(TarEntry, byte[]?)>();
        using var reader = new TarReader(tar);
        while (reader.GetNextEntry(copyData: true) is { } e)
        {
            byte[]? content = null;
            if (e.DataStream is not null)
            {
                using var ms = new MemoryStream();
                e.DataStream.CopyTo(ms);
                content = ms.ToArray();
            }

            list.Add((e, content));
        }

        return list;
    }

    [Fact]
    public void Upload_tar_round_trips()
    {
        var conf = "port 6379\nrequirepass xyz\n"u8.ToArray();
        var files = new[]
        {
            new ArchiveFile("redis.conf", conf, Uid: 999, Gid: 998),
            new ArchiveFile("acl/users.acl", "user default on >xyz ~* +@all\n"u8.ToArray(), Mode: 0b110_000_000),
        };
        using var tar = TarArchives.Build("/etc/redisdocker/", files, 0b111_101_000, 999, 998);
        var entries = ReadAll(tar);

        Assert.Equal(["etc/redisdocker", "etc/redisdocker/redis.conf", "etc/redisdocker/acl", "etc/redisdocker/acl/users.acl"],
            entries.Select(e => e.Entry.Name).ToArray());

        var dir = entries[0].Entry;
        Assert.Equal(TarEntryType.Directory, dir.EntryType);
        Assert.Equal((UnixFileMode)0b111_101_000, dir.Mode);
        Assert.Equal(999, ((PosixTarEntry)dir).Uid);
        Assert.Equal(998, ((PosixTarEntry)dir).Gid);

        var file = entries[1];
        Assert.Equal(TarEntryType.RegularFile, file.Entry.EntryType);
        Assert.Equal(conf, file.Content);
        Assert.Equal((UnixFileMode)0b110_100_000, file.Entry.Mode);
        Assert.Equal(999, ((PosixTarEntry)file.Entry).Uid);
        Assert.Equal(998, ((PosixTarEntry)file.Entry).Gid);

        Assert.Equal(TarEntryType.Directory, entries[2].Entry.EntryType);
        Assert.Equal((UnixFileMode)0b110_000_000, entries[3].Entry.Mode);
        Assert.Equal(0, ((PosixTarEntry)entries[3].Entry).Uid);

        // Directory names carry no trailing slash, so the engine creates missing parents first.
        Assert.All(entries, e => Assert.False(e.Entry.Name.EndsWith('/')));
    }

    [Fact]
    public void Upload_tar_at_root_has_no_directory_entry()
    {
        using var tar = TarArchives.Build("/", [new ArchiveFile("a.txt", "A"u8.ToArray())], 0b111_101_000, 0, 0);
        var entries = ReadAll(tar);
        Assert.Equal(["a.txt"], entries.Select(e => e.Entry.Name).ToArray());
    }

    [Fact]
    public void Upload_tar_with_long_path_uses_pax()
    {
        var dir = "/" + string.Join('/', Enumerable.Repeat("deeply-nested-directory", 8));
        using var tar = TarArchives.Build(dir, [new ArchiveFile("file.conf", "x"u8.ToArray())], 0b111_101_000, 0, 0);
        var entries = ReadAll(tar);
        Assert.Equal(dir.TrimStart('/') + "/file.conf", entries[^1].Entry.Name);
        Assert.Equal("x"u8.ToArray(), entries[^1].Content);
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("/abs")]
    [InlineData("a/../../b")]
    [InlineData("")]
    public void Bad_file_names_are_refused(string name)
    {
        Assert.Throws<ArgumentException>(() => TarArchives.Build("/etc/x", [new ArchiveFile(name, [])], 0b111_101_000, 0, 0));
    }

    [Theory]
    [InlineData("etc/x")]
    [InlineData("/etc/../x")]
    public void Bad_directories_are_refused(string dir)
    {
        Assert.Throws<ArgumentException>(() => TarArchives.Build(dir, [new ArchiveFile("a", [])], 0b111_101_000, 0, 0));
    }

    [Fact]
    public void Read_single_file_from_archive()
    {
        using var tar = TarArchives.Build("/", [new ArchiveFile("redis.conf", "hello"u8.ToArray())], 0, 0, 0);
        var (content, link, type) = TarArchives.ReadSingleFile(tar);
        Assert.Equal("hello"u8.ToArray(), content);
        Assert.Null(link);
        Assert.Equal(TarEntryType.RegularFile, type);
    }

    [Fact]
    public void Read_single_file_reports_symlink_target()
    {
        var ms = new MemoryStream();
        using (var w = new TarWriter(ms, TarEntryFormat.Pax, leaveOpen: true))
        {
            w.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "redis-sentinel") { LinkName = "redis-server" });
        }

        ms.Position = 0;
        var (content, link, type) = TarArchives.ReadSingleFile(ms);
        Assert.Null(content);
        Assert.Equal("redis-server", link);
        Assert.Equal(TarEntryType.SymbolicLink, type);
    }
}

public class DockerClientUnitTests
{
    [Theory]
    [InlineData("1.41", "1.12", "1.41")]
    [InlineData("1.43", "1.12", "1.43")]
    [InlineData("1.47", "1.24", "1.43")]
    [InlineData("1.50", "1.44", "1.44")]
    [InlineData("1.9", "1.9", "1.9")]
    [InlineData("", "", "1.43")]
    public void Negotiates_api_version(string engine, string engineMin, string expected)
    {
        Assert.Equal(expected, DockerClient.NegotiateApiVersion(engine, engineMin));
    }

    [Fact]
    public void Compares_api_versions_numerically()
    {
        Assert.True(DockerClient.CompareApiVersions("1.9", "1.41") < 0);
        Assert.True(DockerClient.CompareApiVersions("1.41", "1.41") == 0);
        Assert.True(DockerClient.CompareApiVersions("2.0", "1.99") > 0);
    }

    [Fact]
    public void Label_filter()
    {
        Assert.Null(DockerClient.LabelFilter(null));
        Assert.Null(DockerClient.LabelFilter(new Dictionary<string, string?>()));
        var filter = DockerClient.LabelFilter(new Dictionary<string, string?> { ["a"] = "1", ["b"] = null });
        Assert.Equal(["label"], filter!.Keys);
        Assert.Equal(new[] { "a=1", "b" }, filter["label"].Where(kv => kv.Value).Select(kv => kv.Key).Order().ToArray());
    }

    [Theory]
    [InlineData("redis", "redis", "latest")]
    [InlineData("redis:7.2", "redis", "7.2")]
    [InlineData("registry.local:5000/team/redis", "registry.local:5000/team/redis", "latest")]
    [InlineData("registry.local:5000/team/redis:7", "registry.local:5000/team/redis", "7")]
    [InlineData("redis@sha256:abc", "redis", "sha256:abc")]
    [InlineData("redis:7@sha256:abc", "redis", "sha256:abc")]
    public void Splits_image_references(string image, string repository, string tag)
    {
        Assert.Equal((repository, tag), DockerClient.SplitImageReference(image));
    }

    [Fact]
    public void Engine_message_comes_from_json_body()
    {
        Assert.Equal("No such container: x", DockerClient.EngineMessage("{\"message\":\"No such container: x\"}"u8.ToArray(), "Not Found"));
        Assert.Equal("page not found", DockerClient.EngineMessage("page not found\n"u8.ToArray(), "Not Found"));
        Assert.Equal("Not Found", DockerClient.EngineMessage([], "Not Found"));
        Assert.Equal("(no message)", DockerClient.EngineMessage((string?)null, null));
    }

    [Fact]
    public void Api_exception_message_format()
    {
        var ex = new DockerApiException(DockerEndpoint.Parse("unix:///var/run/docker.sock"), "POST", "/containers/create", HttpStatusCode.Conflict,
            "Conflict. The container name \"/x\" is already in use");
        Assert.Equal("Docker engine at unix:///var/run/docker.sock refused POST /containers/create: Conflict. The container name \"/x\" is already in use (HTTP 409)",
            ex.Message);
        Assert.Equal(HttpStatusCode.Conflict, ex.StatusCode);
        Assert.Equal("POST", ex.Method);
        Assert.Equal("/containers/create", ex.Path);
        Assert.IsAssignableFrom<DockerException>(ex);
    }

    [Fact]
    public void Create_parameters_shape()
    {
        var p = DockerClient.BuildCreateParameters(new ContainerCreateSpec
        {
            Name = "r1",
            Image = "redis:7",
            Cmd = ["redis-server", "/etc/redisdocker/redis.conf"],
            Env = ["A=1"],
            Labels = new Dictionary<string, string> { ["k"] = "v" },
            Ports = [new PortBinding(6379), new PortBinding(6379, HostIp: "::1", HostPort: 7000), new PortBinding(26379, "UDP", "0.0.0.0", 26379)],
            Volumes = [new VolumeMount("data1", "/data")],
            Network = "net1",
            IPv4Address = "172.29.41.10",
            NetworkAliases = ["redis"],
            RestartPolicy = "on-failure:3",
            StopTimeoutSeconds = 5,
            MemoryBytes = 1 << 30,
            CapAdd = ["SYS_RESOURCE"],
            Init = true,
            Sysctls = new Dictionary<string, string> { ["net.core.somaxconn"] = "1024" },
            User = "999:999",
        });
        Assert.Equal("r1", p.Name);
        Assert.Equal("redis:7", p.Image);
        Assert.Equal(2, p.Cmd.Count);
        Assert.Null(p.Entrypoint);
        Assert.Equal("999:999", p.User);
        Assert.Equal(TimeSpan.FromSeconds(5), p.StopTimeout);
        Assert.False(p.Tty);
        Assert.False(p.OpenStdin);
        Assert.True(p.ExposedPorts!.ContainsKey("6379/tcp"));
        Assert.True(p.ExposedPorts.ContainsKey("26379/udp"));
        var hc = p.HostConfig!;
        var b6379 = hc.PortBindings["6379/tcp"];
        Assert.Equal(2, b6379.Count);
        Assert.Equal("127.0.0.1", b6379[0].HostIP);
        Assert.Equal("", b6379[0].HostPort);
        Assert.Equal("7000", b6379[1].HostPort);
        Assert.Equal("26379", hc.PortBindings["26379/udp"][0].HostPort);
        var mount = hc.Mounts![0];
        Assert.Equal(("volume", "data1", "/data", (bool?)false), (mount.Type, mount.Source, mount.Target, mount.ReadOnly));
        Assert.Equal("net1", hc.NetworkMode);
        Assert.Equal(global::Docker.DotNet.Models.RestartPolicyKind.OnFailure, hc.RestartPolicy.Name);
        Assert.Equal(3, hc.RestartPolicy.MaximumRetryCount);
        Assert.Equal(1L << 30, hc.Memory);
        Assert.Equal(["SYS_RESOURCE"], hc.CapAdd);
        Assert.True(hc.Init);
        Assert.Equal("1024", hc.Sysctls!["net.core.somaxconn"]);
        var ep = p.NetworkingConfig!.EndpointsConfig["net1"];
        Assert.Equal("172.29.41.10", ep.IPAMConfig!.IPv4Address);
        Assert.Equal(["redis"], ep.Aliases);
    }

    [Fact]
    public void Create_parameters_host_network_mode_and_defaults()
    {
        var p = DockerClient.BuildCreateParameters(new ContainerCreateSpec { Name = "r", Image = "i", NetworkMode = "host" });
        var hc = p.HostConfig!;
        Assert.Equal("host", hc.NetworkMode);
        Assert.Equal(global::Docker.DotNet.Models.RestartPolicyKind.Undefined, hc.RestartPolicy.Name); // "" on the wire
        Assert.Null(hc.Init);
        Assert.Null(p.Cmd);
        Assert.Null(p.NetworkingConfig);
        Assert.Null(p.StopTimeout);
    }

    [Theory]
    [InlineData("sometimes")]
    [InlineData("always:3")]
    [InlineData("on-failure:x")]
    public void Bad_restart_policy_is_refused(string policy)
    {
        Assert.Throws<ArgumentException>(() =>
            DockerClient.BuildCreateParameters(new ContainerCreateSpec { Name = "r", Image = "i", RestartPolicy = policy }));
    }

    [Fact]
    public void Static_ip_without_network_is_refused()
    {
        Assert.Throws<ArgumentException>(() =>
            DockerClient.BuildCreateParameters(new ContainerCreateSpec { Name = "r", Image = "i", IPv4Address = "172.29.1.2" }));
    }

    [Fact]
    public void Maps_container_with_nulls_normalised()
    {
        var inspected = new global::Docker.DotNet.Models.ContainerInspectResponse
        {
            ID = "abc",
            Name = "/r1",
            Created = new DateTime(2024, 5, 1, 10, 20, 30, DateTimeKind.Utc),
            RestartCount = 2,
            Image = "sha256:1",
            State = new() { Status = "running", Running = true, Pid = 42, StartedAt = "2024-05-01T10:20:31.5Z", FinishedAt = "0001-01-01T00:00:00Z" },
            Config = new() { Image = "redis:7", Hostname = "r1" },
            HostConfig = new()
            {
                NetworkMode = "net1",
                PortBindings = new Dictionary<string, IList<global::Docker.DotNet.Models.PortBinding>>
                {
                    ["6379/tcp"] = [new() { HostIP = "127.0.0.1", HostPort = "" }],
                },
            },
            NetworkSettings = new()
            {
                Ports = new Dictionary<string, IList<global::Docker.DotNet.Models.PortBinding>>
                {
                    ["6379/tcp"] = [new() { HostIP = "127.0.0.1", HostPort = "49153" }],
                    ["16379/tcp"] = null!,
                },
                Networks = new Dictionary<string, global::Docker.DotNet.Models.EndpointSettings>
                {
                    ["net1"] = new() { NetworkID = "n1", IPAddress = "172.29.41.10", Gateway = "172.29.41.1", MacAddress = "02:42" },
                },
            },
        };
        var c = DockerClient.ToContainerInfo(inspected);
        Assert.Equal("r1", c.Name);
        Assert.Equal("redis:7", c.Image);
        Assert.Empty(c.Labels);
        Assert.Empty(c.Cmd);
        Assert.Empty(c.Env);
        Assert.Empty(c.Mounts);
        Assert.True(c.State.Running);
        Assert.Equal(42, c.State.Pid);
        Assert.Null(c.State.FinishedAt);
        Assert.Equal(new DateTimeOffset(2024, 5, 1, 10, 20, 31, 500, TimeSpan.Zero), c.State.StartedAt);
        Assert.Equal(new DateTimeOffset(2024, 5, 1, 10, 20, 30, TimeSpan.Zero), c.Created);
        Assert.Equal(2, c.RestartCount);
        Assert.Equal([new PublishedPort(6379, "tcp", "127.0.0.1", 49153)], c.Ports);
        Assert.Equal([new PublishedPort(6379, "tcp", "127.0.0.1", 0)], c.PortBindings);
        Assert.Equal("172.29.41.10", c.Networks["net1"].IPAddress);
        Assert.Empty(c.Networks["net1"].Aliases);
        Assert.Null(c.Networks["net1"].StaticAddress);
    }

    [Theory]
    [InlineData("unix:///var/run/docker.sock", "unix:///var/run/docker.sock")]
    [InlineData("tcp://10.0.0.5:2376", "tcp://10.0.0.5:2376/")]
    [InlineData("https://docker.example:2376", "tcp://docker.example:2376/")]
    [InlineData("tcp://[::1]", "tcp://[::1]:2375/")]
    [InlineData("npipe:////./pipe/docker_engine", "npipe://localhost/pipe/docker_engine")]
    public void Library_endpoint_uri(string host, string expected)
    {
        Assert.Equal(expected, DockerApiFactory.LibraryUri(DockerEndpoint.Parse(host)).ToString());
    }
}
