using System.Net;

namespace RedisDocker.Core.Docker;

/// <summary>Base of every error raised by <see cref="DockerClient"/>.</summary>
public class DockerException : Exception
{
    /// <summary>Creates an exception with a message.</summary>
    public DockerException(string message) : base(message)
    {
    }

    /// <summary>Creates an exception with a message and its cause.</summary>
    public DockerException(string message, Exception? innerException) : base(message, innerException)
    {
    }
}

/// <summary>The engine answered a call with an error status (or an error line in a streamed answer).</summary>
public sealed class DockerApiException : DockerException
{
    /// <summary>Creates the exception; the message is built from the parts.</summary>
    public DockerApiException(DockerEndpoint endpoint, string method, string path, HttpStatusCode statusCode,
        string engineMessage)
        : base(BuildMessage(endpoint, method, path, statusCode, engineMessage))
    {
        StatusCode = statusCode;
        EngineMessage = engineMessage;
        Method = method;
        Path = path;
    }

    /// <summary>The HTTP status of the answer (200 when the error came as a line of a streamed answer, e.g. a
    /// pull).</summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>The engine's own message (the "message" of its JSON error body).</summary>
    public string EngineMessage { get; }

    /// <summary>The HTTP method of the refused call.</summary>
    public string Method { get; }

    /// <summary>The API path of the refused call, without the /vX.Y prefix and query.</summary>
    public string Path { get; }

    private static string BuildMessage(DockerEndpoint endpoint, string method, string path, HttpStatusCode statusCode,
        string engineMessage) =>
        $"Docker engine at {endpoint} refused {method} {path}: {engineMessage} (HTTP {(int)statusCode})";
}

/// <summary>The engine could not be reached at all (no socket/pipe, connection refused, host unreachable, TLS handshake
/// failed).</summary>
public sealed class DockerUnreachableException : DockerException
{
    /// <summary>Creates the exception for an endpoint and the reason it could not be reached.</summary>
    public DockerUnreachableException(DockerEndpoint endpoint, string reason, Exception? innerException = null)
        : base($"Cannot reach the Docker engine at {endpoint}: {reason}. Start Docker (dockerd / Docker Desktop), " +
               "or point DOCKER_HOST or -DockerHost at a running engine.", innerException)
    {
        Endpoint = endpoint;
        Reason = reason;
    }

    /// <summary>The endpoint that could not be reached.</summary>
    public DockerEndpoint Endpoint { get; }

    /// <summary>Why it could not be reached, e.g. "the socket /var/run/docker.sock does not exist".</summary>
    public string Reason { get; }
}
