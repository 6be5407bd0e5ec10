using System.Formats.Tar;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace RedisDocker.Core.Docker;

public sealed partial class DockerClient
{
    /// <summary>
    /// Runs <paramref name="command"/> (an argv array run directly, no shell) in a running container and waits for it:
    /// exec create, attached start (Tty off), stdout/stderr demultiplexed until the stream ends, then the exit code from exec inspect.
    /// The caller's token bounds the whole run.
    /// </summary>
    public async Task<ExecResult> ExecAsync(string container, IReadOnlyList<string> command, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (command.Count == 0)
        {
            throw new ArgumentException("The command needs at least the program to run.", nameof(command));
        }

        var createBody = new JsonObject
        {
            ["AttachStdin"] = false,
            ["AttachStdout"] = true,
            ["AttachStderr"] = true,
            ["Tty"] = false,
            ["Cmd"] = DockerJson.ToJsonArray(command),
        };
        string execId;
        using (var created = await SendJsonAsync(HttpMethod.Post, $"/containers/{Esc(container)}/exec", createBody, ct).ConfigureAwait(false))
        {
            execId = created.RootElement.Str("Id");
        }

        var startPath = $"/exec/{Esc(execId)}/start";
        var startBody = new JsonObject { ["Detach"] = false, ["Tty"] = false };
        DemultiplexedOutput output;
        using (var response = await SendStreamingAsync(HttpMethod.Post, startPath, JsonBody(startBody), ct).ConfigureAwait(false))
        {
            output = await ReadStreamAsync(HttpMethod.Post, startPath, response,
                s => DemultiplexedOutput.ReadAsync(s, multiplexed: true, ct), ct).ConfigureAwait(false);
        }

        // The stream ends when the process does; the engine may need a moment to record the exit code.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            using var inspect = await GetJsonAsync($"/exec/{Esc(execId)}/json", versioned: true, ct).ConfigureAwait(false);
            var e = inspect!.RootElement;
            if (!e.Bool("Running") || DateTime.UtcNow > deadline)
            {
                if (e.Bool("Running"))
                {
                    throw new DockerException(
                        $"The exec of '{string.Join(' ', command)}' in container {container} closed its output but is still running.");
                }

                return new ExecResult(e.Int("ExitCode"), output.Stdout, output.Stderr);
            }

            await Task.Delay(50, ct).ConfigureAwait(false);
        }
    }

    // ------------------------------------------------------------------ archive

    /// <summary>PUT /containers/{id}/archive?path= with a tar stream; works on created, not yet started containers too.</summary>
    public async Task PutArchiveAsync(string container, string path, Stream tar, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(tar);
        ArgumentException.ThrowIfNullOrEmpty(path);
        var content = new StreamContent(tar);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-tar");
        await RequestAsync(HttpMethod.Put, $"/containers/{Esc(container)}/archive" + Query(("path", path)), content, null, ct).ConfigureAwait(false);
    }

    /// <summary>GET /containers/{id}/archive?path=: the raw tar. A missing path raises <see cref="DockerApiException"/> with status 404.</summary>
    public async Task<byte[]> GetArchiveAsync(string container, string path, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var response = await RequestAsync(HttpMethod.Get, $"/containers/{Esc(container)}/archive" + Query(("path", path)), null, null, ct)
            .ConfigureAwait(false);
        return response.Body;
    }

    /// <summary>
    /// Uploads files into <paramref name="directory"/> (absolute): a tar (PAX) holding the directory entry and the files, extracted at "/".
    /// The directory is created when absent, and gets <paramref name="dirMode"/> (default 0750) and the owner
    /// <paramref name="uid"/>:<paramref name="gid"/> (default: the first file's owner, root without files) even when it exists.
    /// Missing ancestors are created by the engine (0755, root). Works on created, not yet started containers.
    /// </summary>
    public async Task UploadFilesAsync(string container, string directory, IReadOnlyList<ArchiveFile> files, CancellationToken ct = default,
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
            catch (DockerApiException ex) when (ex.StatusCode == HttpStatusCode.NotFound && !ex.EngineMessage.StartsWith("No such container", StringComparison.OrdinalIgnoreCase))
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

            throw new DockerException($"{filePath} in container {container} is {(type == TarEntryType.Directory ? "a directory" : "not a regular file")}.");
        }

        throw new DockerException($"{filePath} in container {container} is a chain of more than 16 symbolic links.");
    }
}
