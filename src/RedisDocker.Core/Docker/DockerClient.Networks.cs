using System.Net;
using M = global::Docker.DotNet.Models;

namespace RedisDocker.Core.Docker;

public sealed partial class DockerClient
{
    /// <summary>
    /// POST /networks/create; returns the new network's id. A name already taken is refused with 409 Conflict on every
    /// engine: the library no longer sends CheckDuplicate (engines before API 1.44 then create a second network of that
    /// name), so the networks of that name are listed after the create, and a new one that is not the oldest of them is
    /// removed again and refused (one call more than a plain create; racing creates of one name keep the first).
    /// </summary>
    public async Task<string> CreateNetworkAsync(NetworkCreateSpec spec, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentException.ThrowIfNullOrEmpty(spec.Name, nameof(spec));
        var ipamConfig = new List<M.IPAMConfig>();
        if (spec.Subnet is not null || spec.Gateway is not null || spec.IPRange is not null)
        {
            ipamConfig.Add(new M.IPAMConfig { Subnet = spec.Subnet ?? "", Gateway = spec.Gateway ?? "",
                IPRange = spec.IPRange ?? "" });
        }

        var parameters = new M.NetworksCreateParameters
        {
            Name = spec.Name,
            Driver = string.IsNullOrEmpty(spec.Driver) ? "bridge" : spec.Driver,
            Internal = spec.Internal,
            Attachable = spec.Attachable,
            IPAM = new M.IPAM { Driver = "default", Config = ipamConfig },
            Labels = new Dictionary<string, string>(spec.Labels, StringComparer.Ordinal),
            Options = new Dictionary<string, string>(spec.Options, StringComparer.Ordinal),
        };
        var created = await CallAsync("POST", "/networks/create",
            t => _api.Networks.CreateNetworkAsync(parameters, t), ct).ConfigureAwait(false);
        var id = created.ID ?? "";
        var byName = new M.NetworksListParameters
        {
            Filters = new Dictionary<string, IDictionary<string, bool>>
            {
                ["name"] = new Dictionary<string, bool> { [spec.Name] = true },
            },
        };
        var same = (await CallAsync("GET", "/networks", t => _api.Networks.ListNetworksAsync(byName, t), ct)
            .ConfigureAwait(false) ?? [])
            .Where(n => n.Name == spec.Name).OrderBy(n => n.Created).ThenBy(n => n.ID, StringComparer.Ordinal).ToList();
        if (same.Count > 1 && same[0].ID != id)
        {
            await RemoveNetworkAsync(id, CancellationToken.None).ConfigureAwait(false);
            throw DuplicateNetwork(spec.Name);
        }

        return id;
    }

    private DockerApiException DuplicateNetwork(string name) =>
        new(Endpoint, "POST", "/networks/create", HttpStatusCode.Conflict, $"network with name {name} already exists");

    /// <summary>GET /networks/{id}; null when there is no such network.</summary>
    public async Task<DockerNetwork?> InspectNetworkAsync(string idOrName, CancellationToken ct = default)
    {
        var n = await CallOrNullAsync("GET", $"/networks/{Req(idOrName, nameof(idOrName))}",
            t => _api.Networks.InspectNetworkAsync(idOrName, t), ct).ConfigureAwait(false);
        return n is null ? null : ToNetwork(n);
    }

    /// <summary>
    /// The networks carrying all the given labels (key=value, or just the key when the value is null), each fully
    /// inspected
    /// (so <see cref="DockerNetwork.Containers"/> is filled). Without labels: all networks.
    /// </summary>
    public async Task<IReadOnlyList<DockerNetwork>> ListNetworksAsync(
        IReadOnlyDictionary<string, string?>? labels = null, CancellationToken ct = default)
    {
        var parameters = new M.NetworksListParameters { Filters = LabelFilter(labels) };
        var listed = await CallAsync("GET", "/networks", t => _api.Networks.ListNetworksAsync(parameters, t), ct)
            .ConfigureAwait(false);
        var result = new List<DockerNetwork>();
        foreach (var id in (listed ?? []).Select(n => n.ID).Where(id => !string.IsNullOrEmpty(id)))
        {
            // A network removed between the list and the inspect is skipped.
            if (await InspectNetworkAsync(id, ct).ConfigureAwait(false) is { } network)
            {
                result.Add(network);
            }
        }

        return result;
    }

    /// <summary>POST /networks/{id}/connect, optionally with a static IPv4 address and DNS aliases.</summary>
    public Task ConnectNetworkAsync(string network, string container, string? ipv4Address = null,
        IReadOnlyList<string>? aliases = null,
        CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(container);
        var endpoint = new M.EndpointSettings();
        if (!string.IsNullOrEmpty(ipv4Address))
        {
            endpoint.IPAMConfig = new M.EndpointIPAMConfig { IPv4Address = ipv4Address };
        }

        if (aliases is { Count: > 0 })
        {
            endpoint.Aliases = aliases.ToList();
        }

        var parameters = new M.NetworkConnectParameters { Container = container, EndpointConfig = endpoint };
        return CallAsync("POST", $"/networks/{Req(network, nameof(network))}/connect",
            t => _api.Networks.ConnectNetworkAsync(network, parameters, t), ct);
    }

    /// <summary>POST /networks/{id}/disconnect.</summary>
    public Task DisconnectNetworkAsync(string network, string container, bool force = false,
        CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(container);
        var parameters = new M.NetworkDisconnectParameters { Container = container, Force = force };
        return CallAsync("POST", $"/networks/{Req(network, nameof(network))}/disconnect",
            t => _api.Networks.DisconnectNetworkAsync(network, parameters, t), ct);
    }

    /// <summary>DELETE /networks/{id}; a network that does not exist is not an error.</summary>
    public async Task RemoveNetworkAsync(string idOrName, CancellationToken ct = default)
    {
        try
        {
            await CallAsync("DELETE", $"/networks/{Req(idOrName, nameof(idOrName))}",
                t => _api.Networks.DeleteNetworkAsync(idOrName, t), ct).ConfigureAwait(false);
        }
        catch (DockerApiException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            // already gone
        }
    }

    internal static DockerNetwork ToNetwork(M.NetworkResponse n) => new()
    {
        Id = n.ID ?? "",
        Name = n.Name ?? "",
        Driver = n.Driver ?? "",
        Scope = n.Scope ?? "",
        Internal = n.Internal,
        Attachable = n.Attachable,
        Subnets = (n.IPAM?.Config ?? []).Where(c => c is not null)
            .Select(c => new IpamSubnet(NullIfEmpty(c.Subnet), NullIfEmpty(c.Gateway),
                NullIfEmpty(c.IPRange))).ToArray(),
        Labels = DockerMapping.Map(n.Labels),
        Options = DockerMapping.Map(n.Options),
        Containers = (n.Containers ?? new Dictionary<string, M.EndpointResource>()).Where(p => p.Value is not null)
            .Select(p => new NetworkContainer(p.Key, p.Value.Name ?? "",
                StripPrefixLength(p.Value.IPv4Address ?? ""), p.Value.MacAddress ?? ""))
            .ToArray(),
        Created = DockerMapping.Offset(n.Created),
    };

    private static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;

    private static string StripPrefixLength(string cidr)
    {
        var slash = cidr.IndexOf('/');
        return slash < 0 ? cidr : cidr[..slash];
    }
}
