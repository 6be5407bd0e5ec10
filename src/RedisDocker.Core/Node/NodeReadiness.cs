using System.Diagnostics;
using RedisDocker.Core.Docker;
using RedisDocker.Core.Resp;

namespace RedisDocker.Core.Topology;

/// <summary>Node workflow: the image is there, and the node answers once started.</summary>
public sealed partial class NodeOperations
{
    public async Task EnsureImageAsync(IDockerEngine docker, string image, CancellationToken ct)
    {
        if (await docker.InspectImageAsync(image, ct).ConfigureAwait(false) is not null) return;
        var activity = ProgressReport.NextActivityId();
        _sink.Verbose($"Image {image} is not present: pulling it.");
        var progress = new Progress<PullProgress>(p =>
        {
            var pct = p.Total is > 0 && p.Current is long c ? (int)Math.Clamp(c * 100 / p.Total.Value, 0, 100) : -1;
            _sink.Progress(new ProgressReport(activity, $"Pulling {image}", $"{p.Id} {p.Status}".Trim(), pct));
        });
        try
        {
            await docker.PullImageAsync(image, progress, ct).ConfigureAwait(false);
        }
        catch (DockerException e)
        {
            throw Errors.ImageUnavailable(
                $"Image '{image}' is not present and could not be pulled: {e.Message}. Check the registry is "
                + $"reachable (docker pull {image}), or give -Image with an image that is present (docker images).",
                image, e);
        }
        finally
        {
            _sink.Progress(new ProgressReport(activity, $"Pulling {image}", "done", 100, Completed: true));
        }
        if (await docker.InspectImageAsync(image, ct).ConfigureAwait(false) is null)
            throw Errors.ImageUnavailable($"Pulling '{image}' finished but the image is not present.", image);
    }

    /// <summary>
    /// Waits until the node answers PING with its password and has finished loading its data,
    /// bounded by <see cref="ReadyTimeout"/>. Fails early, with the container's last log lines,
    /// when the container exits.
    /// </summary>
    public async Task<RedisNode> WaitReadyAsync(DockerClient docker, string name, string? password,
        CancellationToken ct)
    {
        var sw = Stopwatch.StartNew();
        string lastProblem = "not started";
        var delay = 25;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            var info = await docker.InspectContainerAsync(name, ct).ConfigureAwait(false) ?? throw NotFound(name);
            if (!info.State.Running && !info.State.Restarting && info.State.Status is "exited" or "dead")
            {
                var logs = await SafeLogsAsync(docker, name, password, ct).ConfigureAwait(false);
                var announce = info.Labels.Get(Labels.Announce);
                if (logs.Contains("Cannot assign requested address", StringComparison.Ordinal))
                    throw Errors.IPAddressInvalid(
                        $"Node '{name}' cannot listen on {announce}: it is not an address of Docker host "
                        + $"{docker.Endpoint}. Give -AnnounceAddress with an address of that host.",
                        name);
                if (logs.Contains("Address already in use", StringComparison.Ordinal))
                    throw Errors.HostPortTaken(
                        $"Node '{name}' cannot listen on port {info.Labels.Get(Labels.Port)} (or its bus port) of "
                        + $"Docker host {docker.Endpoint}: it is already in use. Choose another -Port.",
                        name);
                throw Errors.NodeExitedWhileStarting(name, info.State.ExitCode, logs);
            }
            var node = ToRedisNode(info, RedisRole.Unknown, docker);
            if (node.HostEndpoint is not null && info.State.Running)
            {
                try
                {
                    var conn = await _session.ConnectAsync(node.HostEndpoint, password, ct).ConfigureAwait(false);
                    var replies = await conn.PipelineAsync(new[] { new object[] { "PING" },
                        new object[] { "INFO", "persistence" } }, ct).ConfigureAwait(false);
                    var ping = replies[0];
                    if (ping.IsError && ping.Text is { } err
                        && (err.StartsWith("WRONGPASS", StringComparison.Ordinal)
                            || err.StartsWith("NOAUTH", StringComparison.Ordinal)))
                        throw Errors.WrongPassword(
                            $"Node '{name}' refused the topology's password ({err.Split(' ')[0]}).",
                            name);
                    if (!ping.IsError && !replies[1].IsError && RedisInfo.Parse(replies[1].AsString())
                        .GetValueOrDefault("loading") != "1")
                    {
                        _sink.Verbose($"Node '{name}' is ready at {node.HostEndpoint} after {sw.ElapsedMilliseconds} "
                            + "ms.");
                        return await ReadLiveAsync(info, ct, docker).ConfigureAwait(false);
                    }
                    lastProblem = ping.IsError ? ping.Text ?? "error" : "still loading its data";
                }
                catch (RedisServerException e) when (e.Prefix is "WRONGPASS" or "NOAUTH")
                {
                    throw Errors.WrongPassword($"Node '{name}' refused the topology's password ({e.Prefix}).", name, e);
                }
                catch (RedisException e)
                {
                    lastProblem = e.Message;
                    _session.Evict(node.HostEndpoint);
                }
                catch (IOException e)
                {
                    lastProblem = e.Message;
                    _session.Evict(node.HostEndpoint);
                }
            }
            if (sw.Elapsed > ReadyTimeout)
            {
                var logs = await SafeLogsAsync(docker, name, password, ct).ConfigureAwait(false);
                throw Errors.NodeNotReady(
                    $"Node '{name}' was not ready within {ReadyTimeout.TotalSeconds:0} s ({lastProblem}). Its last "
                    + $"log lines:\n{logs}",
                    name);
            }
            await Task.Delay(delay, ct).ConfigureAwait(false);
            delay = Math.Min(delay * 2, 250);
        }
    }

    private static async Task<string> SafeLogsAsync(DockerClient docker, string name, string? password,
        CancellationToken ct)
    {
        try { return Secrets.Redact((await docker.GetLogsAsync(name, 15, ct).ConfigureAwait(false)).TrimEnd(),
            password); }
        catch (DockerException e) { return $"(logs unavailable: {e.Message})"; }
    }
}
