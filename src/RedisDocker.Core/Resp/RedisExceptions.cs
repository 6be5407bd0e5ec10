namespace RedisDocker.Core.Resp;

/// <summary>Base class of every exception raised by the RESP client.</summary>
public class RedisException : Exception
{
    /// <summary>Creates the exception with a message.</summary>
    public RedisException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the underlying cause.</summary>
    public RedisException(string message, Exception? innerException) : base(message, innerException) { }
}

/// <summary>
/// An error reply sent by the server (<c>-ERR ...</c>, <c>-WRONGPASS ...</c>, <c>-MOVED ...</c>, ...).
/// <see cref="Exception.Message"/> is the server's message exactly as sent.
/// </summary>
public sealed class RedisServerException : RedisException
{
    /// <summary>Creates the exception from the text of an error reply (without the leading '-').</summary>
    public RedisServerException(string serverMessage) : base(serverMessage ?? string.Empty)
    {
        ServerMessage = serverMessage ?? string.Empty;
        int space = ServerMessage.IndexOf(' ');
        Prefix = space < 0 ? ServerMessage : ServerMessage[..space];
    }

    /// <summary>The error code: the first word of the message, e.g. ERR, WRONGPASS, NOAUTH, MOVED, READONLY.</summary>
    public string Prefix { get; }

    /// <summary>The full error message as the server sent it.</summary>
    public string ServerMessage { get; }
}

/// <summary>
/// The connection could not be established, or broke (reset, closed by the server, I/O failure).
/// The message names the endpoint; it never contains credentials.
/// </summary>
public sealed class RedisConnectionException : RedisException
{
    /// <summary>Creates the exception for an endpoint ("host:port").</summary>
    public RedisConnectionException(string endpoint, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Endpoint = endpoint;
    }

    /// <summary>The endpoint as "host:port".</summary>
    public string Endpoint { get; }
}

/// <summary>A command did not complete within <see cref="RespConnectionOptions.CommandTimeout"/>.</summary>
public sealed class RedisTimeoutException : RedisException
{
    /// <summary>Creates the exception with a message.</summary>
    public RedisTimeoutException(string message) : base(message) { }
}

/// <summary>The bytes received do not follow the RESP2/RESP3 protocol.</summary>
public sealed class RespProtocolException : RedisException
{
    /// <summary>Creates the exception with a message.</summary>
    public RespProtocolException(string message) : base(message) { }
}
