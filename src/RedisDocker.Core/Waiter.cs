using System.Diagnostics;

namespace RedisDocker.Core;

/// <summary>Bounded polling with progress: every long wait in the module goes through here.</summary>
public static class Waiter
{
    /// <summary>
    /// Polls until the probe reports done, or throws a timeout error that carries the probe's last
    /// status (what was still missing). Progress shows elapsed time against the bound.
    /// </summary>
    public static async Task<TimeSpan> UntilAsync(IOperationSink sink, string activity, TimeSpan timeout,
        Func<CancellationToken, Task<(bool Done, string Status)>> probe, CancellationToken ct,
        string errorId = ErrorIds.Timeout, Func<string, string>? describeTimeout = null, int pollMs = 100)
    {
        var id = ProgressReport.NextActivityId();
        var sw = Stopwatch.StartNew();
        var status = "starting";
        try
        {
            while (true)
            {
                ct.ThrowIfCancellationRequested();
                bool done;
                try { (done, status) = await probe(ct).ConfigureAwait(false); }
                catch (Exception e) when (e is Resp.RedisConnectionException or Resp.RedisTimeoutException
                    && !ct.IsCancellationRequested)
                {
                    // A node restarting, or a connection killed by Sentinel (CLIENT KILL on reconfiguration): poll
                    // again.
                    (done, status) = (false, e.Message);
                }
                if (done) return sw.Elapsed;
                if (sw.Elapsed > timeout)
                    throw Errors.WaitTimedOut(errorId,
                        describeTimeout?.Invoke(status)
                            ?? $"{activity}: not done within {timeout.TotalSeconds:0} s. Still missing: {status}.",
                        activity);
                sink.Progress(new ProgressReport(id, activity, status,
                    (int)Math.Min(99, sw.Elapsed.TotalMilliseconds * 100 / timeout.TotalMilliseconds)));
                await Task.Delay(pollMs, ct).ConfigureAwait(false);
            }
        }
        finally
        {
            sink.Progress(new ProgressReport(id, activity, status, 100, Completed: true));
        }
    }
}
