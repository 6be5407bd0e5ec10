// Over 400 lines on purpose: the engine connection itself (transports, TLS, HTTP framing, API version
// negotiation); the resource calls live in the DockerClient.*.cs partial files.
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Api = global::Docker.DotNet;
using ApiX509 = global::Docker.DotNet.X509;

namespace RedisDocker.Core.Docker;

/// <summary>
/// The module's Docker Engine client: an adapter over Docker.DotNet (the maintained Docker.DotNet.Enhanced fork) that
/// speaks a negotiated API version, bounds each call, and turns the library's failures into
/// <see cref="DockerException"/>s
/// with the messages the module documents. Create it with
/// <see cref="ConnectAsync(DockerEndpoint, CancellationToken)"/>.
/// Thread-safe; dispose when done. No type of the library appears in its public surface.
/// </summary>
public sealed partial class DockerClient : IDisposable, IDockerEngine
{
    /// <summary>The highest API version this client speaks.</summary>
    public const string MaxApiVersion = "1.43";

    /// <summary>The lowest API version this client works with (HostConfig.Mounts).</summary>
    public const string MinSupportedApiVersion = "1.25";

    /// <summary>The bound on a non-streaming call when the caller's token allows longer.</summary>
    public static readonly TimeSpan DefaultCallTimeout = TimeSpan.FromSeconds(60);

    private readonly TlsDiagnostics _tls;
    private Api.DockerClient _api;

    private DockerClient(DockerEndpoint endpoint, TlsDiagnostics tls)
    {
        Endpoint = endpoint;
        _tls = tls;
        _api = DockerApiFactory.Build(endpoint, null, tls);
        ApiVersion = "";
        Version = new DockerVersion("", "", "", "", "", "");
    }

    /// <summary>The engine this client talks to.</summary>
    public DockerEndpoint Endpoint { get; }

    /// <summary>The negotiated API version, e.g. "1.41".</summary>
    public string ApiVersion { get; private set; }

    /// <summary>What the engine reported about itself.</summary>
    public DockerVersion Version { get; private set; }

    /// <summary>The bound on each non-streaming call (and on the response headers of streaming ones);
    /// <see cref="DefaultCallTimeout"/> unless set at connect.</summary>
    public TimeSpan CallTimeout { get; private init; } = DefaultCallTimeout;

    /// <summary>
    /// Connects: GET /_ping, then GET /version, and negotiates the API version as min(engine's,
    /// <see cref="MaxApiVersion"/>),
    /// but at least the engine's minimum.
    /// </summary>
    /// <exception cref="DockerUnreachableException">Nothing answers at the endpoint.</exception>
    /// <exception cref="DockerException">The engine answered but cannot be used (error status, too old).</exception>
    public static Task<DockerClient> ConnectAsync(DockerEndpoint endpoint, CancellationToken ct = default) =>
        ConnectAsync(endpoint, DefaultCallTimeout, ct);

    /// <summary>As <see cref="ConnectAsync(DockerEndpoint, CancellationToken)"/>, with another bound for non-streaming
    /// calls.</summary>
    public static async Task<DockerClient> ConnectAsync(DockerEndpoint endpoint, TimeSpan callTimeout,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        if (callTimeout <= TimeSpan.Zero && callTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(callTimeout),
                "The call time-out must be positive or infinite.");
        }

        // Unversioned first (/_ping, /version), then the client pinned to the negotiated version.
        var client = new DockerClient(endpoint, new TlsDiagnostics()) { CallTimeout = callTimeout };
        try
        {
            await client.PingAsync(ct).ConfigureAwait(false);
            var v = await client.CallAsync("GET", "/version", t => client._api.System.GetVersionAsync(t), ct)
                .ConfigureAwait(false);
            var version = new DockerVersion(v.Version ?? "", v.APIVersion ?? "", v.MinAPIVersion ?? "", v.Os ?? "",
                v.Arch ?? "",
                v.KernelVersion ?? "");
            client.Version = version;
            client.ApiVersion = NegotiateApiVersion(version.ApiVersion, version.MinApiVersion);
            if (CompareApiVersions(client.ApiVersion, MinSupportedApiVersion) < 0)
            {
                throw new DockerException(
                    $"The Docker engine at {endpoint} (version {version.Version}) speaks API {version.ApiVersion}, "
                        + $"older than the {MinSupportedApiVersion} this module needs. Update Docker.");
            }

            var unversioned = client._api;
            client._api = DockerApiFactory.Build(endpoint, System.Version.Parse(client.ApiVersion), client._tls);
            unversioned.Dispose();
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>GET /_ping; throws when the engine is unreachable or unhealthy.</summary>
    public Task PingAsync(CancellationToken ct = default) =>
        CallAsync("GET", "/_ping", async t => { await _api.System.PingAsync(t).ConfigureAwait(false); return true; },
            ct);

    /// <summary>Releases the connections.</summary>
    public void Dispose() => _api.Dispose();

    /// <summary>min(engine, <see cref="MaxApiVersion"/>), raised to the engine's minimum when that is higher.</summary>
    internal static string NegotiateApiVersion(string engineApiVersion, string engineMinApiVersion)
    {
        var chosen = string.IsNullOrEmpty(engineApiVersion) || CompareApiVersions(engineApiVersion, MaxApiVersion) > 0
            ? MaxApiVersion
            : engineApiVersion;
        if (!string.IsNullOrEmpty(engineMinApiVersion) && CompareApiVersions(chosen, engineMinApiVersion) < 0)
        {
            chosen = engineMinApiVersion;
        }

        return chosen;
    }

    internal static int CompareApiVersions(string a, string b)
    {
        static int[] Parts(string v) => v.Split('.').Select(p => int.TryParse(p, NumberStyles.None,
            CultureInfo.InvariantCulture, out var n) ? n : 0).ToArray();
        var x = Parts(a);
        var y = Parts(b);
        for (var i = 0; i < Math.Max(x.Length, y.Length); i++)
        {
            var c = (i < x.Length ? x[i] : 0).CompareTo(i < y.Length ? y[i] : 0);
            if (c != 0)
            {
                return c;
            }
        }

        return 0;
    }

    // ------------------------------------------------------------------ calls and error translation

    /// <summary>
    /// One library call, bounded by <paramref name="timeout"/> (default <see cref="CallTimeout"/>) on top of
    /// <paramref name="ct"/>;
    /// its failures become <see cref="DockerException"/>s naming <paramref name="method"/> and <paramref name="path"/>.
    /// </summary>
    private async Task<T> CallAsync<T>(string method, string path, Func<CancellationToken, Task<T>> call,
        CancellationToken ct,
        TimeSpan? timeout = null)
    {
        var bound = timeout ?? CallTimeout;
        using var timeoutCts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        if (bound != Timeout.InfiniteTimeSpan)
        {
            timeoutCts.CancelAfter(bound);
        }

        try
        {
            return await call(timeoutCts.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (Translate(ex, method, path, ct, timeoutCts, bound) is { } translated)
        {
            throw translated;
        }
    }

    private Task CallAsync(string method, string path, Func<CancellationToken, Task> call, CancellationToken ct,
        TimeSpan? timeout = null) =>
        CallAsync(method, path, async t => { await call(t).ConfigureAwait(false); return true; }, ct, timeout);

    /// <summary>As <see cref="CallAsync{T}"/>, where an engine 404 is an answer (null) rather than an error.</summary>
    private async Task<T?> CallOrNullAsync<T>(string method, string path, Func<CancellationToken, Task<T>> call,
        CancellationToken ct)
        where T : class
    {
        try
        {
            return await CallAsync(method, path, call, ct).ConfigureAwait(false);
        }
        catch (DockerApiException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>Reads a streamed body with the caller's token only, translating transport failures.</summary>
    private async Task<T> ReadStreamAsync<T>(string method, string path, Func<Task<T>> read, CancellationToken ct)
    {
        try
        {
            return await read().ConfigureAwait(false);
        }
        catch (Exception ex) when (Translate(ex, method, path, ct, null, Timeout.InfiniteTimeSpan) is { } translated)
        {
            throw translated;
        }
    }

    private Exception? Translate(Exception ex, string method, string path, CancellationToken ct,
        CancellationTokenSource? timeoutCts,
        TimeSpan bound)
    {
        switch (ex)
        {
            case DockerException:
                return null;
            case OperationCanceledException when ct.IsCancellationRequested:
                return null; // the caller's own cancellation propagates as is
            case OperationCanceledException when timeoutCts is { IsCancellationRequested: true }:
                return new DockerException(
                    $"The Docker engine at {Endpoint} did not answer {method} {path} within {Describe(bound)}.",
                    new TimeoutException(ex.Message, ex));
            case Api.DockerApiException api:
                return new DockerApiException(Endpoint, method, path, api.StatusCode, EngineMessage(api.ResponseBody,
                    null));
        }

        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case SocketException se:
                    return new DockerUnreachableException(Endpoint, SocketReason(se), ex);
                case AuthenticationException auth:
                    return new DockerUnreachableException(Endpoint, TlsReason(auth), ex);
                case TimeoutException when Endpoint.Transport == DockerTransport.NamedPipe:
                    return new DockerUnreachableException(Endpoint,
                        $"the named pipe {PipeDisplay} does not exist or stayed busy", ex);
                case UnauthorizedAccessException when Endpoint.Transport == DockerTransport.NamedPipe:
                    return new DockerUnreachableException(Endpoint,
                        $"access to the named pipe {PipeDisplay} was denied (run elevated or join the docker-users "
                            + $"group)", ex);
            }
        }

        if (ex is HttpRequestException or IOException)
        {
            return new DockerException(
                $"The connection to the Docker engine at {Endpoint} failed during {method} {path}: "
                    + $"{Innermost(ex).Message}", ex);
        }

        return null;
    }

    /// <summary>Why a TLS handshake failed: our check of the engine's certificate, or the engine's refusal of
    /// ours.</summary>
    private string TlsReason(AuthenticationException auth)
    {
        const string Check = "check DOCKER_CERT_PATH / -CertPath and DOCKER_TLS_VERIFY";
        if (_tls.Rejection is { } rejected)
        {
            return $"the TLS handshake failed: {rejected}; {Check}";
        }

        var detail = Innermost(auth).Message.TrimEnd('.');
        if (detail.Contains("bad certificate", StringComparison.OrdinalIgnoreCase)
            || detail.Contains("certificate required", StringComparison.OrdinalIgnoreCase)
            || detail.Contains("unknown ca", StringComparison.OrdinalIgnoreCase))
        {
            var sent = _tls.ClientCertificate is { } c
                ? $"the client certificate {c} (subject {_tls.ClientSubject}) was refused"
                : $"no client certificate was sent (no cert.pem/key.pem in "
                    + $"{Endpoint.CertPath ?? "any folder: none given"})";
            return $"the TLS handshake failed: the engine asks for a client certificate signed by its CA and {sent} " +
                   $"({detail}); {Check}";
        }

        return $"the TLS handshake failed ({detail}); {Check}";
    }

    private string PipeDisplay => $@"\\{Endpoint.PipeServer}\pipe\{Endpoint.PipeName}";

    private string SocketReason(SocketException ex)
    {
        if (Endpoint.Transport == DockerTransport.UnixSocket)
        {
            var path = Endpoint.SocketPath!;
            if (Directory.Exists(path))
            {
                return $"{path} is a directory, not the engine's socket";
            }

            if (!File.Exists(path))
            {
                return $"the socket {path} does not exist";
            }

            return ex.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => $"nothing is listening on the socket {path} (connection refused)",
                SocketError.AccessDenied
                    => $"permission denied on the socket {path} (add your user to the 'docker' group, or run as root)",
                _ => $"connecting to the socket {path} failed: {ex.Message}",
            };
        }

        return ex.SocketErrorCode switch
        {
            SocketError.ConnectionRefused
                => $"connection refused by {Endpoint.HostAddress}:{Endpoint.TcpPort} (is the engine listening there?)",
            SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain
                => $"the host name {Endpoint.HostAddress} could not be resolved",
            SocketError.TimedOut => $"connecting to {Endpoint.HostAddress}:{Endpoint.TcpPort} timed out",
            SocketError.HostUnreachable or SocketError.NetworkUnreachable
                => $"{Endpoint.HostAddress} is unreachable ({ex.Message})",
            _ => $"connecting to {Endpoint.HostAddress}:{Endpoint.TcpPort} failed: {ex.Message}",
        };
    }

    private static string Describe(TimeSpan t) =>
        t.TotalSeconds >= 1 ? $"{t.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)} s"
            : $"{t.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture)} ms";

    private static Exception Innermost(Exception ex)
    {
        while (ex.InnerException is not null)
        {
            ex = ex.InnerException;
        }

        return ex;
    }

    internal static string EngineMessage(byte[] body, string? reason) =>
        EngineMessage(body.Length == 0 ? null : Encoding.UTF8.GetString(body), reason);

    /// <summary>The "message" of the engine's JSON error body, else the body's text, else the reason phrase.</summary>
    internal static string EngineMessage(string? body, string? reason)
    {
        if (!string.IsNullOrWhiteSpace(body))
        {
            try
            {
                using var doc = JsonDocument.Parse(body);
                if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("message",
                    out var m)
                    && m.ValueKind == JsonValueKind.String && m.GetString() is { Length: > 0 } text)
                {
                    return text.Trim();
                }
            }
            catch (JsonException)
            {
                // not JSON: fall through to the text
            }

            var trimmed = body.Trim();
            return trimmed.Length > 2000 ? trimmed[..2000] + "..." : trimmed;
        }

        return string.IsNullOrEmpty(reason) ? "(no message)" : reason;
    }

    /// <summary>{"label": {"k=v": true, "k": true}} for the engine's filters, or null without labels.</summary>
    internal static IDictionary<string, IDictionary<string, bool>>? LabelFilter(
        IReadOnlyDictionary<string, string?>? labels)
    {
        if (labels is null || labels.Count == 0)
        {
            return null;
        }

        var values = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (var kv in labels)
        {
            ArgumentException.ThrowIfNullOrEmpty(kv.Key, nameof(labels));
            values[kv.Value is null ? kv.Key : $"{kv.Key}={kv.Value}"] = true;
        }

        return new Dictionary<string, IDictionary<string, bool>>(StringComparer.Ordinal) { ["label"] = values };
    }

    private static string Req(string value, string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(value, name);
        return value;
    }
}

/// <summary>Builds the library's client for one endpoint: transport from the scheme, TLS credentials from the cert
/// folder.</summary>
internal static class DockerApiFactory
{
    public static Api.DockerClient Build(DockerEndpoint endpoint, Version? apiVersion, TlsDiagnostics tls)
    {
        var builder = new Api.DockerClientBuilder()
            .WithEndpoint(LibraryUri(endpoint))
            .WithApiVersion(apiVersion)
            .WithTimeout(Timeout.InfiniteTimeSpan); // each call is bounded by DockerClient.CallAsync
        if (endpoint is { Transport: DockerTransport.Tcp, UseTls: true })
        {
            builder = builder.WithAuthProvider(DockerTls.CreateCredentials(endpoint, tls));
        }

        return builder.Build();
    }

    /// <summary>The endpoint as the library reads it: tcp://host:port for TCP (TLS comes from the
    /// credentials).</summary>
    internal static Uri LibraryUri(DockerEndpoint endpoint) => endpoint.Transport switch
    {
        DockerTransport.Tcp => new UriBuilder(endpoint.Uri) { Scheme = "tcp", Port = endpoint.TcpPort }.Uri,
        DockerTransport.NamedPipe => new Uri(
            $"npipe://{(endpoint.PipeServer == "." ? "localhost" : endpoint.PipeServer)}/pipe/{endpoint.PipeName}"),
        _ => endpoint.Uri,
    };
}

/// <summary>What the TLS set-up knows when a handshake fails: the client certificate sent, and why we refused the
/// engine's.</summary>
internal sealed class TlsDiagnostics
{
    private volatile string? _rejection;

    /// <summary>The cert.pem sent to the engine, or null when none.</summary>
    public string? ClientCertificate { get; set; }

    /// <summary>The subject of that certificate.</summary>
    public string? ClientSubject { get; set; }

    /// <summary>Why the engine's certificate was refused by our check (the last refusal), or null.</summary>
    public string? Rejection { get => _rejection; set => _rejection = value; }
}

/// <summary>TLS settings from a cert folder (ca.pem, cert.pem, key.pem), like the Docker CLI.</summary>
internal static class DockerTls
{
    /// <summary>The library's credentials: the client certificate (when the folder has one) and our server
    /// check.</summary>
    public static ApiX509.CertificateCredentials CreateCredentials(DockerEndpoint endpoint,
        TlsDiagnostics? diagnostics = null)
    {
        var (client, validate) = Load(endpoint, diagnostics);
        return new ApiX509.CertificateCredentials(client) { ServerCertificateValidationCallback = validate };
    }

    /// <summary>The client certificate (or null) and the server-certificate check for
    /// <paramref name="endpoint"/>.</summary>
    public static (X509Certificate2? Client, RemoteCertificateValidationCallback Validate) Load(DockerEndpoint endpoint,
        TlsDiagnostics? diagnostics = null)
    {
        diagnostics ??= new TlsDiagnostics();
        string? caFileUsed = null;
        X509Certificate2? client = null;
        X509Certificate2Collection? roots = null;
        var dir = endpoint.CertPath;
        if (!string.IsNullOrEmpty(dir))
        {
            var certFile = Path.Combine(dir, "cert.pem");
            var keyFile = Path.Combine(dir, "key.pem");
            if (File.Exists(certFile) && File.Exists(keyFile))
            {
                try
                {
                    client = ApiX509.DockerTlsCertificates.LoadCertificateFromPemFiles(certFile, keyFile);
                    diagnostics.ClientCertificate = certFile;
                    diagnostics.ClientSubject = client.Subject;
                }
                catch (Exception ex)
                    when (ex is System.Security.Cryptography.CryptographicException or ArgumentException)
                {
                    throw new DockerException($"The client certificate {certFile} / {keyFile} for {endpoint} could "
                        + $"not be loaded: {ex.Message}", ex);
                }
            }
            else if (File.Exists(certFile) != File.Exists(keyFile))
            {
                throw new DockerException($"The folder {dir} for {endpoint} has only one of cert.pem and key.pem; "
                    + $"both are needed.");
            }

            var caFile = Path.Combine(dir, "ca.pem");
            if (File.Exists(caFile))
            {
                try
                {
                    roots = new X509Certificate2Collection();
                    roots.ImportFromPemFile(caFile);
                    caFileUsed = caFile;
                }
                catch (Exception ex)
                    when (ex is System.Security.Cryptography.CryptographicException or ArgumentException)
                {
                    throw new DockerException($"The CA certificate {caFile} for {endpoint} could not be loaded: "
                        + $"{ex.Message}", ex);
                }
            }
        }

        var verify = endpoint.TlsVerify;
        return (client, (_, certificate, chain, errors) =>
        {
            if (!verify)
            {
                return true;
            }

            if (roots is null || roots.Count == 0)
            {
                if (errors != SslPolicyErrors.None)
                {
                    diagnostics.Rejection = $"the engine's certificate is not trusted by this machine ({errors}); put "
                        + $"its CA as ca.pem in the cert folder";
                }

                return errors == SslPolicyErrors.None;
            }

            if (certificate is null
                || (errors & (SslPolicyErrors.RemoteCertificateNameMismatch
                    | SslPolicyErrors.RemoteCertificateNotAvailable)) != 0)
            {
                diagnostics.Rejection = certificate is null
                    ? "the engine sent no certificate"
                    : $"the engine's certificate ({certificate.Subject}) is not made out to {endpoint.HostAddress}";
                return false;
            }

            using var custom = new X509Chain();
            custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            custom.ChainPolicy.CustomTrustStore.AddRange(roots);
            custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            if (chain is not null)
            {
                foreach (var element in chain.ChainElements)
                {
                    custom.ChainPolicy.ExtraStore.Add(element.Certificate);
                }
            }

            using var leaf = new X509Certificate2(certificate);
            if (custom.Build(leaf))
            {
                return true;
            }

            diagnostics.Rejection = $"the engine's certificate ({leaf.Subject}, issued by {leaf.Issuer}) is not "
                + $"signed by the CA in {caFileUsed}";
            return false;
        });
    }
}
