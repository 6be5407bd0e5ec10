using System.Formats.Tar;
using System.Net;
using M = global::Docker.DotNet.Models;

namespace RedisDocker.Core.Docker;

public sealed partial class DockerClient
{
    /// <summary>
    /// Runs <paramref name="command"/> (an argv array run directly, no shell) in a running container and waits for it:
    /// exec create, attached start (Tty off), stdout/stderr demultiplexed until the stream ends, then the exit code
    /// from exec inspect.
    /// The caller's token bounds the whole run.
    /// </summary>
    public async Task<ExecResult> ExecAsync(string container, IReadOnlyList<string> command,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (command.Count == 0)
        {
            throw new ArgumentException("The command needs at least the program to run.", nameof(command));
        }

        var create = new M.ContainerExecCreateParameters { AttachStdout = true, AttachStderr = true,
            Cmd = command.ToList() };
        var created = await CallAsync("POST", $"/containers/{Req(container, nameof(container))}/exec",
            t => _api.Exec.CreateContainerExecAsync(container, create, t), ct).ConfigureAwait(false);
        var execId = created.ID;
        var startPath = $"/exec/{execId}/start";
        string stdout, stderr;
        using (var stream = await CallAsync("POST", startPath,
                   t => _api.Exec.StartContainerExecAsync(execId,
                       new M.ContainerExecStartParameters { Detach = false }, t), ct)
                   .ConfigureAwait(false))
        {
            (stdout, stderr) = await ReadStreamAsync("POST", startPath, () => stream.ReadOutputToEndAsync(ct), ct)
                .ConfigureAwait(false);
        }

        // The stream ends when the process does; the engine may need a moment to record the exit code.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            var e = await CallAsync("GET", $"/exec/{execId}/json",
                t => _api.Exec.InspectContainerExecAsync(execId, t), ct).ConfigureAwait(false);
            if (!e.Running || DateTime.UtcNow > deadline)
            {
                if (e.Running)
                {
                    throw new DockerException(
                        $"The exec of '{string.Join(' ', command)}' in container {container} closed its output but is "
                            + $"still running.");
                }

                return new ExecResult(DockerMapping.Int(e.ExitCode ?? 0), stdout, stderr);
            }

            await Task.Delay(50, ct).ConfigureAwait(false);
        }
    }

    // ------------------------------------------------------------------ archive

    /// <summary>PUT /containers/{id}/archive?path= with a tar stream; works on created, not yet started containers
    /// too.</summary>
    public Task PutArchiveAsync(string container, string path, Stream tar, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(tar);
        ArgumentException.ThrowIfNullOrEmpty(path);
        return CallAsync("PUT", $"/containers/{Req(container, nameof(container))}/archive",
            t => _api.Containers.ExtractArchiveToContainerAsync(container,
                new M.CopyToContainerParameters { Path = path }, tar, t), ct);
    }

    /// <summary>GET /containers/{id}/archive?path=: the raw tar. A missing path raises <see cref="DockerApiException"/>
    /// with status 404.</summary>
    public async Task<byte[]> GetArchiveAsync(string container, string path, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var apiPath = $"/containers/{Req(container, nameof(container))}/archive";
        var response = await CallAsync("GET", apiPath,
            t => _api.Containers.GetArchiveFromContainerAsync(container,
                new M.ContainerPathStatParameters { Path = path }, false, t), ct)
            .ConfigureAwait(false);
        await using var body = response.Stream ?? Stream.Null;
        return await ReadStreamAsync("GET", apiPath, async () =>
        {
            using var ms = new MemoryStream();
            await body.CopyToAsync(ms, ct).ConfigureAwait(false);
            return ms.ToArray();
        }, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Uploads files into <paramref name="directory"/> (absolute): a tar (PAX) holding the directory entry and the
    /// files, extracted at "/".
    /// The directory is created when absent, and gets <paramref name="dirMode"/> (default 0750) and the owner
    /// <paramref name="uid"/>:<paramref name="gid"/> (default: the first file's owner, root without files) even when it
    /// exists.
    /// Missing ancestors are created by the engine (0755, root). Works on created, not yet started containers.
    /// </summary>
    public async Task UploadFilesAsync(string container, string directory, IReadOnlyList<ArchiveFile> files,
        CancellationToken ct = default,
        int dirMode = 0b111_101_000, int? uid = null, int? gid = null)
    {
        ArgumentNullException.ThrowIfNull(files);
        var owner = files.Count > 0 ? files[0] : null;
        using var tar = TarArchives.Build(directory, files, dirMode, uid ?? owner?.Uid ?? 0, gid ?? owner?.Gid ?? 0);
        await PutArchiveAsync(container, "/", tar, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// The content of one file in the container (symbolic links followed), or null when the path does not exist.
    /// A directory raises <see cref="DockerException"/>.
    /// </summary>
    public async Task<byte[]?> ReadFileAsync(string container, string filePath, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(filePath);
        var path = filePath;
        for (var hops = 0; hops < 16; hops++)
        {
            byte[] tar;
            try
            {
                tar = await GetArchiveAsync(container, path, ct).ConfigureAwait(false);
            }
            catch (DockerApiException ex) when (ex.StatusCode == HttpStatusCode.NotFound
                && !ex.EngineMessage.StartsWith("No such container", StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }

            using var ms = new MemoryStream(tar, writable: false);
            var (content, link, type) = TarArchives.ReadSingleFile(ms);
            if (content is not null)
            {
                return content;
            }

            if (type == TarEntryType.SymbolicLink && !string.IsNullOrEmpty(link))
            {
                var dir = path[..(path.TrimEnd('/').LastIndexOf('/') + 1)];
                path = link.StartsWith('/') ? link : (dir.Length == 0 ? "/" : dir) + link;
                continue;
            }

            throw new DockerException($"{filePath} in container {container} is "
                + $"{(type == TarEntryType.Directory ? "a directory" : "not a regular file")}.");
        }

        throw new DockerException($"{filePath} in container {container} is a chain of more than 16 symbolic links.");
    }
}
