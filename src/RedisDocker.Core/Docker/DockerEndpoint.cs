using System.Runtime.InteropServices;
using System.Text.Json;
using Api = global::Docker.DotNet;

namespace RedisDocker.Core.Docker;

/// <summary>How the Docker engine is reached.</summary>
// Based on long so that ConvertTo-Json writes the name (see RedisRole).
public enum DockerTransport : long
{
    /// <summary>A Unix domain socket (unix:///var/run/docker.sock).</summary>
    UnixSocket,
    /// <summary>A Windows named pipe (npipe://./pipe/docker_engine).</summary>
    NamedPipe,
    /// <summary>TCP, plain or TLS (tcp://host:port, http://, https://).</summary>
    Tcp,
}

/// <summary>
/// Where the Docker engine listens: a Unix socket, a Windows named pipe, or a TCP address (optionally TLS).
/// Immutable; build it with <see cref="Parse"/> or <see cref="FromEnvironment()"/>.
/// </summary>
public sealed class DockerEndpoint
{
    /// <summary>The Linux/macOS default engine socket.</summary>
    public const string DefaultUnixHost = "unix:///var/run/docker.sock";
    /// <summary>The Windows default engine pipe.</summary>
    public const string DefaultWindowsHost = "npipe://./pipe/docker_engine";

    private const int DefaultPlainPort = 2375;
    private const int DefaultTlsPort = 2376;

    private readonly string _display;

    private DockerEndpoint(Uri uri, string display, DockerTransport transport, bool useTls, string? certPath,
        bool tlsVerify,
        string? socketPath = null, string? pipeServer = null, string? pipeName = null, string? host = null,
            int port = 0)
    {
        Uri = uri;
        _display = display;
        Transport = transport;
        UseTls = useTls;
        CertPath = certPath;
        TlsVerify = tlsVerify;
        SocketPath = socketPath;
        PipeServer = pipeServer;
        PipeName = pipeName;
        TcpHost = host;
        TcpPort = port;
    }

    /// <summary>The endpoint URI: unix:///var/run/docker.sock, npipe://./pipe/docker_engine, tcp://host:2376,
    /// https://host:2376.</summary>
    public Uri Uri { get; }

    /// <summary>The kind of transport this endpoint uses.</summary>
    public DockerTransport Transport { get; }

    /// <summary>True when the TCP connection is wrapped in TLS.</summary>
    public bool UseTls { get; }

    /// <summary>The folder holding ca.pem, cert.pem and key.pem (TLS only), or null.</summary>
    public string? CertPath { get; }

    /// <summary>True when the engine's certificate is verified (against ca.pem when present, else the system
    /// store).</summary>
    public bool TlsVerify { get; }

    /// <summary>For tcp endpoints the host name or IP (IPv6 without brackets); for unix/npipe endpoints
    /// "localhost".</summary>
    public string HostAddress => Transport == DockerTransport.Tcp ? TcpHost! : "localhost";

    /// <summary>The Unix socket path (unix endpoints only).</summary>
    public string? SocketPath { get; }

    /// <summary>The pipe's server, "." for the local machine (npipe endpoints only).</summary>
    public string? PipeServer { get; }

    /// <summary>The pipe name without the \\.\pipe\ prefix, e.g. docker_engine (npipe endpoints only).</summary>
    public string? PipeName { get; }

    internal string? TcpHost { get; }
    internal int TcpPort { get; }

    /// <summary>The endpoint as a user would write it, e.g. unix:///var/run/docker.sock or
    /// tcp://10.0.0.5:2376.</summary>
    public override string ToString() => _display;

    /// <summary>
    /// Parses a Docker host string. Accepted forms: unix:///path/to/docker.sock, npipe://./pipe/NAME (or
    /// npipe:////./pipe/NAME),
    /// tcp://host[:port], http://host[:port], https://host[:port].
    /// For tcp, TLS is used when the scheme is https, when <paramref name="tlsVerify"/> is true, or when a
    /// <paramref name="certPath"/> is given;
    /// verification defaults to on whenever TLS is used, unless <paramref name="tlsVerify"/> is false.
    /// </summary>
    /// <exception cref="ArgumentException">The string is empty, has an unsupported scheme or is malformed.</exception>
    public static DockerEndpoint Parse(string host, string? certPath = null, bool? tlsVerify = null)
    {
        if (string.IsNullOrWhiteSpace(host))
        {
            throw new ArgumentException("The Docker host is empty. " + Forms, nameof(host));
        }

        host = host.Trim();
        var colon = host.IndexOf("://", StringComparison.Ordinal);
        if (colon <= 0)
        {
            throw new ArgumentException($"The Docker host '{host}' has no scheme. " + Forms, nameof(host));
        }

        var scheme = host[..colon].ToLowerInvariant();
        var rest = host[(colon + 3)..];
        return scheme switch
        {
            "unix" => ParseUnix(host, rest),
            "npipe" => ParseNamedPipe(host, rest),
            "tcp" or "http" or "https" => ParseTcp(host, scheme, rest, certPath, tlsVerify),
            "ssh" => throw new ArgumentException($"The Docker host '{host}' uses ssh://, which is not supported. "
                + Forms, nameof(host)),
            _ => throw new ArgumentException($"The Docker host '{host}' has the unsupported scheme '{scheme}'. "
                + Forms, nameof(host)),
        };
    }

    /// <summary>
    /// The endpoint the Docker CLI would use: DOCKER_HOST, DOCKER_TLS_VERIFY (any non-empty value turns verification
    /// on),
    /// DOCKER_CERT_PATH (default ~/.docker); without DOCKER_HOST the host of the Docker context named by DOCKER_CONTEXT
    /// or
    /// by currentContext in config.json (DOCKER_CONFIG, default ~/.docker), read by Docker.DotNet's DockerConfig;
    /// without
    /// one (or with "default") the platform default (Windows npipe://./pipe/docker_engine, elsewhere
    /// unix:///var/run/docker.sock).
    /// </summary>
    public static DockerEndpoint FromEnvironment() =>
        FromEnvironment(Environment.GetEnvironmentVariable,
            RuntimeInformation.IsOSPlatform(OSPlatform.Windows),
            Environment.GetFolderPath(Environment.SpecialFolder.UserProfile));

    internal static DockerEndpoint FromEnvironment(Func<string, string?> getVariable, bool isWindows,
        string homeDirectory)
    {
        var host = getVariable("DOCKER_HOST");
        if (string.IsNullOrWhiteSpace(host))
        {
            host = ContextHost(getVariable, homeDirectory) ?? (isWindows ? DefaultWindowsHost : DefaultUnixHost);
        }

        var verify = !string.IsNullOrEmpty(getVariable("DOCKER_TLS_VERIFY"));
        var certVariable = getVariable("DOCKER_CERT_PATH");
        var https = host.TrimStart().StartsWith("https://", StringComparison.OrdinalIgnoreCase);
        string? certPath = null;
        if (verify || https)
        {
            certPath = string.IsNullOrEmpty(certVariable) ? Path.Combine(homeDirectory, ".docker") : certVariable;
        }

        // Like the Docker CLI: TLS on tcp:// only when DOCKER_TLS_VERIFY is set; https:// always uses TLS.
        return Parse(host, certPath, verify ? true : null);
    }

    /// <summary>The host of the current Docker context, or null when none is named (or it is "default").</summary>
    /// <exception cref="ArgumentException">A context is named but its metadata cannot be read.</exception>
    private static string? ContextHost(Func<string, string?> getVariable, string homeDirectory)
    {
        var settings = new ContextSettings(
            getVariable("DOCKER_CONFIG") is { Length: > 0 } dir ? dir : Path.Combine(homeDirectory, ".docker"),
            getVariable("DOCKER_CONTEXT"));
        var config = new Api.DockerConfig(settings);
        var name = settings.DockerContext;
        try
        {
            if (string.IsNullOrEmpty(name) && config.Exists)
            {
                using var doc = config.Parse();
                name = doc.RootElement.ValueKind == JsonValueKind.Object
                    && doc.RootElement.TryGetProperty("currentContext", out var c)
                    && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
            }

            return string.IsNullOrEmpty(name) || name == "default" ? null : config.GetEndpoint(name).ToString();
        }
        catch (Exception ex) when (ex is Api.DockerConfigurationException or IOException or JsonException
            or UnauthorizedAccessException)
        {
            var which = string.IsNullOrEmpty(settings.DockerContext) ? $"currentContext in {config.FullName}"
                : "DOCKER_CONTEXT";
            throw new ArgumentException(
                $"The Docker context '{name}' ({which}) could not be read: {ex.Message} Set DOCKER_HOST, or switch "
                    + $"with 'docker context use'.",
                "host", ex);
        }
    }

    private sealed record ContextSettings(string DockerConfig, string? DockerContext) : Api.IDockerCliSettings
    {
        public string? DockerHost => null;
        public string? DockerTlsVerify => null;
    }

    private const string Forms =
        "Use unix:///var/run/docker.sock, npipe://./pipe/docker_engine, tcp://HOST:2375, or tcp://HOST:2376 / "
            + "https://HOST:2376 with TLS.";

    private static DockerEndpoint ParseUnix(string original, string rest)
    {
        var path = Uri.UnescapeDataString(rest);
        if (path.Length < 2 || path[0] != '/')
        {
            throw new ArgumentException(
                $"The Docker host '{original}' needs an absolute socket path, e.g. unix:///var/run/docker.sock (three "
                    + $"slashes).", "host");
        }

        var display = "unix://" + path;
        return new DockerEndpoint(new Uri("unix://" + Uri.EscapeDataString(path).Replace("%2F", "/",
            StringComparison.Ordinal)), display,
            DockerTransport.UnixSocket, useTls: false, certPath: null, tlsVerify: false, socketPath: path);
    }

    private static DockerEndpoint ParseNamedPipe(string original, string rest)
    {
        // Docker writes npipe:////./pipe/docker_engine; npipe://./pipe/docker_engine is accepted too.
        var trimmed = rest.TrimStart('/').Replace('\\', '/');
        var parts = trimmed.Split('/', 3);
        if (parts.Length != 3 || parts[0].Length == 0 || !parts[1].Equals("pipe", StringComparison.OrdinalIgnoreCase)
            || parts[2].Length == 0 || parts[2].Contains('/'))
        {
            throw new ArgumentException(
                $"The Docker host '{original}' is not a named pipe address like npipe://./pipe/docker_engine.", "host");
        }

        var server = parts[0];
        var name = parts[2];
        var display = $"npipe://{server}/pipe/{name}";
        return new DockerEndpoint(new Uri(display), display, DockerTransport.NamedPipe, useTls: false, certPath: null,
            tlsVerify: false, pipeServer: server, pipeName: name);
    }

    private static DockerEndpoint ParseTcp(string original, string scheme, string rest, string? certPath,
        bool? tlsVerify)
    {
        if (!Uri.TryCreate("tcp://" + rest, UriKind.Absolute, out var parsed) || string.IsNullOrEmpty(parsed.Host))
        {
            throw new ArgumentException($"The Docker host '{original}' is not a valid address like tcp://HOST:2376.",
                "host");
        }

        if (parsed.AbsolutePath != "/" || !string.IsNullOrEmpty(parsed.Query) || !string.IsNullOrEmpty(parsed.UserInfo))
        {
            throw new ArgumentException(
                $"The Docker host '{original}' must be just a host and port, like tcp://HOST:2376 (no path, query or "
                    + $"user).", "host");
        }

        var useTls = scheme == "https" || tlsVerify == true || !string.IsNullOrEmpty(certPath);
        if (scheme == "http" && useTls)
        {
            throw new ArgumentException(
                $"The Docker host '{original}' uses http:// but TLS was requested (certificate path or TLS "
                    + $"verification); use tcp:// or https://.",
                "host");
        }

        var verify = useTls && (tlsVerify ?? true);
        var port = parsed.IsDefaultPort || parsed.Port <= 0 ? (useTls ? DefaultTlsPort : DefaultPlainPort)
            : parsed.Port;
        var hostForUri = parsed.Host; // IPv6 keeps its brackets here
        var display = $"{scheme}://{hostForUri}:{port}";
        return new DockerEndpoint(new Uri(display), display, DockerTransport.Tcp, useTls,
            useTls && !string.IsNullOrEmpty(certPath) ? certPath : null, verify, host: parsed.DnsSafeHost, port: port);
    }
}
