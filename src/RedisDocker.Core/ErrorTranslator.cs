using RedisDocker.Core.Docker;
using RedisDocker.Core.Resp;

namespace RedisDocker.Core;

/// <summary>Turns any failure the core can raise into a <see cref="RedisDockerException"/> with a stable id.</summary>
public static class ErrorTranslator
{
    public static RedisDockerException Translate(Exception e, object? target = null) => e switch
    {
        RedisDockerException r => r,
        AggregateException { InnerExceptions.Count: 1 } a => Translate(a.InnerException!, target),
        DockerUnreachableException d => new RedisDockerException(ErrorIds.DockerUnreachable, d.Message, ErrorKind.ConnectionError, d.Endpoint.ToString(), d),
        DockerApiException d when (int)d.StatusCode == 404 => new RedisDockerException(ErrorIds.DockerError, d.Message, ErrorKind.ObjectNotFound, target, d),
        DockerApiException d when (int)d.StatusCode == 409 => new RedisDockerException(ErrorIds.DockerError, d.Message, ErrorKind.ResourceExists, target, d),
        DockerException d => new RedisDockerException(ErrorIds.DockerError, d.Message, ErrorKind.InvalidOperation, target, d),
        RedisServerException { Prefix: "WRONGPASS" or "NOAUTH" } r => new RedisDockerException(ErrorIds.WrongPassword,
            $"Redis refused the credentials ({r.Prefix}). The topology's password is read from its nodes' configuration; pass -Password only when creating a topology.",
            ErrorKind.AuthenticationError, target, r),
        RedisServerException r => new RedisDockerException(ErrorIds.RedisError, r.Message, ErrorKind.InvalidOperation, target, r),
        RedisTimeoutException r => new RedisDockerException(ErrorIds.Timeout, r.Message, ErrorKind.OperationTimeout, target, r),
        RedisConnectionException r => new RedisDockerException(ErrorIds.NodeNotReachable,
            $"{r.Message} Is the node running (Get-RedisNode)?", ErrorKind.ConnectionError, target ?? r.Endpoint, r),
        RedisException r => new RedisDockerException(ErrorIds.RedisError, r.Message, ErrorKind.InvalidData, target, r),
        TimeoutException t => new RedisDockerException(ErrorIds.Timeout, t.Message, ErrorKind.OperationTimeout, target, t),
        ArgumentException a =>
            new RedisDockerException(ErrorIds.InvalidArgument, MessageOf(a), ErrorKind.InvalidArgument, target, a),
        _ => new RedisDockerException(ErrorIds.UnexpectedError, e.Message, ErrorKind.NotSpecified, target, e),
    };

    /// <summary>The message of an ArgumentException without .NET's " (Parameter 'x')" suffix, which names a C#
    /// parameter the user never typed.</summary>
    public static string MessageOf(ArgumentException a) =>
        a.ParamName is { Length: > 0 } p && a.Message.EndsWith($" (Parameter '{p}')", StringComparison.Ordinal)
            ? a.Message[..^$" (Parameter '{p}')".Length]
            : a.Message;
}
