using System.Management.Automation;
using RedisDocker.Core;
using RedisDocker.Core.Docker;

namespace RedisDocker.Cmdlets;

/// <summary>Connect-RedisDocker: a session for a Docker endpoint (unix://, npipe://, tcp:// with or without TLS).</summary>
[Cmdlet(VerbsCommunications.Connect, "RedisDocker")]
[OutputType(typeof(RedisDockerSession))]
public sealed class ConnectRedisDockerCommand : PSCmdlet
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

    /// <summary>Add the engine to the default session (one topology across several Docker hosts) instead of replacing it.</summary>
    [Parameter]
    public SwitchParameter Add { get; set; }

    protected override void ProcessRecord()
    {
        DockerEndpoint endpoint;
        try
        {
            bool? tlsVerify = MyInvocation.BoundParameters.ContainsKey(nameof(TlsVerify)) ? TlsVerify.IsPresent : null;
            if (DockerHost is null && CertPath is null && tlsVerify is null) endpoint = DockerEndpoint.FromEnvironment();
            else
            {
                // TLS options without -DockerHost apply to DOCKER_HOST (or the platform default).
                var host = DockerHost ?? (Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 } env ? env : DockerEndpoint.FromEnvironment().ToString());
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
            var current = RedisDockerSession.Default;
            current.AddHost(endpoint);
            using var addCts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                var added = Task.Run(() => current.GetDockerAsync(endpoint.ToString(), addCts.Token)).GetAwaiter().GetResult();
                WriteVerbose($"Added Docker {added.Version.Version} (API {added.ApiVersion}) at {endpoint} to the session ({current.Hosts.Count} engines).");
            }
            catch (Exception e)
            {
                current.RemoveHost(endpoint);
                ThrowTerminatingError(RedisDockerCmdlet.ToErrorRecord(e, endpoint.ToString()));
            }
            WriteObject(current);
            return;
        }
        var session = new RedisDockerSession(endpoint);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            var docker = Task.Run(() => session.GetDockerAsync(cts.Token)).GetAwaiter().GetResult();
            WriteVerbose($"Connected to Docker {docker.Version.Version} (API {docker.ApiVersion}) at {endpoint}.");
        }
        catch (Exception e)
        {
            session.Dispose();
            ThrowTerminatingError(RedisDockerCmdlet.ToErrorRecord(e, endpoint.ToString()));
        }
        if (!NoDefault) RedisDockerSession.SetDefault(session);
        WriteObject(session);
    }
}
