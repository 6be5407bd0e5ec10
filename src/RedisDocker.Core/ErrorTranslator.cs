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
        DockerUnreachableException d => Errors.DockerUnreachable(d.Message, d.Endpoint.ToString(), d),
        DockerException d => Errors.Docker(d, target),
        RedisServerException { Prefix: "WRONGPASS" or "NOAUTH" } r => Errors.WrongCredentials(r, target),
        RedisServerException r => Errors.RedisError(r.Message, target, r),
        RedisTimeoutException r => Errors.Timeout(r.Message, target, r),
        RedisConnectionException r =>
            Errors.NodeNotReachable($"{r.Message} Is the node running (Get-RedisNode)?", target ?? r.Endpoint, r),
        RedisException r => Errors.RedisProtocol(r, target),
        TimeoutException t => Errors.Timeout(t.Message, target, t),
        ArgumentException a => Errors.InvalidArgument(MessageOf(a), target, a),
        _ => Errors.UnexpectedError(e.Message, target, e),
    };

    /// <summary>The message of an ArgumentException without .NET's " (Parameter 'x')" suffix, which names a C#
    /// parameter the user never typed.</summary>
    public static string MessageOf(ArgumentException a) =>
        a.ParamName is { Length: > 0 } p && a.Message.EndsWith($" (Parameter '{p}')", StringComparison.Ordinal)
            ? a.Message[..^$" (Parameter '{p}')".Length]
            : a.Message;
}
