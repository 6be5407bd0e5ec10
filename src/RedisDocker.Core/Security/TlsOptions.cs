namespace RedisDocker.Core.Security;

/// <summary>
/// Whether a TLS node asks its clients (applications, and the other nodes on the cluster bus and replication
/// links) for a certificate of the topology's CA: redis.conf's tls-auth-clients yes, optional or no.
/// </summary>
public enum TlsClientAuth
{
    /// <summary>tls-auth-clients yes: only holders of a certificate of the topology's CA connect (the
    /// default).</summary>
    Required,
    /// <summary>tls-auth-clients optional: a certificate is checked when given; clients without one connect
    /// too.</summary>
    Optional,
    /// <summary>tls-auth-clients no: any TLS client connects (the password still guards commands).</summary>
    None,
}

/// <summary>TLS for a topology's nodes: New-RedisNode/-Cluster/-Sentinel -Tls.</summary>
public sealed record TlsOptions
{
    public TlsClientAuth ClientAuth { get; init; } = TlsClientAuth.Required;

    /// <summary>The value of tls-auth-clients (and of the node's TLS label).</summary>
    public string AuthClientsValue => ClientAuth switch
    {
        TlsClientAuth.Optional => "optional",
        TlsClientAuth.None => "no",
        _ => "yes",
    };

    /// <summary>The options a node's TLS label stands for; null when the label is absent or unknown.</summary>
    public static TlsOptions? FromLabel(string? value) => value switch
    {
        "yes" => new TlsOptions(),
        "optional" => new TlsOptions { ClientAuth = TlsClientAuth.Optional },
        "no" => new TlsOptions { ClientAuth = TlsClientAuth.None },
        _ => null,
    };
}

/// <summary>Where a TLS node keeps its key material (its data volume), and the directives that use it.</summary>
public static class TlsFiles
{
    /// <summary>Container label of a TLS node: its tls-auth-clients value. No key material is ever in a
    /// label.</summary>
    public const string Label = Labels.Prefix + "tls";

    /// <summary>Inside the node's volume, readable by the redis user only (0700), as the password is kept inside the
    /// node.</summary>
    public const string Directory = "/data/tls";
    public const string CaCertFile = "ca.crt";
    public const string CaKeyFile = "ca.key";
    public const string CertFile = "node.crt";
    public const string KeyFile = "node.key";

    public static string PathOf(string file) => Directory + "/" + file;

    /// <summary>A TLS directive the module renders (an export leaves it out: the import renders it again).</summary>
    public static bool IsTlsDirective(string name) => name.StartsWith("tls-", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The TLS directives of a node or sentinel: TLS on <paramref name="port"/>, plain text off (port 0), the node's
    /// certificate as server and as client (replication, bus), peers checked against the topology's CA.
    /// </summary>
    public static IEnumerable<KeyValuePair<string, string>> Directives(TlsOptions tls, int port, bool cluster)
    {
        yield return new("tls-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        yield return new("tls-cert-file", PathOf(CertFile));
        yield return new("tls-key-file", PathOf(KeyFile));
        yield return new("tls-ca-cert-file", PathOf(CaCertFile));
        yield return new("tls-auth-clients", tls.AuthClientsValue);
        yield return new("tls-replication", "yes");
        if (cluster) yield return new("tls-cluster", "yes");
    }
}
