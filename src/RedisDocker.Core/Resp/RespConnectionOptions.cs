using System.Globalization;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace RedisDocker.Core.Resp;

/// <summary>Settings for <see cref="RespConnection.ConnectAsync"/>. A record: a changed copy is made with
/// <c>options with { ... }</c>, which copies every property (a property added later is never dropped by a
/// field-by-field copy).</summary>
public sealed record RespConnectionOptions
{
    /// <summary>ACL user name; <c>null</c> authenticates with <c>AUTH &lt;password&gt;</c> (the "default"
    /// user).</summary>
    public string? User { get; init; }

    /// <summary>
    /// Password, sent only on the wire and never included in messages or <see cref="ToString"/>.
    /// Authentication happens only when it is set.
    /// </summary>
    public string? Password { get; init; }

    /// <summary>Bound for DNS resolution, the TCP connect and the TLS handshake. Default 5 s.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Bound for each command or pipeline (including the wait for the connection when it is busy), and for each
    /// handshake command (AUTH/HELLO/CLIENT SETNAME). <see cref="Timeout.InfiniteTimeSpan"/> disables it. Default 10 s.
    /// </summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Wrap the connection in TLS.</summary>
    public bool UseTls { get; init; }

    /// <summary>Name expected in the server certificate (SNI); defaults to the host passed to ConnectAsync.</summary>
    public string? TlsServerName { get; init; }

    /// <summary>Custom server certificate validation; <c>null</c> uses the system's validation.</summary>
    public RemoteCertificateValidationCallback? TlsCertificateValidation { get; init; }

    /// <summary>Client certificates for mutual TLS.</summary>
    public X509CertificateCollection? TlsClientCertificates { get; init; }

    /// <summary>Sent with <c>CLIENT SETNAME</c> after connecting; a rejected name is ignored.</summary>
    public string? ClientName { get; init; }

    /// <summary>RESP protocol version: 2 (default) or 3 (negotiated with <c>HELLO 3</c>, carrying AUTH when a
    /// password is set).</summary>
    public int Protocol { get; init; } = 2;

    /// <summary>A summary of the settings; the password is never shown.</summary>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"User={User ?? "(default)"}, Password={(Password is null ? "(none)" : "***")}, Protocol={Protocol}, " +
        $"UseTls={UseTls}, " +
        $"ConnectTimeout={ConnectTimeout.TotalMilliseconds}ms, CommandTimeout={CommandTimeout.TotalMilliseconds}ms, " +
        $"ClientName={ClientName ?? "(none)"}");

    internal void Validate()
    {
        if (Protocol is not (2 or 3))
        {
            throw new ArgumentOutOfRangeException(nameof(Protocol), Protocol, "Protocol must be 2 or 3.");
        }
        if (ConnectTimeout <= TimeSpan.Zero && ConnectTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(ConnectTimeout), ConnectTimeout,
                "ConnectTimeout must be positive or infinite.");
        }
        if (CommandTimeout <= TimeSpan.Zero && CommandTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(CommandTimeout), CommandTimeout,
                "CommandTimeout must be positive or infinite.");
        }
    }
}
