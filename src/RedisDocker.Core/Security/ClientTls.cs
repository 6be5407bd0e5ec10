using StackExchange.Redis;

namespace RedisDocker.Core.Security;

/// <summary>What applications need for a TLS topology: ssl=true in the configuration string, the CA to trust and a
/// client certificate (Connect-RedisClient sets both; Export-RedisCertificate writes them for other clients).</summary>
public static class ClientTls
{
    /// <summary>Whether a node belongs to a TLS topology (its label).</summary>
    public static bool IsTls(RedisNode node) => TlsOptions.FromLabel(node.Labels.Get(TlsFiles.Label)) is not null;

    /// <summary>The StackExchange.Redis option a TLS topology's configuration string carries.</summary>
    public const string SslOption = "ssl=true";

    /// <summary>The configuration string with <see cref="SslOption"/> when the nodes use TLS.</summary>
    public static string WithSsl(string text, RedisNode node) => IsTls(node) ? $"{text},{SslOption}" : text;

    /// <summary>
    /// Makes a StackExchange.Redis client of a TLS topology trust the topology's CA (only it) and present a client
    /// certificate of it, made for this client (valid <see cref="TlsStore.ClientValidity"/>). Nothing for a plain one.
    /// </summary>
    public static async Task ConfigureAsync(RedisDockerSession session, string topology, ConfigurationOptions options,
        CancellationToken ct)
    {
        if (!options.Ssl) return;
        var ca = await session.Tls.GetCaAsync(topology, ct).ConfigureAwait(false)
            ?? throw Errors.TlsMaterialMissing(
                $"Topology '{topology}' uses TLS, but no node of it holds its CA ({TlsFiles.Directory}).", topology);
        var client = ca.IssueClient("redisdocker-client", TlsStore.ClientValidity);
        options.CertificateValidation += (_, cert, _, _) => ca.Validates(cert);
        options.CertificateSelection += (_, _, _, _, _) => client;
    }
}
