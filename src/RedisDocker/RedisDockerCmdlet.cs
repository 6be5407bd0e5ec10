using System.Collections;
using System.Collections.Concurrent;
using System.Management.Automation;
using RedisDocker.Core;

namespace RedisDocker;

/// <summary>
/// Base of every cmdlet: the session, cancellation from Ctrl+C, and the bridge that lets the
/// async core report (verbose, warning, progress) while all Write* calls stay on the pipeline thread.
/// </summary>
public abstract class RedisDockerCmdlet : PSCmdlet
{
    private readonly CancellationTokenSource _stop = new();

    /// <summary>The session to use; the default session (DOCKER_HOST or the platform default) when omitted.</summary>
    [Parameter]
    public RedisDockerSession? Session { get; set; }

    protected RedisDockerSession CurrentSession => Session ?? RedisDockerSession.Default;

    protected CancellationToken StopToken => _stop.Token;

    protected override void StopProcessing()
    {
        _stop.Cancel();
        base.StopProcessing();
    }

    /// <summary>
    /// Runs core work on the thread pool and pumps its reports onto the pipeline thread. After Ctrl+C
    /// the pipeline thread stays here until the work (and its cleanup) has ended, so the prompt comes
    /// back only when nothing is left running; what the cleanup reports then goes straight to the host.
    /// </summary>
    protected T Run<T>(Func<IOperationSink, CancellationToken, Task<T>> work)
    {
        using var sink = new PumpSink();
        var task = Task.Run(() => work(sink, _stop.Token));
        // The pump wakes as soon as the work ends (not at the next 50 ms tick): a quick command stays quick.
        _ = task.ContinueWith(_ => sink.Complete(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        while (!task.IsCompleted)
        {
            if (sink.Queue.TryTake(out var report, 50)) Deliver(report);
        }
        while (sink.Queue.TryTake(out var rest)) Deliver(rest);
        if (task.IsCanceled || (task.Exception?.InnerException is OperationCanceledException && _stop.IsCancellationRequested))
            throw new PipelineStoppedException();
        return task.GetAwaiter().GetResult();
    }

    /// <summary>One report onto the pipeline; once stopped (Write* throws), warnings go to the host's UI.</summary>
    private void Deliver(Report report)
    {
        if (!_stop.IsCancellationRequested)
        {
            try
            {
                switch (report.Kind)
                {
                    case ReportKind.Verbose: WriteVerbose(report.Message); break;
                    case ReportKind.Warning: WriteWarning(report.Message); break;
                    default: WriteProgress(report.Progress!); break;
                }
                return;
            }
            catch (PipelineStoppedException) when (_stop.IsCancellationRequested) { }
        }
        if (report.Kind != ReportKind.Warning) return;
        try { Host?.UI?.WriteWarningLine(report.Message); }
        catch (Exception e) when (e is PipelineStoppedException or InvalidOperationException or NotImplementedException or IOException) { }
    }

    protected void Run(Func<IOperationSink, CancellationToken, Task> work) =>
        Run<bool>(async (s, ct) => { await work(s, ct).ConfigureAwait(false); return true; });

    /// <summary>Runs core work for one pipeline item: a failure becomes a non-terminating error and the pipeline goes on.</summary>
    protected bool TryRun<T>(object? target, Func<IOperationSink, CancellationToken, Task<T>> work, out T result)
    {
        try
        {
            result = Run(work);
            return true;
        }
        catch (PipelineStoppedException) { throw; }
        catch (Exception e)
        {
            WriteError(ToErrorRecord(e, target));
            result = default!;
            return false;
        }
    }

    protected bool TryRun(object? target, Func<IOperationSink, CancellationToken, Task> work) =>
        TryRun<bool>(target, async (s, ct) => { await work(s, ct).ConfigureAwait(false); return true; }, out _);

    /// <summary>A terminating error for bad parameter combinations, raised before anything is created.</summary>
    protected void ThrowParameterError(string errorId, string message, object? target = null) =>
        ThrowTerminatingError(new ErrorRecord(new ArgumentException(message), errorId, ErrorCategory.InvalidArgument, target));

    /// <summary>Converts any core failure into an ErrorRecord with a stable id, category and target.</summary>
    public static ErrorRecord ToErrorRecord(Exception e, object? target)
    {
        var r = ErrorTranslator.Translate(e, target);
        var record = new ErrorRecord(r, r.ErrorId, ToCategory(r.Kind), r.Target ?? target);
        return record;
    }

    public static ErrorCategory ToCategory(ErrorKind kind) => kind switch
    {
        ErrorKind.InvalidArgument => ErrorCategory.InvalidArgument,
        ErrorKind.InvalidOperation => ErrorCategory.InvalidOperation,
        ErrorKind.ObjectNotFound => ErrorCategory.ObjectNotFound,
        ErrorKind.ResourceExists => ErrorCategory.ResourceExists,
        ErrorKind.ResourceUnavailable => ErrorCategory.ResourceUnavailable,
        ErrorKind.ConnectionError => ErrorCategory.ConnectionError,
        ErrorKind.AuthenticationError => ErrorCategory.AuthenticationError,
        ErrorKind.OperationTimeout => ErrorCategory.OperationTimeout,
        ErrorKind.LimitsExceeded => ErrorCategory.LimitsExceeded,
        ErrorKind.InvalidData => ErrorCategory.InvalidData,
        _ => ErrorCategory.NotSpecified,
    };

    /// <summary>Hashtable → ordered string pairs (for -Config and -Label).</summary>
    protected static IReadOnlyList<KeyValuePair<string, string>> ToPairs(Hashtable? table)
    {
        if (table is null) return Array.Empty<KeyValuePair<string, string>>();
        var list = new List<KeyValuePair<string, string>>();
        foreach (DictionaryEntry e in table)
        {
            var value = e.Value switch
            {
                null => "",
                bool b => b ? "yes" : "no",
                IEnumerable en and not string => string.Join(" ", en.Cast<object>().Select(o => Convert.ToString(o, System.Globalization.CultureInfo.InvariantCulture))),
                _ => Convert.ToString(e.Value, System.Globalization.CultureInfo.InvariantCulture) ?? "",
            };
            list.Add(new KeyValuePair<string, string>(Convert.ToString(e.Key, System.Globalization.CultureInfo.InvariantCulture) ?? "", value));
        }
        return list;
    }

    protected static string? ToPlain(System.Security.SecureString? secure) =>
        secure is null ? null : new System.Net.NetworkCredential(string.Empty, secure).Password;

    private enum ReportKind { Verbose, Warning, Progress }

    private sealed record Report(ReportKind Kind, string Message, ProgressRecord? Progress = null);

    private sealed class PumpSink : IOperationSink, IDisposable
    {
        public BlockingCollection<Report> Queue { get; } = new();

        public void Verbose(string message) => Add(new Report(ReportKind.Verbose, message));
        public void Warning(string message) => Add(new Report(ReportKind.Warning, message));
        public void Progress(ProgressReport r)
        {
            var record = new ProgressRecord(r.ActivityId, r.Activity, string.IsNullOrEmpty(r.Status) ? "..." : r.Status)
            {
                PercentComplete = r.PercentComplete is >= 0 and <= 100 ? r.PercentComplete : -1,
                RecordType = r.Completed ? ProgressRecordType.Completed : ProgressRecordType.Processing,
            };
            Add(new Report(ReportKind.Progress, r.Activity, record));
        }

        private void Add(Report r)
        {
            try { Queue.Add(r); } catch (InvalidOperationException) { }  // also ObjectDisposedException: the cmdlet finished
        }

        private int _completed;

        /// <summary>No more reports: a pump waiting in TryTake returns at once.</summary>
        public void Complete()
        {
            if (Interlocked.Exchange(ref _completed, 1) != 0) return;
            try { Queue.CompleteAdding(); } catch (ObjectDisposedException) { }
        }

        public void Dispose()
        {
            Complete();
            Queue.Dispose();
        }
    }
}
