using System.Buffers.Binary;
using System.Formats.Tar;
using System.Net;
using System.Text;
using System.Text.Json;
using RedisDocker.Core.Docker;
using Xunit;

namespace RedisDocker.Core.Tests.Docker;

public class MultiplexedStreamTests
{
    private static byte[] Frame(int stream, byte[] payload)
    {
        var f = new byte[8 + payload.Length];
        f[0] = (byte)stream;
        BinaryPrimitives.WriteUInt32BigEndian(f.AsSpan(4), (uint)payload.Length);
        payload.CopyTo(f, 8);
        return f;
    }

    private static readonly byte[] Big = Enumerable.Range(0, 70_000).Select(i => (byte)('a' + i % 26)).ToArray();

    private static (byte[] Wire, string Stdout, string Stderr, string Combined) Sample()
    {
        var parts = new (int Stream, byte[] Payload)[]
        {
            (1, "hello "u8.ToArray()),
            (2, "oops\n"u8.ToArray()),
            (1, Encoding.UTF8.GetBytes("wörld ✓\n")),
            (1, []),
            (2, "second error\n"u8.ToArray()),
            (1, "end"u8.ToArray()),
        };
        var wire = parts.SelectMany(p => Frame(p.Stream, p.Payload)).ToArray();
        return (wire, "hello wörld ✓\nend", "oops\nsecond error\n", "hello oops\nwörld ✓\nsecond error\nend");
    }

    private static DemultiplexedOutput Decode(params byte[][] chunks)
    {
        var decoder = new MultiplexedStreamDecoder();
        var output = new DemultiplexedOutput();
        foreach (var c in chunks)
        {
            decoder.Feed(c, output.Append);
        }

        Assert.True(decoder.AtFrameBoundary);
        return output;
    }

    [Fact]
    public void Whole_buffer()
    {
        var (wire, stdout, stderr, combined) = Sample();
        var o = Decode(wire);
        Assert.Equal(stdout, o.Stdout);
        Assert.Equal(stderr, o.Stderr);
        Assert.Equal(combined, o.Combined);
    }

    [Fact]
    public void Split_at_every_byte_boundary()
    {
        var (wire, stdout, stderr, combined) = Sample();
        for (var i = 0; i <= wire.Length; i++)
        {
            var o = Decode(wire[..i], wire[i..]);
            Assert.Equal(stdout, o.Stdout);
            Assert.Equal(stderr, o.Stderr);
            Assert.Equal(combined, o.Combined);
        }
    }

    [Fact]
    public void Split_at_every_pair_of_boundaries()
    {
        var (wire, stdout, stderr, _) = Sample();
        for (var i = 0; i <= wire.Length; i++)
        {
            for (var j = i; j <= wire.Length; j++)
            {
                var o = Decode(wire[..i], wire[i..j], wire[j..]);
                Assert.Equal(stdout, o.Stdout);
                Assert.Equal(stderr, o.Stderr);
            }
        }
    }

    [Fact]
    public void One_byte_at_a_time()
    {
        var (wire, stdout, stderr, combined) = Sample();
        var o = Decode(wire.Select(b => new[] { b }).ToArray());
        Assert.Equal(stdout, o.Stdout);
        Assert.Equal(stderr, o.Stderr);
        Assert.Equal(combined, o.Combined);
    }

    [Fact]
    public void Large_frame_across_many_reads()
    {
        var wire = Frame(1, Big).Concat(Frame(2, "x"u8.ToArray())).ToArray();
        var chunks = wire.Chunk(4093).ToArray();
        var o = Decode(chunks);
        Assert.Equal(Encoding.ASCII.GetString(Big), o.Stdout);
        Assert.Equal("x", o.Stderr);
    }

    [Fact]
    public void Partial_frame_is_not_at_boundary()
    {
        var decoder = new MultiplexedStreamDecoder();
        var output = new DemultiplexedOutput();
        decoder.Feed(Frame(1, "abc"u8.ToArray())[..9], output.Append);
        Assert.False(decoder.AtFrameBoundary);
        Assert.Equal("a", output.Stdout);
    }

    /// <summary>A stream handing out at most <c>max</c> bytes per read.</summary>
    private sealed class TricklingStream(byte[] data, int max) : MemoryStream(data)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, max));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, max)], cancellationToken);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(100_000)]
    public async Task ReadAsync_sniffs_multiplexing_from_trickled_stream(int max)
    {
        var (wire, stdout, stderr, combined) = Sample();
        var o = await DemultiplexedOutput.ReadAsync(new TricklingStream(wire, max), multiplexed: null, CancellationToken.None);
        Assert.Equal(stdout, o.Stdout);
        Assert.Equal(stderr, o.Stderr);
        Assert.Equal(combined, o.Combined);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(100_000)]
    public async Task ReadAsync_raw_text_is_stdout(int max)
    {
        var o = await DemultiplexedOutput.ReadAsync(new TricklingStream("plain tty text\n"u8.ToArray(), max), multiplexed: null,
            CancellationToken.None);
        Assert.Equal("plain tty text\n", o.Stdout);
        Assert.Equal("", o.Stderr);
    }

    [Fact]
    public async Task ReadAsync_empty_stream()
    {
        var o = await DemultiplexedOutput.ReadAsync(new MemoryStream(), multiplexed: null, CancellationToken.None);
        Assert.Equal("", o.Combined);
    }
}

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
    public void Label_filter_json()
    {
        Assert.Null(DockerClient.LabelFilter(null));
        Assert.Null(DockerClient.LabelFilter(new Dictionary<string, string?>()));
        var json = DockerClient.LabelFilter(new Dictionary<string, string?> { ["a"] = "1", ["b"] = null });
        using var doc = JsonDocument.Parse(json!);
        Assert.Equal(new[] { "a=1", "b" }, doc.RootElement.GetProperty("label").EnumerateArray().Select(e => e.GetString()!).ToArray());
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
    public void Create_body_shape()
    {
        var body = DockerClient.BuildCreateBody(new ContainerCreateSpec
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
        using var doc = JsonDocument.Parse(body.ToJsonString());
        var r = doc.RootElement;
        Assert.Equal("redis:7", r.GetProperty("Image").GetString());
        Assert.Equal(2, r.GetProperty("Cmd").GetArrayLength());
        Assert.False(r.TryGetProperty("Entrypoint", out _));
        Assert.Equal("999:999", r.GetProperty("User").GetString());
        Assert.Equal(5, r.GetProperty("StopTimeout").GetInt32());
        Assert.True(r.GetProperty("ExposedPorts").TryGetProperty("6379/tcp", out _));
        Assert.True(r.GetProperty("ExposedPorts").TryGetProperty("26379/udp", out _));
        var hc = r.GetProperty("HostConfig");
        var b6379 = hc.GetProperty("PortBindings").GetProperty("6379/tcp");
        Assert.Equal(2, b6379.GetArrayLength());
        Assert.Equal("127.0.0.1", b6379[0].GetProperty("HostIp").GetString());
        Assert.Equal("", b6379[0].GetProperty("HostPort").GetString());
        Assert.Equal("7000", b6379[1].GetProperty("HostPort").GetString());
        var mount = hc.GetProperty("Mounts")[0];
        Assert.Equal("volume", mount.GetProperty("Type").GetString());
        Assert.Equal("data1", mount.GetProperty("Source").GetString());
        Assert.Equal("/data", mount.GetProperty("Target").GetString());
        Assert.Equal("net1", hc.GetProperty("NetworkMode").GetString());
        Assert.Equal("on-failure", hc.GetProperty("RestartPolicy").GetProperty("Name").GetString());
        Assert.Equal(3, hc.GetProperty("RestartPolicy").GetProperty("MaximumRetryCount").GetInt32());
        Assert.Equal(1L << 30, hc.GetProperty("Memory").GetInt64());
        Assert.True(hc.GetProperty("Init").GetBoolean());
        Assert.Equal("1024", hc.GetProperty("Sysctls").GetProperty("net.core.somaxconn").GetString());
        var ep = r.GetProperty("NetworkingConfig").GetProperty("EndpointsConfig").GetProperty("net1");
        Assert.Equal("172.29.41.10", ep.GetProperty("IPAMConfig").GetProperty("IPv4Address").GetString());
        Assert.Equal("redis", ep.GetProperty("Aliases")[0].GetString());
    }

    [Fact]
    public void Create_body_host_network_mode_and_defaults()
    {
        var body = DockerClient.BuildCreateBody(new ContainerCreateSpec { Name = "r", Image = "i", NetworkMode = "host" });
        using var doc = JsonDocument.Parse(body.ToJsonString());
        var hc = doc.RootElement.GetProperty("HostConfig");
        Assert.Equal("host", hc.GetProperty("NetworkMode").GetString());
        Assert.Equal("", hc.GetProperty("RestartPolicy").GetProperty("Name").GetString());
        Assert.False(hc.TryGetProperty("Init", out _));
        Assert.False(doc.RootElement.TryGetProperty("Cmd", out _));
        Assert.False(doc.RootElement.TryGetProperty("NetworkingConfig", out _));
    }

    [Theory]
    [InlineData("sometimes")]
    [InlineData("always:3")]
    [InlineData("on-failure:x")]
    public void Bad_restart_policy_is_refused(string policy)
    {
        Assert.Throws<ArgumentException>(() => DockerClient.BuildCreateBody(new ContainerCreateSpec { Name = "r", Image = "i", RestartPolicy = policy }));
    }

    [Fact]
    public void Static_ip_without_network_is_refused()
    {
        Assert.Throws<ArgumentException>(() => DockerClient.BuildCreateBody(new ContainerCreateSpec { Name = "r", Image = "i", IPv4Address = "172.29.1.2" }));
    }

    [Fact]
    public void Parses_container_with_nulls_normalised()
    {
        const string json = """
            {"Id":"abc","Name":"/r1","Created":"2024-05-01T10:20:30.123456789Z","RestartCount":2,"Image":"sha256:1",
             "State":{"Status":"running","Running":true,"Pid":42,"ExitCode":0,"Error":"","StartedAt":"2024-05-01T10:20:31.5Z","FinishedAt":"0001-01-01T00:00:00Z"},
             "Config":{"Image":"redis:7","Labels":null,"Cmd":null,"Env":null,"Hostname":"r1"},
             "HostConfig":{"NetworkMode":"net1","PortBindings":{"6379/tcp":[{"HostIp":"127.0.0.1","HostPort":""}]}},
             "Mounts":null,
             "NetworkSettings":{"Ports":{"6379/tcp":[{"HostIp":"127.0.0.1","HostPort":"49153"}],"16379/tcp":null},
                "Networks":{"net1":{"NetworkID":"n1","IPAddress":"172.29.41.10","Aliases":null,"Gateway":"172.29.41.1","MacAddress":"02:42"}}}}
            """;
        using var doc = JsonDocument.Parse(json);
        var c = DockerClient.ParseContainer(doc.RootElement);
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
        Assert.Equal(2024, c.Created.Year);
        Assert.Equal(2, c.RestartCount);
        Assert.Equal([new PublishedPort(6379, "tcp", "127.0.0.1", 49153)], c.Ports);
        Assert.Equal([new PublishedPort(6379, "tcp", "127.0.0.1", 0)], c.PortBindings);
        Assert.Equal("172.29.41.10", c.Networks["net1"].IPAddress);
        Assert.Empty(c.Networks["net1"].Aliases);
    }
}
