using System.Formats.Tar;
using System.Net;
using System.Text;
using RedisDocker.Core.Docker;
using Xunit;

namespace RedisDocker.Core.Tests.Docker;

[Collection(RedisScenarioCollection.Name)]
public class DockerRedisScenarioTests(RedisScenarioFixture fx)
{
    [DockerFact]
    public async Task Redis_end_to_end_on_a_network_with_volume_config_upload_and_published_port()
    {
        var client = fx.Client;
        var (networkId, prefix) = await fx.CreateTestNetworkAsync("scenario-net");
        var volume = fx.Name("scenario-data");
        await client.CreateVolumeAsync(volume, fx.Labels());
        var ip = prefix + "10";

        var id = await client.CreateContainerAsync(new ContainerCreateSpec
        {
            Name = fx.Name("redis1"),
            Image = fx.Image,
            Cmd = ["redis-server", "/etc/redisdocker/redis.conf"],
            Env = ["REDISDOCKER_ROLE=primary"],
            Labels = fx.Labels(("io.redisdocker.role", "primary")),
            Hostname = "redis1",
            Ports = [new PortBinding(6379)],
            Volumes = [new VolumeMount(volume, "/data")],
            Network = fx.Name("scenario-net"),
            IPv4Address = ip,
            NetworkAliases = ["redis-primary"],
            StopTimeoutSeconds = 3,
        });
        Assert.False(string.IsNullOrEmpty(id));

        // Config upload into the created, not yet started container, under a directory that does not exist yet.
        var conf = "port 6379\nrequirepass xyz\ndir /data\nappendonly no\nsave \"\"\n";
        await client.UploadFilesAsync(id, "/etc/redisdocker", [new ArchiveFile("redis.conf", Encoding.UTF8.GetBytes(conf), Uid: 999, Gid: 999)]);
        var created = await client.InspectContainerAsync(id);
        Assert.Equal("created", created!.State.Status);
        Assert.Equal(conf, Encoding.UTF8.GetString((await client.ReadFileAsync(id, "/etc/redisdocker/redis.conf"))!));

        await client.StartContainerAsync(id);
        await client.StartContainerAsync(id); // 304: already running is fine

        var info = await client.InspectContainerAsync(fx.Name("redis1"));
        Assert.NotNull(info);
        Assert.Equal(id, info.Id);
        Assert.Equal(fx.Name("redis1"), info.Name);
        Assert.Equal(fx.Image, info.Image);
        Assert.StartsWith("sha256:", info.ImageId);
        Assert.True(info.State.Running);
        Assert.Equal("running", info.State.Status);
        Assert.True(info.State.Pid > 0);
        Assert.NotNull(info.State.StartedAt);
        Assert.Equal(fx.RunId, info.Labels[DockerEngineFixture.LabelKey]);
        Assert.Equal("primary", info.Labels["io.redisdocker.role"]);
        Assert.Equal(["redis-server", "/etc/redisdocker/redis.conf"], info.Cmd);
        Assert.Contains("REDISDOCKER_ROLE=primary", info.Env);
        Assert.Equal("redis1", info.Hostname);
        Assert.Equal(fx.Name("scenario-net"), info.NetworkMode);
        var endpoint = info.Networks[fx.Name("scenario-net")];
        Assert.Equal(networkId, endpoint.NetworkId);
        Assert.Equal(ip, endpoint.IPAddress);
        Assert.Equal(prefix + "1", endpoint.Gateway);
        Assert.Contains("redis-primary", endpoint.Aliases);
        var mount = Assert.Single(info.Mounts);
        Assert.Equal("volume", mount.Type);
        Assert.Equal(volume, mount.Name);
        Assert.Equal("/data", mount.Destination);
        var port = Assert.Single(info.Ports);
        Assert.Equal(6379, port.ContainerPort);
        Assert.Equal("tcp", port.Protocol);
        Assert.Equal("127.0.0.1", port.HostIp);
        Assert.InRange(port.HostPort, 1, 65535);
        Assert.Equal([new PublishedPort(6379, "tcp", "127.0.0.1", 0)], info.PortBindings);

        // The network sees the container at its static address.
        var net = await client.InspectNetworkAsync(networkId);
        var member = Assert.Single(net!.Containers);
        Assert.Equal(id, member.ContainerId);
        Assert.Equal(ip, member.IPv4Address);

        // Raw RESP through the published port on 127.0.0.1.
        var reply = await DockerEngineFixture.RedisRoundTripAsync(port.HostPort, "AUTH xyz\r\nPING\r\n", "+OK\r\n+PONG\r\n");
        Assert.Equal("+OK\r\n+PONG\r\n", reply);

        // Exec without a shell.
        var ping = await client.ExecAsync(id, ["redis-cli", "-a", "xyz", "--no-auth-warning", "ping"]);
        Assert.Equal(0, ping.ExitCode);
        Assert.Equal("PONG", ping.Stdout.Trim());
        Assert.Equal("", ping.Stderr);

        var failing = await client.ExecAsync(id, ["redis-cli", "-p", "1", "ping"]);
        Assert.NotEqual(0, failing.ExitCode);
        Assert.Contains("Could not connect", failing.Stderr + failing.Stdout);
        Assert.False(string.IsNullOrWhiteSpace(failing.Stderr));

        // CONFIG REWRITE changes the file; ReadFileAsync sees it.
        var set = await client.ExecAsync(id, ["redis-cli", "-a", "xyz", "--no-auth-warning", "CONFIG", "SET", "maxmemory", "10mb"]);
        Assert.Equal("OK", set.Stdout.Trim());
        var rewrite = await client.ExecAsync(id, ["redis-cli", "-a", "xyz", "--no-auth-warning", "CONFIG", "REWRITE"]);
        Assert.Equal("OK", rewrite.Stdout.Trim());
        var rewritten = Encoding.UTF8.GetString((await client.ReadFileAsync(id, "/etc/redisdocker/redis.conf"))!);
        Assert.Contains("requirepass", rewritten);
        Assert.Contains("maxmemory 10mb", rewritten);

        // Uploaded ownership and modes as sent.
        var tar = await client.GetArchiveAsync(id, "/etc/redisdocker");
        using (var reader = new TarReader(new MemoryStream(tar)))
        {
            var entries = new List<TarEntry>();
            while (reader.GetNextEntry() is { } e)
            {
                entries.Add(e);
            }

            var dir = entries.First(e => e.EntryType == TarEntryType.Directory);
            Assert.Equal((UnixFileMode)0b111_101_000, dir.Mode);
            Assert.Equal(999, ((PosixTarEntry)dir).Uid);
            Assert.Contains(entries, e => e.Name.EndsWith("redis.conf", StringComparison.Ordinal));
        }

        // Missing files and paths.
        Assert.Null(await client.ReadFileAsync(id, "/etc/redisdocker/nope.conf"));
        var missing = await Assert.ThrowsAsync<DockerApiException>(() => client.GetArchiveAsync(id, "/no/such/path"));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        await Assert.ThrowsAsync<DockerException>(() => client.ReadFileAsync(id, "/etc/redisdocker"));

        // A symlink is followed (redis-sentinel -> redis-server).
        var sentinel = await client.ReadFileAsync(id, "/usr/local/bin/redis-sentinel");
        Assert.NotNull(sentinel);
        Assert.True(sentinel.Length > 100_000);
        Assert.Equal("\u007fELF", Encoding.ASCII.GetString(sentinel, 0, 4));

        // Logs, demultiplexed.
        await fx.WaitForLogAsync(id, "Ready to accept connections");
        var logs = await client.GetLogsAsync(id);
        Assert.Contains("Ready to accept connections", logs);
        Assert.DoesNotContain('\0', logs);
        var tail = await client.GetLogsAsync(id, tail: 1);
        Assert.True(tail.Trim().Split('\n').Length <= 1);

        // Listing by label.
        var listed = Assert.Single(await client.ListContainersAsync(new Dictionary<string, string?>
        {
            [DockerEngineFixture.LabelKey] = fx.RunId,
            ["io.redisdocker.role"] = "primary",
        }));
        Assert.Equal(id, listed.Id);
        Assert.Equal([fx.Name("redis1")], listed.Names);
        Assert.Equal("running", listed.State);
        Assert.Equal(fx.Image, listed.Image);
        Assert.Equal("primary", listed.Labels["io.redisdocker.role"]);

        // Remove: container, volume, network.
        await client.RemoveContainerAsync(id, force: true);
        Assert.Null(await client.InspectContainerAsync(id));
        await client.RemoveContainerAsync(id, force: true); // idempotent
        await client.RemoveVolumeAsync(volume);
        await client.RemoveNetworkAsync(networkId);
        Assert.Empty(await client.ListVolumesAsync(fx.RunFilter));
    }
}

[Collection(ContainerLifecycleCollection.Name)]
public class DockerContainerLifecycleTests(ContainerLifecycleFixture fx)
{
    [DockerFact]
    public async Task Stop_start_restart_kill_change_state()
    {
        var client = fx.Client;
        var id = await client.CreateContainerAsync(fx.RedisSpec("life"));
        await client.StartContainerAsync(id);
        var first = (await client.InspectContainerAsync(id))!.State;
        Assert.True(first.Running);
        const string ready = "Ready to accept connections";
        await fx.WaitForLogAsync(id, ready); // SIGTERM before Redis installs its handler would be ignored (PID 1)

        await client.StopContainerAsync(id, timeoutSeconds: 5);
        var stopped = (await client.InspectContainerAsync(id))!.State;
        Assert.False(stopped.Running);
        Assert.Equal("exited", stopped.Status);
        Assert.Equal(0, stopped.ExitCode); // redis shuts down cleanly on SIGTERM
        Assert.NotNull(stopped.FinishedAt);
        await client.StopContainerAsync(id); // 304: already stopped is fine

        await client.StartContainerAsync(id);
        var started = (await client.InspectContainerAsync(id))!.State;
        Assert.True(started.Running);
        Assert.True(started.StartedAt > first.StartedAt);
        await fx.WaitForLogAsync(id, ready, occurrences: 2);

        await client.RestartContainerAsync(id, timeoutSeconds: 5);
        var restarted = (await client.InspectContainerAsync(id))!.State;
        Assert.True(restarted.Running);
        Assert.True(restarted.StartedAt > started.StartedAt);
        Assert.NotEqual(started.Pid, restarted.Pid);

        await client.KillContainerAsync(id);
        var wait = await client.WaitContainerAsync(id);
        Assert.Equal(137, wait.StatusCode);
        var killed = (await client.InspectContainerAsync(id))!.State;
        Assert.False(killed.Running);
        Assert.Equal("exited", killed.Status);
        Assert.Equal(137, killed.ExitCode);

        var notRunning = await Assert.ThrowsAsync<DockerApiException>(() => client.KillContainerAsync(id));
        Assert.Equal(HttpStatusCode.Conflict, notRunning.StatusCode);
        var noExec = await Assert.ThrowsAsync<DockerApiException>(() => client.ExecAsync(id, ["redis-cli", "ping"]));
        Assert.Equal(HttpStatusCode.Conflict, noExec.StatusCode);

        await client.RemoveContainerAsync(id, removeVolumes: true);
        Assert.Null(await client.InspectContainerAsync(id));
    }

    [DockerFact]
    public async Task Connect_and_disconnect_second_network_with_static_ip_and_alias()
    {
        var client = fx.Client;
        var (firstNet, firstPrefix) = await fx.CreateTestNetworkAsync("life-net1");
        var (secondNet, secondPrefix) = await fx.CreateTestNetworkAsync("life-net2", isInternal: true);
        var spec = fx.RedisSpec("netted") with { Network = fx.Name("life-net1"), IPv4Address = firstPrefix + "20" };
        var id = await client.CreateContainerAsync(spec);
        await client.StartContainerAsync(id);

        await client.ConnectNetworkAsync(fx.Name("life-net2"), id, secondPrefix + "30", ["cache", "replica-1"]);
        var info = (await client.InspectContainerAsync(id))!;
        Assert.Equal(2, info.Networks.Count);
        var second = info.Networks[fx.Name("life-net2")];
        Assert.Equal(secondNet, second.NetworkId);
        Assert.Equal(secondPrefix + "30", second.IPAddress);
        Assert.Contains("cache", second.Aliases);
        Assert.Contains("replica-1", second.Aliases);
        Assert.Equal(firstPrefix + "20", info.Networks[fx.Name("life-net1")].IPAddress);

        var net2 = (await client.InspectNetworkAsync(secondNet))!;
        var member = Assert.Single(net2.Containers);
        Assert.Equal(id, member.ContainerId);
        Assert.Equal(fx.Name("netted"), member.Name);
        Assert.Equal(secondPrefix + "30", member.IPv4Address);
        Assert.False(string.IsNullOrEmpty(member.MacAddress));

        // Listing by label shows the containers too.
        var listed = await client.ListNetworksAsync(fx.RunFilter);
        Assert.Contains(listed, n => n.Id == secondNet && n.Containers.Any(c => c.ContainerId == id));

        await client.DisconnectNetworkAsync(fx.Name("life-net2"), id);
        info = (await client.InspectContainerAsync(id))!;
        Assert.False(info.Networks.ContainsKey(fx.Name("life-net2")));
        Assert.Empty((await client.InspectNetworkAsync(secondNet))!.Containers);

        // A network in use cannot be removed.
        var inUse = await Assert.ThrowsAsync<DockerApiException>(() => client.RemoveNetworkAsync(firstNet));
        Assert.Contains("active endpoints", inUse.EngineMessage);

        await client.RemoveContainerAsync(id, force: true, removeVolumes: true);
        await client.RemoveNetworkAsync(firstNet);
        await client.RemoveNetworkAsync(secondNet);
    }

    [DockerFact]
    public async Task Remove_with_volumes_removes_anonymous_volume()
    {
        var client = fx.Client;
        var id = await client.CreateContainerAsync(fx.RedisSpec("anon"));
        var info = (await client.InspectContainerAsync(id))!;
        var anonymous = Assert.Single(info.Mounts, m => m.Destination == "/data");
        Assert.Equal("volume", anonymous.Type);
        Assert.False(string.IsNullOrEmpty(anonymous.Name));
        Assert.Contains(await client.ListVolumesAsync(), v => v.Name == anonymous.Name);

        await client.RemoveContainerAsync(id, force: true, removeVolumes: true);
        Assert.DoesNotContain(await client.ListVolumesAsync(), v => v.Name == anonymous.Name);
    }

    [DockerFact]
    public async Task Create_conflicts_and_missing_image_are_api_errors()
    {
        var client = fx.Client;
        var id = await client.CreateContainerAsync(fx.RedisSpec("dup"));
        var dup = await Assert.ThrowsAsync<DockerApiException>(() => client.CreateContainerAsync(fx.RedisSpec("dup")));
        Assert.Equal(HttpStatusCode.Conflict, dup.StatusCode);
        Assert.Contains("already in use", dup.EngineMessage);
        await client.RemoveContainerAsync(id, removeVolumes: true);

        var noImage = await Assert.ThrowsAsync<DockerApiException>(() =>
            client.CreateContainerAsync(fx.RedisSpec("noimg") with { Image = $"redisdocker/{fx.RunId}-missing:none" }));
        Assert.Equal(HttpStatusCode.NotFound, noImage.StatusCode);
    }

    [DockerFact]
    public async Task Exec_of_missing_program_reports_failure()
    {
        var client = fx.Client;
        var id = await client.CreateContainerAsync(fx.RedisSpec("exec"));
        await client.StartContainerAsync(id);
        var result = await client.ExecAsync(id, ["/no/such/program"]);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("no such file", (result.Stdout + result.Stderr).ToLowerInvariant());

        var big = await client.ExecAsync(id, ["redis-server", "--help"]);
        Assert.Contains("Usage", big.Stdout + big.Stderr);

        var missingFile = await client.ReadFileAsync(id, "/nope");
        Assert.Null(missingFile);
        await Assert.ThrowsAsync<DockerApiException>(() => client.ReadFileAsync(fx.Name("no-such-container"), "/etc/passwd"));

        // Explicit directory mode and owner, into a running container, below a missing parent.
        await client.UploadFilesAsync(id, "/srv/redisdocker/conf", [new ArchiveFile("a.conf", "a"u8.ToArray(), Mode: 0b110_110_000)], default,
            dirMode: 0b111_111_000, uid: 999, gid: 999);
        using (var reader = new TarReader(new MemoryStream(await client.GetArchiveAsync(id, "/srv/redisdocker/conf"))))
        {
            var dir = reader.GetNextEntry()!;
            Assert.Equal(TarEntryType.Directory, dir.EntryType);
            Assert.Equal((UnixFileMode)0b111_111_000, dir.Mode);
            Assert.Equal(999, ((PosixTarEntry)dir).Uid);
            var file = reader.GetNextEntry()!;
            Assert.Equal((UnixFileMode)0b110_110_000, file.Mode);
            Assert.Equal(0, ((PosixTarEntry)file).Uid);
        }

        Assert.Equal("a"u8.ToArray(), await client.ReadFileAsync(id, "/srv/redisdocker/conf/a.conf"));

        var passwd = Encoding.UTF8.GetString((await client.ReadFileAsync(id, "/etc/passwd"))!);
        Assert.Contains("redis:x:999", passwd);
        await client.RemoveContainerAsync(id, force: true, removeVolumes: true);
    }

    /// <summary>
    /// The exec stream is Docker.DotNet's (our demultiplexer and its unit tests are gone): megabytes of output arrive whole,
    /// a hung exec is cancelled by the caller's token and the client stays usable, and execs run side by side.
    /// </summary>
    [DockerFact]
    public async Task Exec_large_output_cancellation_and_concurrency()
    {
        var client = fx.Client;
        var id = await client.CreateContainerAsync(fx.RedisSpec("exec-big"));
        try
        {
            await client.StartContainerAsync(id);
            await fx.WaitForLogAsync(id, "Ready to accept connections");
            var grow = await client.ExecAsync(id, ["redis-cli", "SETRANGE", "big", "3145727", "z"]);
            Assert.Equal("3145728", grow.Stdout.Trim());

            // 3 MiB of value (NUL bytes then "z") on stdout, nothing on stderr.
            var big = await client.ExecAsync(id, ["redis-cli", "GET", "big"]);
            Assert.Equal(0, big.ExitCode);
            Assert.Equal(3 * 1024 * 1024, big.Stdout.TrimEnd('\n').Length);
            Assert.EndsWith("z", big.Stdout.TrimEnd('\n'));
            Assert.Equal("", big.Stderr);

            // A blocked command is cancelled by the caller's token; the client then works as before.
            using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2)))
            {
                await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
                    client.ExecAsync(id, ["redis-cli", "BLPOP", "never", "0"], cts.Token));
            }

            var after = await client.ExecAsync(id, ["redis-cli", "PING"]);
            Assert.Equal("PONG", after.Stdout.Trim());

            // 20 execs at once, each with its own output and exit code.
            var many = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
                client.ExecAsync(id, ["redis-cli", "ECHO", $"n{i}"])));
            Assert.Equal(Enumerable.Range(0, 20).Select(i => $"n{i}"), many.Select(r => r.Stdout.Trim()));
            Assert.All(many, r => Assert.Equal(0, r.ExitCode));
        }
        finally
        {
            await client.RemoveContainerAsync(id, force: true, removeVolumes: true);
        }
    }
}
