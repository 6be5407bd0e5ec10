using RedisDocker.Core.Docker;
using Xunit;

namespace RedisDocker.Core.Tests.Docker;

public class DockerEndpointTests
{
    [Fact]
    public void Unix_socket()
    {
        var e = DockerEndpoint.Parse("unix:///var/run/docker.sock");
        Assert.Equal(DockerTransport.UnixSocket, e.Transport);
        Assert.Equal("/var/run/docker.sock", e.SocketPath);
        Assert.Equal("unix", e.Uri.Scheme);
        Assert.Equal("/var/run/docker.sock", e.Uri.AbsolutePath);
        Assert.Equal("localhost", e.HostAddress);
        Assert.Equal("unix:///var/run/docker.sock", e.ToString());
        Assert.False(e.UseTls);
        Assert.False(e.TlsVerify);
        Assert.Null(e.CertPath);
    }

    [Fact]
    public void Unix_socket_ignores_tls_settings()
    {
        var e = DockerEndpoint.Parse("unix:///run/user/1000/docker.sock", "/certs", tlsVerify: true);
        Assert.False(e.UseTls);
        Assert.Null(e.CertPath);
        Assert.Equal("unix:///run/user/1000/docker.sock", e.ToString());
    }

    [Theory]
    [InlineData("npipe:////./pipe/docker_engine")]
    [InlineData("npipe://./pipe/docker_engine")]
    [InlineData("NPIPE://./pipe/docker_engine")]
    public void Named_pipe(string host)
    {
        var e = DockerEndpoint.Parse(host);
        Assert.Equal(DockerTransport.NamedPipe, e.Transport);
        Assert.Equal(".", e.PipeServer);
        Assert.Equal("docker_engine", e.PipeName);
        Assert.Equal("localhost", e.HostAddress);
        Assert.Equal("npipe://./pipe/docker_engine", e.ToString());
        Assert.Equal("npipe", e.Uri.Scheme);
        Assert.False(e.UseTls);
    }

    [Fact]
    public void Named_pipe_other_name()
    {
        var e = DockerEndpoint.Parse("npipe:////./pipe/dockerDesktopLinuxEngine");
        Assert.Equal("dockerDesktopLinuxEngine", e.PipeName);
    }

    [Fact]
    public void Tcp_plain_with_default_port()
    {
        var e = DockerEndpoint.Parse("tcp://docker.example.com");
        Assert.Equal(DockerTransport.Tcp, e.Transport);
        Assert.False(e.UseTls);
        Assert.False(e.TlsVerify);
        Assert.Equal("docker.example.com", e.HostAddress);
        Assert.Equal("tcp://docker.example.com:2375", e.ToString());
        Assert.Equal(2375, e.Uri.Port);
    }

    [Fact]
    public void Tcp_with_tls_verify_and_cert_path()
    {
        var e = DockerEndpoint.Parse("tcp://10.1.2.3:2376", "/home/u/.docker", tlsVerify: true);
        Assert.True(e.UseTls);
        Assert.True(e.TlsVerify);
        Assert.Equal("/home/u/.docker", e.CertPath);
        Assert.Equal("10.1.2.3", e.HostAddress);
        Assert.Equal("tcp://10.1.2.3:2376", e.ToString());
        Assert.Equal(new Uri("tcp://10.1.2.3:2376"), e.Uri);
    }

    [Fact]
    public void Tcp_with_cert_path_uses_tls_and_verifies_by_default_on_2376()
    {
        var e = DockerEndpoint.Parse("tcp://host", "/certs");
        Assert.True(e.UseTls);
        Assert.True(e.TlsVerify);
        Assert.Equal("tcp://host:2376", e.ToString());
    }

    [Fact]
    public void Tcp_with_cert_path_and_verify_off()
    {
        var e = DockerEndpoint.Parse("tcp://host:2376", "/certs", tlsVerify: false);
        Assert.True(e.UseTls);
        Assert.False(e.TlsVerify);
    }

    [Fact]
    public void Https_uses_tls()
    {
        var e = DockerEndpoint.Parse("https://docker.internal");
        Assert.True(e.UseTls);
        Assert.True(e.TlsVerify);
        Assert.Null(e.CertPath);
        Assert.Equal("https://docker.internal:2376", e.ToString());
    }

    [Fact]
    public void Http_is_plain_tcp()
    {
        var e = DockerEndpoint.Parse("http://127.0.0.1:2375");
        Assert.Equal(DockerTransport.Tcp, e.Transport);
        Assert.False(e.UseTls);
        Assert.Equal("127.0.0.1", e.HostAddress);
    }

    [Fact]
    public void Tcp_ipv6_host_address_has_no_brackets()
    {
        var e = DockerEndpoint.Parse("tcp://[::1]:2375");
        Assert.Equal("::1", e.HostAddress);
        Assert.Equal("tcp://[::1]:2375", e.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("/var/run/docker.sock")]
    [InlineData("docker.example.com:2375")]
    [InlineData("ftp://host")]
    [InlineData("ssh://user@host")]
    [InlineData("unix://relative.sock")]
    [InlineData("npipe://./notapipe/x")]
    [InlineData("npipe://")]
    [InlineData("tcp://")]
    [InlineData("tcp://host:2375/some/path")]
    public void Bad_hosts_throw_argument_exception_with_clear_message(string host)
    {
        var ex = Assert.Throws<ArgumentException>(() => DockerEndpoint.Parse(host));
        Assert.Contains("Docker host", ex.Message);
        if (host.Trim().Length > 0)
        {
            Assert.Contains(host.Trim(), ex.Message);
        }
    }

    [Fact]
    public void Bad_scheme_names_the_accepted_forms()
    {
        var ex = Assert.Throws<ArgumentException>(() => DockerEndpoint.Parse("ftp://host"));
        Assert.Contains("unsupported scheme 'ftp'", ex.Message);
        Assert.Contains("unix://", ex.Message);
        Assert.Contains("npipe://", ex.Message);
        Assert.Contains("tcp://", ex.Message);
    }

    private static Func<string, string?> Env(params (string Key, string Value)[] vars)
    {
        var d = vars.ToDictionary(v => v.Key, v => v.Value);
        return k => d.TryGetValue(k, out var v) ? v : null;
    }

    [Fact]
    public void Environment_default_is_unix_socket_off_windows()
    {
        var e = DockerEndpoint.FromEnvironment(Env(), isWindows: false, "/home/u");
        Assert.Equal("unix:///var/run/docker.sock", e.ToString());
    }

    [Fact]
    public void Environment_default_is_named_pipe_on_windows()
    {
        var e = DockerEndpoint.FromEnvironment(Env(("DOCKER_HOST", "")), isWindows: true, @"C:\Users\u");
        Assert.Equal("npipe://./pipe/docker_engine", e.ToString());
        Assert.Equal(DockerTransport.NamedPipe, e.Transport);
    }

    [Fact]
    public void Environment_docker_host_plain_tcp()
    {
        var e = DockerEndpoint.FromEnvironment(Env(("DOCKER_HOST", "tcp://192.168.1.5:2375")), isWindows: false, "/home/u");
        Assert.False(e.UseTls);
        Assert.Null(e.CertPath);
        Assert.Equal("192.168.1.5", e.HostAddress);
    }

    [Fact]
    public void Environment_docker_host_plain_tcp_ignores_cert_path_without_tls_verify()
    {
        var e = DockerEndpoint.FromEnvironment(Env(("DOCKER_HOST", "tcp://h:2375"), ("DOCKER_CERT_PATH", "/c")), isWindows: false, "/home/u");
        Assert.False(e.UseTls);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("true")]
    [InlineData("yes")]
    public void Environment_tls_verify_non_empty_means_verify(string value)
    {
        var e = DockerEndpoint.FromEnvironment(
            Env(("DOCKER_HOST", "tcp://h:2376"), ("DOCKER_TLS_VERIFY", value), ("DOCKER_CERT_PATH", "/etc/docker-certs")), isWindows: false, "/home/u");
        Assert.True(e.UseTls);
        Assert.True(e.TlsVerify);
        Assert.Equal("/etc/docker-certs", e.CertPath);
    }

    [Fact]
    public void Environment_cert_path_defaults_to_home_docker()
    {
        var e = DockerEndpoint.FromEnvironment(Env(("DOCKER_HOST", "tcp://h:2376"), ("DOCKER_TLS_VERIFY", "1")), isWindows: false, "/home/u");
        Assert.Equal(Path.Combine("/home/u", ".docker"), e.CertPath);
    }

    [Fact]
    public void Environment_bad_docker_host_throws()
    {
        Assert.Throws<ArgumentException>(() => DockerEndpoint.FromEnvironment(Env(("DOCKER_HOST", "bogus")), isWindows: false, "/home/u"));
    }

    [Fact]
    public void Public_from_environment_gives_an_endpoint()
    {
        // Whatever this machine's DOCKER_HOST is, it must parse.
        var e = DockerEndpoint.FromEnvironment();
        Assert.NotNull(e.Uri);
        Assert.False(string.IsNullOrEmpty(e.ToString()));
    }

    /// <summary>A home folder with ~/.docker/config.json (currentContext) and the metadata of contexts, as the CLI writes them.</summary>
    private sealed class DockerHome : IDisposable
    {
        public DockerHome(string? currentContext, params (string Name, string Host)[] contexts)
        {
            Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "rd-ctx-" + Guid.NewGuid().ToString("N"));
            var docker = System.IO.Path.Combine(Path, ".docker");
            Directory.CreateDirectory(docker);
            if (currentContext is not null)
                File.WriteAllText(System.IO.Path.Combine(docker, "config.json"), $$"""{"auths":{},"currentContext":"{{currentContext}}"}""");
            foreach (var (name, host) in contexts)
            {
                var hash = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(name))).ToLowerInvariant();
                var meta = System.IO.Path.Combine(docker, "contexts", "meta", hash);
                Directory.CreateDirectory(meta);
                File.WriteAllText(System.IO.Path.Combine(meta, "meta.json"), System.Text.Json.JsonSerializer.Serialize(new
                {
                    Name = name, Metadata = new { }, Endpoints = new { docker = new { Host = host, SkipTLSVerify = false } },
                }));
            }
        }

        public string Path { get; }
        public void Dispose() => Directory.Delete(Path, recursive: true);
    }

    [Fact]
    public void Environment_without_docker_host_uses_the_current_context()
    {
        using var home = new DockerHome("remote", ("remote", "tcp://10.1.2.3:2375"));
        var e = DockerEndpoint.FromEnvironment(Env(), isWindows: false, home.Path);
        Assert.Equal("tcp://10.1.2.3:2375", e.ToString());
    }

    [Fact]
    public void Environment_docker_context_wins_over_current_context_and_docker_host_over_both()
    {
        using var home = new DockerHome("remote", ("remote", "tcp://10.1.2.3:2375"), ("other", "unix:///run/other.sock"));
        Assert.Equal("unix:///run/other.sock",
            DockerEndpoint.FromEnvironment(Env(("DOCKER_CONTEXT", "other")), isWindows: false, home.Path).ToString());
        Assert.Equal("tcp://h:2375",
            DockerEndpoint.FromEnvironment(Env(("DOCKER_CONTEXT", "other"), ("DOCKER_HOST", "tcp://h:2375")), isWindows: false, home.Path)
                .ToString());
    }

    [Fact]
    public void Environment_default_context_or_no_config_is_the_platform_default()
    {
        using var home = new DockerHome("default");
        Assert.Equal("unix:///var/run/docker.sock", DockerEndpoint.FromEnvironment(Env(), isWindows: false, home.Path).ToString());
        using var bare = new DockerHome(null);
        Assert.Equal("npipe://./pipe/docker_engine", DockerEndpoint.FromEnvironment(Env(), isWindows: true, bare.Path).ToString());
    }

    [Fact]
    public void Environment_docker_config_points_at_another_folder()
    {
        using var home = new DockerHome("remote", ("remote", "tcp://10.1.2.3:2375"));
        var e = DockerEndpoint.FromEnvironment(Env(("DOCKER_CONFIG", System.IO.Path.Combine(home.Path, ".docker"))), isWindows: false, "/nonexistent");
        Assert.Equal("tcp://10.1.2.3:2375", e.ToString());
    }

    [Fact]
    public void Environment_unknown_context_is_refused_with_what_to_do()
    {
        using var home = new DockerHome("gone");
        var ex = Assert.Throws<ArgumentException>(() => DockerEndpoint.FromEnvironment(Env(), isWindows: false, home.Path));
        Assert.Contains("'gone'", ex.Message);
        Assert.Contains("DOCKER_HOST", ex.Message);
    }
}
