namespace RedisDocker.Core;

/// <summary>
/// Every error the core raises, built here by name (as StackExchange.Redis's ExceptionFactory does): the id, the kind
/// and the message of one failure live in one place, so that the same failure never gets two ids.
/// </summary>
public static class Errors
{
    /// <summary>Work cancelled by something other than Ctrl+C: a time bound inside it ran out.</summary>
    public static RedisDockerException TimedOut(string operation, OperationCanceledException e) =>
        new(ErrorIds.Timeout,
            $"{operation} gave up waiting before it finished ({e.Message}). Check that the Docker engine and the nodes "
            + "answer (Get-RedisTopology), then try again.",
            ErrorKind.OperationTimeout, null, e);
}
