using System.Management.Automation;
using RedisDocker.Core;
using RedisDocker.Core.Docker;

namespace RedisDocker.Cmdlets;

/// <summary>Connect-RedisDocker: a session for a Docker endpoint (unix://, npipe://, tcp:// with or without
/// TLS).</summary>
[Cmdlet(VerbsCommunications.Connect, "RedisDocker")]
[OutputType(typeof(RedisDockerSession))]
public sealed class ConnectRedisDockerCommand : AsyncCmdlet
{
    /// <summary>Docker endpoint; DOCKER_HOST or the platform default when omitted.</summary>
    [Parameter(Position = 0)]
    [Alias("Host", "H")]
    public string? DockerHost { get; set; }

    /// <summary>Folder with ca.pem, cert.pem and key.pem for tcp:// with TLS (DOCKER_CERT_PATH).</summary>
    [Parameter]
    public string? CertPath { get; set; }

    /// <summary>Verify the engine's certificate against ca.pem (DOCKER_TLS_VERIFY).</summary>
    [Parameter]
    public SwitchParameter TlsVerify { get; set; }

    /// <summary>Return the session without making it the default one.</summary>
    [Parameter]
    public SwitchParameter NoDefault { get; set; }

    /// <summary>Add the engine to the default session (one topology across several Docker hosts) instead of replacing
    /// it.</summary>
    [Parameter]
    public SwitchParameter Add { get; set; }

    /// <summary>How the module's own connections reach the nodes: Auto (container addresses where this host routes
    /// to them, else published ports), Published or Direct. REDISDOCKER_ROUTE, else Auto, when omitted.</summary>
    [Parameter]
    public ConnectionRoute? Route { get; set; }

    protected override void ProcessRecord()
    {
        DockerEndpoint endpoint;
        try
        {
            bool? tlsVerify = MyInvocation.BoundParameters.ContainsKey(nameof(TlsVerify)) ? TlsVerify.IsPresent : null;
            if (DockerHost is null && CertPath is null && tlsVerify is null)
                endpoint = DockerEndpoint.FromEnvironment();
            else
            {
                // TLS options without -DockerHost apply to DOCKER_HOST (or the platform default).
                var host = DockerHost ?? (Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 } env
                    ? env
                    : DockerEndpoint.FromEnvironment().ToString());
                endpoint = DockerEndpoint.Parse(host, CertPath, tlsVerify);
            }
        }
        catch (ArgumentException e)
        {
            ThrowTerminatingError(new ErrorRecord(new ArgumentException(ErrorTranslator.MessageOf(e), e),
                ErrorIds.InvalidDockerHost, ErrorCategory.InvalidArgument, DockerHost));
            return;
        }
        if (Add)
        {
            var current = DefaultSessions.Current;
            current.AddHost(endpoint);
            if (Route is { } mode) current.Routes.Mode = mode;
            try
            {
                var added = Run((_, ct) => Bounded(ct, bound => current.GetDockerAsync(endpoint.ToString(), bound)));
                WriteVerbose($"Added Docker {added.Version.Version} (API {added.ApiVersion}) at {endpoint} "
                    + $"to the session ({current.Hosts.Count} engines).");
                ReadSwarm(current);
            }
            catch (Exception e)
            {
                current.RemoveHost(endpoint);
                if (e is PipelineStoppedException) throw;
                ThrowTerminatingError(ToErrorRecord(e, endpoint.ToString()));
            }
            WriteObject(current);
            return;
        }
        var session = new RedisDockerSession(endpoint);
        if (Route is { } route) session.Routes.Mode = route;
        try
        {
            var docker = Run((_, ct) => Bounded(ct, session.GetDockerAsync));
            WriteVerbose($"Connected to Docker {docker.Version.Version} (API {docker.ApiVersion}) at {endpoint}.");
            ReadSwarm(session);
        }
        catch (Exception e)
        {
            session.Dispose();
            if (e is PipelineStoppedException) throw;
            ThrowTerminatingError(ToErrorRecord(e, endpoint.ToString()));
        }
        if (!NoDefault) DefaultSessions.Set(session);
        WriteObject(session);
    }

    /// <summary>The swarm of the session's engines, when they are in one (Get-RedisSwarmNode reads it anew); a
    /// failure here is a warning, never a failed connect.</summary>
    private void ReadSwarm(RedisDockerSession session)
    {
        try
        {
            var nodes = Run((sink, ct) =>
                Bounded(ct, t => session.Workflows(sink).Swarm.RefreshAsync(t)));
            if (nodes.Count > 0)
                WriteVerbose($"The engines are in a Docker Swarm of {nodes.Count} node(s); "
                    + $"{nodes.Count(n => n.DockerHost is not null)} of them are engines of this session.");
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            WriteWarning("Could not read the Docker Swarm of the session's engines: "
                + ErrorTranslator.Translate(e).Message);
        }
    }

    /// <summary>An engine that does not answer within 30 s is a timeout (Ctrl+C stops the wait at once).</summary>
    private static async Task<T> Bounded<T>(CancellationToken stop, Func<CancellationToken, Task<T>> connect)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(stop);
        bound.CancelAfter(ConnectBound);
        return await connect(bound.Token).ConfigureAwait(false);
    }

    private static readonly TimeSpan ConnectBound = TimeSpan.FromSeconds(30);
}
