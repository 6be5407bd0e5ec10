using System.Globalization;
using System.IO.Pipes;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace RedisDocker.Core.Docker;

/// <summary>
/// A small Docker Engine API client over a Unix socket, a Windows named pipe or TCP (optionally TLS).
/// Create it with <see cref="ConnectAsync"/>, which negotiates the API version. Thread-safe; dispose when done.
/// </summary>
public sealed partial class DockerClient : IDisposable
{
    /// <summary>The highest API version this client speaks.</summary>
    public const string MaxApiVersion = "1.43";

    /// <summary>The lowest API version this client works with (HostConfig.Mounts).</summary>
    public const string MinSupportedApiVersion = "1.25";

    /// <summary>The bound on a non-streaming call when the caller's token allows longer.</summary>
    public static readonly TimeSpan DefaultCallTimeout = TimeSpan.FromSeconds(60);

    private const int PipeConnectTimeoutMs = 5000;

    private readonly HttpClient _http;
    private readonly Uri _baseAddress;
    private string _apiPrefix = "";

    private DockerClient(DockerEndpoint endpoint)
    {
        Endpoint = endpoint;
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = ConnectTransportAsync,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
        };

        if (endpoint.Transport == DockerTransport.Tcp)
        {
            var host = endpoint.TcpHost!.Contains(':') ? $"[{endpoint.TcpHost}]" : endpoint.TcpHost;
            _baseAddress = new Uri($"{(endpoint.UseTls ? "https" : "http")}://{host}:{endpoint.TcpPort}/");
            if (endpoint.UseTls)
            {
                handler.SslOptions = DockerTls.CreateOptions(endpoint);
            }
        }
        else
        {
            _baseAddress = new Uri("http://docker/");
        }

        _http = new HttpClient(handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("RedisDocker", "1.0"));
        ApiVersion = "";
        Version = new DockerVersion("", "", "", "", "", "");
    }

    /// <summary>The engine this client talks to.</summary>
    public DockerEndpoint Endpoint { get; }

    /// <summary>The negotiated API version, e.g. "1.41".</summary>
    public string ApiVersion { get; private set; }

    /// <summary>What the engine reported about itself.</summary>
    public DockerVersion Version { get; private set; }

    /// <summary>The bound on each non-streaming call (and on the response headers of streaming ones); <see cref="DefaultCallTimeout"/> unless set at connect.</summary>
    public TimeSpan CallTimeout { get; private init; } = DefaultCallTimeout;

    /// <summary>
    /// Connects: GET /_ping, then GET /version, and negotiates the API version as min(engine's, <see cref="MaxApiVersion"/>),
    /// but at least the engine's minimum.
    /// </summary>
    /// <exception cref="DockerUnreachableException">Nothing answers at the endpoint.</exception>
    /// <exception cref="DockerException">The engine answered but cannot be used (error status, too old).</exception>
    public static Task<DockerClient> ConnectAsync(DockerEndpoint endpoint, CancellationToken ct = default) =>
        ConnectAsync(endpoint, DefaultCallTimeout, ct);

    /// <summary>As <see cref="ConnectAsync(DockerEndpoint, CancellationToken)"/>, with another bound for non-streaming calls.</summary>
    public static async Task<DockerClient> ConnectAsync(DockerEndpoint endpoint, TimeSpan callTimeout, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        if (callTimeout <= TimeSpan.Zero && callTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(callTimeout), "The call time-out must be positive or infinite.");
        }

        var client = new DockerClient(endpoint) { CallTimeout = callTimeout };
        try
        {
            await client.PingAsync(ct).ConfigureAwait(false);
            using var doc = await client.GetJsonAsync("/version", versioned: false, ct).ConfigureAwait(false);
            var v = doc!.RootElement;
            var version = new DockerVersion(v.Str("Version"), v.Str("ApiVersion"), v.Str("MinAPIVersion"), v.Str("Os"), v.Str("Arch"),
                v.Str("KernelVersion"));
            client.Version = version;
            client.ApiVersion = NegotiateApiVersion(version.ApiVersion, version.MinApiVersion);
            if (CompareApiVersions(client.ApiVersion, MinSupportedApiVersion) < 0)
            {
                throw new DockerException(
                    $"The Docker engine at {endpoint} (version {version.Version}) speaks API {version.ApiVersion}, older than the {MinSupportedApiVersion} this module needs. Update Docker.");
            }

            client._apiPrefix = "/v" + client.ApiVersion;
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>GET /_ping; throws when the engine is unreachable or unhealthy.</summary>
    public async Task PingAsync(CancellationToken ct = default) =>
        await RequestAsync(HttpMethod.Get, "/_ping", null, null, ct, versioned: false).ConfigureAwait(false);

    /// <summary>Releases the connections.</summary>
    public void Dispose() => _http.Dispose();

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
        static int[] Parts(string v) => v.Split('.').Select(p => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0).ToArray();
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

    // ------------------------------------------------------------------ transport

    private async ValueTask<Stream> ConnectTransportAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        switch (Endpoint.Transport)
        {
            case DockerTransport.UnixSocket:
            {
                var path = Endpoint.SocketPath!;
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), ct).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch (SocketException ex)
                {
                    socket.Dispose();
                    throw new TransportConnectException(UnixReason(path, ex), ex);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            }

            case DockerTransport.NamedPipe:
            {
                var pipeDisplay = $@"\\{Endpoint.PipeServer}\pipe\{Endpoint.PipeName}";
                var pipe = new NamedPipeClientStream(Endpoint.PipeServer!, Endpoint.PipeName!, PipeDirection.InOut, PipeOptions.Asynchronous);
                try
                {
                    await pipe.ConnectAsync(PipeConnectTimeoutMs, ct).ConfigureAwait(false);
                    return pipe;
                }
                catch (TimeoutException ex)
                {
                    await pipe.DisposeAsync().ConfigureAwait(false);
                    throw new TransportConnectException($"the named pipe {pipeDisplay} does not exist or stayed busy for {PipeConnectTimeoutMs / 1000} s", ex);
                }
                catch (UnauthorizedAccessException ex)
                {
                    await pipe.DisposeAsync().ConfigureAwait(false);
                    throw new TransportConnectException(
                        $"access to the named pipe {pipeDisplay} was denied (run elevated or join the docker-users group)", ex);
                }
                catch (IOException ex)
                {
                    await pipe.DisposeAsync().ConfigureAwait(false);
                    throw new TransportConnectException($"the named pipe {pipeDisplay} could not be opened: {ex.Message}", ex);
                }
                catch
                {
                    await pipe.DisposeAsync().ConfigureAwait(false);
                    throw;
                }
            }

            default:
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(new DnsEndPoint(Endpoint.TcpHost!, Endpoint.TcpPort), ct).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch (SocketException ex)
                {
                    socket.Dispose();
                    throw new TransportConnectException(TcpReason(ex), ex);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            }
        }
    }

    private static string UnixReason(string path, SocketException ex)
    {
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
            SocketError.AccessDenied => $"permission denied on the socket {path} (add your user to the 'docker' group, or run as root)",
            _ => $"connecting to the socket {path} failed: {ex.Message}",
        };
    }

    private string TcpReason(SocketException ex) => ex.SocketErrorCode switch
    {
        SocketError.ConnectionRefused => $"connection refused by {Endpoint.HostAddress}:{Endpoint.TcpPort} (is the engine listening there?)",
        SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => $"the host name {Endpoint.HostAddress} could not be resolved",
        SocketError.TimedOut => $"connecting to {Endpoint.HostAddress}:{Endpoint.TcpPort} timed out",
        SocketError.HostUnreachable or SocketError.NetworkUnreachable => $"{Endpoint.HostAddress} is unreachable ({ex.Message})",
        _ => $"connecting to {Endpoint.HostAddress}:{Endpoint.TcpPort} failed: {ex.Message}",
    };

    /// <summary>Raised inside the connect callback; surfaces as <see cref="DockerUnreachableException"/>.</summary>
    private sealed class TransportConnectException(string reason, Exception inner) : IOException(reason, inner)
    {
        public string Reason { get; } = reason;
    }

    // ------------------------------------------------------------------ HTTP helpers

    /// <summary>The answer of a non-streaming call.</summary>
    private sealed record ApiResponse(HttpStatusCode Status, byte[] Body);

    private static string PathOnly(string pathAndQuery)
    {
        var q = pathAndQuery.IndexOf('?');
        return q < 0 ? pathAndQuery : pathAndQuery[..q];
    }

    private HttpRequestMessage BuildRequest(HttpMethod method, string pathAndQuery, HttpContent? content, bool versioned)
    {
        var request = new HttpRequestMessage(method, new Uri(_baseAddress, (versioned ? _apiPrefix : "") + pathAndQuery))
        {
            Content = content,
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        return request;
    }

    /// <summary>
    /// A whole call, bounded by <paramref name="timeout"/> (default <see cref="DefaultCallTimeout"/>) on top of <paramref name="ct"/>.
    /// Statuses outside 2xx and <paramref name="accept"/> raise <see cref="DockerApiException"/>.
    /// </summary>
    private async Task<ApiResponse> RequestAsync(HttpMethod method, string pathAndQuery, HttpContent? content, HttpStatusCode[]? accept,
        CancellationToken ct, bool versioned = true, TimeSpan? timeout = null)
    {
        var bound = timeout ?? CallTimeout;
        using var timeoutCts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        if (bound != Timeout.InfiniteTimeSpan)
        {
            timeoutCts.CancelAfter(bound);
        }

        try
        {
            using var request = BuildRequest(method, pathAndQuery, content, versioned);
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeoutCts.Token).ConfigureAwait(false);
            var body = await response.Content.ReadAsByteArrayAsync(timeoutCts.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode && (accept is null || !accept.Contains(response.StatusCode)))
            {
                throw ApiError(method, pathAndQuery, response.StatusCode, body, response.ReasonPhrase);
            }

            return new ApiResponse(response.StatusCode, body);
        }
        catch (Exception ex) when (Translate(ex, method, pathAndQuery, ct, timeoutCts, bound) is { } translated)
        {
            throw translated;
        }
    }

    /// <summary>
    /// Sends and returns once the headers are in (bounded by <see cref="DefaultCallTimeout"/>); the body is then read with the caller's token only.
    /// Error statuses raise <see cref="DockerApiException"/>. The caller disposes the response.
    /// </summary>
    private async Task<HttpResponseMessage> SendStreamingAsync(HttpMethod method, string pathAndQuery, HttpContent? content, CancellationToken ct,
        TimeSpan? headerTimeout = null)
    {
        var bound = headerTimeout ?? CallTimeout;
        using var timeoutCts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        if (bound != Timeout.InfiniteTimeSpan)
        {
            timeoutCts.CancelAfter(bound);
        }

        try
        {
            using var request = BuildRequest(method, pathAndQuery, content, versioned: true);
            var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeoutCts.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                using (response)
                {
                    var body = await response.Content.ReadAsByteArrayAsync(timeoutCts.Token).ConfigureAwait(false);
                    throw ApiError(method, pathAndQuery, response.StatusCode, body, response.ReasonPhrase);
                }
            }

            return response;
        }
        catch (Exception ex) when (Translate(ex, method, pathAndQuery, ct, timeoutCts, bound) is { } translated)
        {
            throw translated;
        }
    }

    /// <summary>Reads a streamed body to its end with the caller's token, translating transport failures.</summary>
    private async Task<T> ReadStreamAsync<T>(HttpMethod method, string pathAndQuery, HttpResponseMessage response,
        Func<Stream, Task<T>> read, CancellationToken ct)
    {
        try
        {
            var stream = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
            return await read(stream).ConfigureAwait(false);
        }
        catch (Exception ex) when (Translate(ex, method, pathAndQuery, ct, null, Timeout.InfiniteTimeSpan) is { } translated)
        {
            throw translated;
        }
    }

    private Exception? Translate(Exception ex, HttpMethod method, string pathAndQuery, CancellationToken ct, CancellationTokenSource? timeoutCts,
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
                    $"The Docker engine at {Endpoint} did not answer {method} {PathOnly(pathAndQuery)} within {Describe(bound)}.",
                    new TimeoutException(ex.Message, ex));
        }

        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            if (e is TransportConnectException tce)
            {
                return new DockerUnreachableException(Endpoint, tce.Reason, ex);
            }
        }

        if (ex is HttpRequestException hre)
        {
            var inner = Innermost(ex);
            switch (hre.HttpRequestError)
            {
                case HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError:
                    return new DockerUnreachableException(Endpoint, inner.Message.TrimEnd('.'), ex);
                case HttpRequestError.SecureConnectionError:
                    return new DockerUnreachableException(Endpoint,
                        $"the TLS handshake failed ({inner.Message.TrimEnd('.')}); check DOCKER_CERT_PATH / -CertPath and DOCKER_TLS_VERIFY", ex);
            }

            if (inner is AuthenticationException)
            {
                return new DockerUnreachableException(Endpoint,
                    $"the TLS handshake failed ({inner.Message.TrimEnd('.')}); check DOCKER_CERT_PATH / -CertPath and DOCKER_TLS_VERIFY", ex);
            }

            return new DockerException(
                $"The connection to the Docker engine at {Endpoint} failed during {method} {PathOnly(pathAndQuery)}: {inner.Message}", ex);
        }

        if (ex is IOException)
        {
            return new DockerException(
                $"The connection to the Docker engine at {Endpoint} failed during {method} {PathOnly(pathAndQuery)}: {Innermost(ex).Message}", ex);
        }

        return null;
    }

    private static string Describe(TimeSpan t) =>
        t.TotalSeconds >= 1 ? $"{t.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)} s" : $"{t.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture)} ms";

    private static Exception Innermost(Exception ex)
    {
        while (ex.InnerException is not null)
        {
            ex = ex.InnerException;
        }

        return ex;
    }

    private DockerApiException ApiError(HttpMethod method, string pathAndQuery, HttpStatusCode status, byte[] body, string? reason) =>
        new(Endpoint, method.Method, PathOnly(pathAndQuery), status, EngineMessage(body, reason));

    internal static string EngineMessage(byte[] body, string? reason)
    {
        if (body.Length > 0)
        {
            try
            {
                using var doc = JsonDocument.Parse(body);
                if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.StrOrNull("message") is { Length: > 0 } m)
                {
                    return m.Trim();
                }
            }
            catch (JsonException)
            {
                // not JSON: fall through to the text
            }

            var text = Encoding.UTF8.GetString(body).Trim();
            if (text.Length > 0)
            {
                return text.Length > 2000 ? text[..2000] + "..." : text;
            }
        }

        return string.IsNullOrEmpty(reason) ? "(no message)" : reason;
    }

    private async Task<JsonDocument?> GetJsonAsync(string pathAndQuery, bool versioned, CancellationToken ct, bool nullOn404 = false)
    {
        var response = await RequestAsync(HttpMethod.Get, pathAndQuery, null, nullOn404 ? [HttpStatusCode.NotFound] : null, ct, versioned)
            .ConfigureAwait(false);
        if (response.Status == HttpStatusCode.NotFound)
        {
            return null;
        }

        return ParseJson(response.Body, "GET", pathAndQuery);
    }

    private async Task<JsonDocument> SendJsonAsync(HttpMethod method, string pathAndQuery, JsonNode? body, CancellationToken ct)
    {
        var response = await RequestAsync(method, pathAndQuery, JsonBody(body), null, ct).ConfigureAwait(false);
        return ParseJson(response.Body, method.Method, pathAndQuery);
    }

    private JsonDocument ParseJson(byte[] body, string method, string pathAndQuery)
    {
        try
        {
            return JsonDocument.Parse(body.Length == 0 ? "null"u8.ToArray() : body);
        }
        catch (JsonException ex)
        {
            throw new DockerException(
                $"The Docker engine at {Endpoint} answered {method} {PathOnly(pathAndQuery)} with something that is not JSON: {ex.Message}", ex);
        }
    }

    private static StringContent? JsonBody(JsonNode? body) =>
        body is null ? null : new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");

    private static string Esc(string segment)
    {
        ArgumentException.ThrowIfNullOrEmpty(segment);
        return Uri.EscapeDataString(segment);
    }

    /// <summary>"?a=1&amp;b=2" from the pairs whose value is not null ("" when none).</summary>
    private static string Query(params (string Key, string? Value)[] pairs)
    {
        var parts = pairs.Where(p => p.Value is not null).Select(p => $"{p.Key}={Uri.EscapeDataString(p.Value!)}").ToArray();
        return parts.Length == 0 ? "" : "?" + string.Join('&', parts);
    }

    /// <summary>filters={"label":["k=v","k"]} as JSON, or null without labels.</summary>
    internal static string? LabelFilter(IReadOnlyDictionary<string, string?>? labels)
    {
        if (labels is null || labels.Count == 0)
        {
            return null;
        }

        var values = labels.Select(kv =>
        {
            ArgumentException.ThrowIfNullOrEmpty(kv.Key, nameof(labels));
            return kv.Value is null ? kv.Key : $"{kv.Key}={kv.Value}";
        });
        return new JsonObject { ["label"] = DockerJson.ToJsonArray(values) }.ToJsonString();
    }

    private static string Bool(bool b) => b ? "true" : "false";
}

/// <summary>TLS settings from a cert folder (ca.pem, cert.pem, key.pem), like the Docker CLI.</summary>
internal static class DockerTls
{
    public static SslClientAuthenticationOptions CreateOptions(DockerEndpoint endpoint)
    {
        var options = new SslClientAuthenticationOptions();
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
                    using var pem = X509Certificate2.CreateFromPemFile(certFile, keyFile);
                    // Round-trip through PKCS#12 so the key is usable by SslStream on every platform (Windows needs a persisted key).
#pragma warning disable SYSLIB0057 // the X509CertificateLoader replacement is not in net8.0
                    var client = new X509Certificate2(pem.Export(X509ContentType.Pkcs12));
#pragma warning restore SYSLIB0057
                    options.ClientCertificates = new X509CertificateCollection { client };
                }
                catch (Exception ex) when (ex is System.Security.Cryptography.CryptographicException or ArgumentException)
                {
                    throw new DockerException($"The client certificate {certFile} / {keyFile} for {endpoint} could not be loaded: {ex.Message}", ex);
                }
            }
            else if (File.Exists(certFile) != File.Exists(keyFile))
            {
                throw new DockerException($"The folder {dir} for {endpoint} has only one of cert.pem and key.pem; both are needed.");
            }

            var caFile = Path.Combine(dir, "ca.pem");
            if (File.Exists(caFile))
            {
                try
                {
                    roots = new X509Certificate2Collection();
                    roots.ImportFromPemFile(caFile);
                }
                catch (Exception ex) when (ex is System.Security.Cryptography.CryptographicException or ArgumentException)
                {
                    throw new DockerException($"The CA certificate {caFile} for {endpoint} could not be loaded: {ex.Message}", ex);
                }
            }
        }

        var verify = endpoint.TlsVerify;
        options.RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
        {
            if (!verify)
            {
                return true;
            }

            if (roots is null || roots.Count == 0)
            {
                return errors == SslPolicyErrors.None;
            }

            if (certificate is null || (errors & (SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable)) != 0)
            {
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
            return custom.Build(leaf);
        };
        return options;
    }
}
