using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace RedisDocker.Core.Docker;

public sealed partial class DockerClient
{
    // ------------------------------------------------------------------ volumes

    /// <summary>POST /volumes/create with the local driver. Creating an existing volume succeeds (the engine keeps the old one).</summary>
    public async Task CreateVolumeAsync(string name, IReadOnlyDictionary<string, string>? labels = null, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var body = new JsonObject
        {
            ["Name"] = name,
            ["Driver"] = "local",
            ["Labels"] = DockerJson.ToJsonObject(labels ?? DockerEmpty.Map),
        };
        using var _ = await SendJsonAsync(HttpMethod.Post, "/volumes/create", body, ct).ConfigureAwait(false);
    }

    /// <summary>DELETE /volumes/{name}; a volume that does not exist is not an error.</summary>
    public async Task RemoveVolumeAsync(string name, bool force = false, CancellationToken ct = default) =>
        await RequestAsync(HttpMethod.Delete, $"/volumes/{Esc(name)}" + Query(("force", Bool(force))), null, AcceptNotFound, ct).ConfigureAwait(false);

    /// <summary>GET /volumes, filtered by labels (all must match; a null value matches the key alone).</summary>
    public async Task<IReadOnlyList<DockerVolume>> ListVolumesAsync(IReadOnlyDictionary<string, string?>? labels = null, CancellationToken ct = default)
    {
        using var doc = await GetJsonAsync("/volumes" + Query(("filters", LabelFilter(labels))), versioned: true, ct).ConfigureAwait(false);
        return doc!.RootElement.Array("Volumes")
            .Select(v => new DockerVolume(v.Str("Name"), v.Str("Driver"), v.Str("Mountpoint"), v.Map("Labels")))
            .ToArray();
    }

    // ------------------------------------------------------------------ images

    /// <summary>GET /images/json: the repository:tag references of the local images (untagged ones left out).</summary>
    public async Task<IReadOnlyList<string>> ListImageTagsAsync(CancellationToken ct = default)
    {
        using var doc = await GetJsonAsync("/images/json", versioned: true, ct).ConfigureAwait(false);
        if (doc is null || doc.RootElement.ValueKind != JsonValueKind.Array) return Array.Empty<string>();
        return doc.RootElement.EnumerateArray().SelectMany(i => i.Strings("RepoTags"))
            .Where(t => t.Length > 0 && t != "<none>:<none>").Distinct().OrderBy(t => t, StringComparer.Ordinal).ToArray();
    }

    /// <summary>GET /images/{name}/json; null when the image is not present locally.</summary>
    public async Task<ImageInfo?> InspectImageAsync(string name, CancellationToken ct = default)
    {
        using var doc = await GetJsonAsync($"/images/{ImagePath(name)}/json", versioned: true, ct, nullOn404: true).ConfigureAwait(false);
        if (doc is null)
        {
            return null;
        }

        var i = doc.RootElement;
        var config = i.Member("Config") ?? default;
        return new ImageInfo(i.Str("Id"), i.Strings("RepoTags"), i.Long("Size"), config.Map("Labels"), i.StrOrNull("Os"), i.StrOrNull("Architecture"));
    }

    /// <summary>
    /// POST /images/create?fromImage=&amp;tag= (tag "latest" when the reference has none), reporting the engine's progress lines.
    /// An error line in the stream, or an error status, raises <see cref="DockerApiException"/> with the engine's message.
    /// Only the caller's token bounds the download.
    /// </summary>
    public async Task PullImageAsync(string image, IProgress<PullProgress>? progress = null, CancellationToken ct = default)
    {
        var (repository, tag) = SplitImageReference(image);
        var path = "/images/create" + Query(("fromImage", repository), ("tag", tag));
        using var response = await SendStreamingAsync(HttpMethod.Post, path, null, ct, headerTimeout: Timeout.InfiniteTimeSpan).ConfigureAwait(false);
        await ReadStreamAsync(HttpMethod.Post, path, response, async stream =>
        {
            using var reader = new StreamReader(stream, Encoding.UTF8);
            while (await reader.ReadLineAsync(ct).ConfigureAwait(false) is { } line)
            {
                if (string.IsNullOrWhiteSpace(line))
                {
                    continue;
                }

                JsonDocument doc;
                try
                {
                    doc = JsonDocument.Parse(line);
                }
                catch (JsonException)
                {
                    continue; // not a JSON line: ignore
                }

                using (doc)
                {
                    var e = doc.RootElement;
                    if (e.ValueKind != JsonValueKind.Object)
                    {
                        continue;
                    }

                    var error = (e.Member("errorDetail") ?? default).StrOrNull("message") ?? e.StrOrNull("error");
                    if (!string.IsNullOrEmpty(error) || e.Member("error") is not null)
                    {
                        throw new DockerApiException(Endpoint, "POST", "/images/create", response.StatusCode,
                            string.IsNullOrEmpty(error) ? "the pull failed" : error.Trim());
                    }

                    if (progress is not null)
                    {
                        var detail = e.Member("progressDetail") ?? default;
                        progress.Report(new PullProgress(e.StrOrNull("id"), e.Str("status"), detail.LongOrNull("current"), detail.LongOrNull("total")));
                    }
                }
            }

            return true;
        }, ct).ConfigureAwait(false);
    }

    /// <summary>("redis", "7.2") from "redis:7.2"; ("host:5000/a/b", "latest") from "host:5000/a/b"; the digest as tag for "name@sha256:...".</summary>
    internal static (string Repository, string Tag) SplitImageReference(string image)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(image);
        image = image.Trim();
        var at = image.IndexOf('@');
        if (at >= 0)
        {
            var name = image[..at];
            var slashBeforeDigest = name.LastIndexOf('/');
            var colonBeforeDigest = name.LastIndexOf(':');
            if (colonBeforeDigest > slashBeforeDigest)
            {
                name = name[..colonBeforeDigest]; // name:tag@digest pulls by digest
            }

            return (name, image[(at + 1)..]);
        }

        var slash = image.LastIndexOf('/');
        var colon = image.LastIndexOf(':');
        return colon > slash ? (image[..colon], image[(colon + 1)..]) : (image, "latest");
    }

    /// <summary>An image reference as path segments ("a/b:tag" keeps its slashes and colon).</summary>
    private static string ImagePath(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return string.Join('/', name.Trim().Split('/').Select(p => Uri.EscapeDataString(p).Replace("%3A", ":", StringComparison.Ordinal)));
    }
}
