using System.Net;
using M = global::Docker.DotNet.Models;

namespace RedisDocker.Core.Docker;

public sealed partial class DockerClient
{
    // ------------------------------------------------------------------ volumes

    /// <summary>POST /volumes/create with the local driver. Creating an existing volume succeeds (the engine keeps the
    /// old one).</summary>
    public Task CreateVolumeAsync(string name, IReadOnlyDictionary<string, string>? labels = null,
        CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var parameters = new M.VolumesCreateParameters
        {
            Name = name,
            Driver = "local",
            Labels = new Dictionary<string, string>(labels ?? DockerEmpty.Map, StringComparer.Ordinal),
        };
        return CallAsync("POST", "/volumes/create", t => _api.Volumes.CreateAsync(parameters, t), ct);
    }

    /// <summary>DELETE /volumes/{name}; a volume that does not exist is not an error.</summary>
    public async Task RemoveVolumeAsync(string name, bool force = false, CancellationToken ct = default)
    {
        try
        {
            await CallAsync("DELETE", $"/volumes/{Req(name, nameof(name))}", t => _api.Volumes.RemoveAsync(name, force,
                t), ct)
                .ConfigureAwait(false);
        }
        catch (DockerApiException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            // already gone
        }
    }

    /// <summary>GET /volumes, filtered by labels (all must match; a null value matches the key alone).</summary>
    public async Task<IReadOnlyList<DockerVolume>> ListVolumesAsync(IReadOnlyDictionary<string, string?>? labels = null,
        CancellationToken ct = default)
    {
        var parameters = new M.VolumesListParameters { Filters = LabelFilter(labels) };
        var list = await CallAsync("GET", "/volumes", t => _api.Volumes.ListAsync(parameters, t), ct)
            .ConfigureAwait(false);
        return (list?.Volumes ?? []).Where(v => v is not null)
            .Select(v => new DockerVolume(v.Name ?? "", v.Driver ?? "", v.Mountpoint ?? "",
                DockerMapping.Map(v.Labels)))
            .ToArray();
    }

    // ------------------------------------------------------------------ images

    /// <summary>GET /images/json: the repository:tag references of the local images (untagged ones left out).</summary>
    public async Task<IReadOnlyList<string>> ListImageTagsAsync(CancellationToken ct = default)
    {
        var images = await CallAsync("GET", "/images/json",
            t => _api.Images.ListImagesAsync(new M.ImagesListParameters(), t), ct)
            .ConfigureAwait(false);
        return (images ?? []).SelectMany(i => i?.RepoTags ?? [])
            .Where(t => !string.IsNullOrEmpty(t) && t != "<none>:<none>").Distinct().OrderBy(t => t,
                StringComparer.Ordinal).ToArray();
    }

    /// <summary>GET /images/{name}/json; null when the image is not present locally.</summary>
    public async Task<ImageInfo?> InspectImageAsync(string name, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        name = name.Trim();
        var i = await CallOrNullAsync("GET", $"/images/{name}/json", t => _api.Images.InspectImageAsync(name, t), ct)
            .ConfigureAwait(false);
        return i is null
            ? null
            : new ImageInfo(i.ID ?? "", (i.RepoTags ?? []).ToArray(), i.Size, DockerMapping.Map(i.Config?.Labels),
                string.IsNullOrEmpty(i.Os) ? null : i.Os, string.IsNullOrEmpty(i.Architecture) ? null : i.Architecture);
    }

    /// <summary>
    /// POST /images/create?fromImage=&amp;tag= (tag "latest" when the reference has none), reporting the engine's
    /// progress lines.
    /// An error line in the stream, or an error status, raises <see cref="DockerApiException"/> with the engine's
    /// message.
    /// Only the caller's token bounds the download.
    /// </summary>
    public Task PullImageAsync(string image, IProgress<PullProgress>? progress = null, CancellationToken ct = default)
    {
        var (repository, tag) = SplitImageReference(image);
        var parameters = new M.ImagesCreateParameters { FromImage = repository, Tag = tag };
        var lines = new PullLines(this, progress);
        return CallAsync("POST", "/images/create",
            t => _api.Images.CreateImageAsync(parameters, null, lines, t), ct, Timeout.InfiniteTimeSpan);
    }

    /// <summary>The pull's progress lines: an error line ends the pull with the engine's message; others go to the
    /// caller's sink.</summary>
    private sealed class PullLines(DockerClient owner, IProgress<PullProgress>? sink) : IProgress<M.JSONMessage>
    {
        public void Report(M.JSONMessage value)
        {
            if (value is null)
            {
                return;
            }

            if (value.Error is { } error)
            {
                throw new DockerApiException(owner.Endpoint, "POST", "/images/create", HttpStatusCode.OK,
                    string.IsNullOrWhiteSpace(error.Message) ? "the pull failed" : error.Message.Trim());
            }

            sink?.Report(new PullProgress(value.ID, value.Status ?? "", value.Progress?.Current,
                value.Progress?.Total));
        }
    }

    /// <summary>("redis", "7.2") from "redis:7.2"; ("host:5000/a/b", "latest") from "host:5000/a/b"; the digest as tag
    /// for "name@sha256:...".</summary>
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
}
