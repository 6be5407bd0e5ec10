using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace RedisDocker.Core.Docker;

public sealed partial class DockerClient
{
    /// <summary>POST /networks/create (CheckDuplicate on); returns the new network's id.</summary>
    public async Task<string> CreateNetworkAsync(NetworkCreateSpec spec, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentException.ThrowIfNullOrEmpty(spec.Name, nameof(spec));
        var ipamConfig = new JsonArray();
        if (spec.Subnet is not null || spec.Gateway is not null || spec.IPRange is not null)
        {
            var entry = new JsonObject();
            if (spec.Subnet is not null)
            {
                entry["Subnet"] = spec.Subnet;
            }

            if (spec.Gateway is not null)
            {
                entry["Gateway"] = spec.Gateway;
            }

            if (spec.IPRange is not null)
            {
                entry["IPRange"] = spec.IPRange;
            }

            ipamConfig.Add(entry);
        }

        var body = new JsonObject
        {
            ["Name"] = spec.Name,
            ["CheckDuplicate"] = true,
            ["Driver"] = string.IsNullOrEmpty(spec.Driver) ? "bridge" : spec.Driver,
            ["Internal"] = spec.Internal,
            ["Attachable"] = spec.Attachable,
            ["IPAM"] = new JsonObject { ["Driver"] = "default", ["Config"] = ipamConfig },
            ["Labels"] = DockerJson.ToJsonObject(spec.Labels),
            ["Options"] = DockerJson.ToJsonObject(spec.Options),
        };
        using var doc = await SendJsonAsync(HttpMethod.Post, "/networks/create", body, ct).ConfigureAwait(false);
        return doc.RootElement.Str("Id");
    }

    /// <summary>GET /networks/{id}; null when there is no such network.</summary>
    public async Task<DockerNetwork?> InspectNetworkAsync(string idOrName, CancellationToken ct = default)
    {
        using var doc = await GetJsonAsync($"/networks/{Esc(idOrName)}", versioned: true, ct, nullOn404: true).ConfigureAwait(false);
        return doc is null ? null : ParseNetwork(doc.RootElement);
    }

    /// <summary>
    /// The networks carrying all the given labels (key=value, or just the key when the value is null), each fully inspected
    /// (so <see cref="DockerNetwork.Containers"/> is filled). Without labels: all networks.
    /// </summary>
    public async Task<IReadOnlyList<DockerNetwork>> ListNetworksAsync(IReadOnlyDictionary<string, string?>? labels = null, CancellationToken ct = default)
    {
        var ids = new List<string>();
        using (var doc = await GetJsonAsync("/networks" + Query(("filters", LabelFilter(labels))), versioned: true, ct).ConfigureAwait(false))
        {
            if (doc!.RootElement.ValueKind == JsonValueKind.Array)
            {
                ids.AddRange(doc.RootElement.EnumerateArray().Select(n => n.Str("Id")).Where(id => id.Length > 0));
            }
        }

        var result = new List<DockerNetwork>(ids.Count);
        foreach (var id in ids)
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
    public async Task ConnectNetworkAsync(string network, string container, string? ipv4Address = null, IReadOnlyList<string>? aliases = null,
        CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(container);
        var endpointConfig = new JsonObject();
        if (!string.IsNullOrEmpty(ipv4Address))
        {
            endpointConfig["IPAMConfig"] = new JsonObject { ["IPv4Address"] = ipv4Address };
        }

        if (aliases is { Count: > 0 })
        {
            endpointConfig["Aliases"] = DockerJson.ToJsonArray(aliases);
        }

        var body = new JsonObject { ["Container"] = container, ["EndpointConfig"] = endpointConfig };
        await RequestAsync(HttpMethod.Post, $"/networks/{Esc(network)}/connect", JsonBody(body), null, ct).ConfigureAwait(false);
    }

    /// <summary>POST /networks/{id}/disconnect.</summary>
    public async Task DisconnectNetworkAsync(string network, string container, bool force = false, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(container);
        var body = new JsonObject { ["Container"] = container, ["Force"] = force };
        await RequestAsync(HttpMethod.Post, $"/networks/{Esc(network)}/disconnect", JsonBody(body), null, ct).ConfigureAwait(false);
    }

    /// <summary>DELETE /networks/{id}; a network that does not exist is not an error.</summary>
    public async Task RemoveNetworkAsync(string idOrName, CancellationToken ct = default) =>
        await RequestAsync(HttpMethod.Delete, $"/networks/{Esc(idOrName)}", null, [HttpStatusCode.NotFound], ct).ConfigureAwait(false);

    internal static DockerNetwork ParseNetwork(JsonElement n)
    {
        var ipam = n.Member("IPAM") ?? default;
        var subnets = ipam.ValueKind == JsonValueKind.Object
            ? ipam.Array("Config").Select(c => new IpamSubnet(c.StrOrNull("Subnet"), c.StrOrNull("Gateway"), c.StrOrNull("IPRange"))).ToArray()
            : [];
        var containers = n.Properties("Containers")
            .Select(p => new NetworkContainer(p.Name, p.Value.Str("Name"), StripPrefixLength(p.Value.Str("IPv4Address")), p.Value.Str("MacAddress")))
            .ToArray();
        return new DockerNetwork
        {
            Id = n.Str("Id"),
            Name = n.Str("Name"),
            Driver = n.Str("Driver"),
            Scope = n.Str("Scope"),
            Internal = n.Bool("Internal"),
            Attachable = n.Bool("Attachable"),
            Subnets = subnets,
            Labels = n.Map("Labels"),
            Options = n.Map("Options"),
            Containers = containers,
            Created = n.Time("Created") ?? default,
        };
    }

    private static string StripPrefixLength(string cidr)
    {
        var slash = cidr.IndexOf('/');
        return slash < 0 ? cidr : cidr[..slash];
    }
}
