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

    /// <summary>Runs core work on the thread pool and pumps its reports onto the pipeline thread.</summary>
    protected T Run<T>(Func<IOperationSink, CancellationToken, Task<T>> work)
    {
        using var sink = new PumpSink(MyInvocation?.MyCommand?.Name ?? GetType().Name);
        var task = Task.Run(() => work(sink, _stop.Token));
        // The pump wakes as soon as the work ends (not at the next 50 ms tick): a quick command stays quick.
        _ = task.ContinueWith(_ => sink.Complete(), CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        // Ctrl+C: every Write* on the stopping pipeline throws PipelineStoppedException. The core's work still runs
        // to its end (it has been cancelled and cleans up what it made), so keep waiting for it: returning at once
        // would give the prompt back while containers are still being removed, or leave them if pwsh exits.
        // Its warnings (what could not be removed) then go straight to the host.
        var stopping = false;
        void Pump(Action<Cmdlet> action)
        {
            if (!stopping)
            {
                try { action(this); return; }
                catch (PipelineStoppedException) { stopping = true; }
            }
            sink.ToHost(this, action);
        }
        while (!task.IsCompleted)
        {
            if (sink.Queue.TryTake(out var action, 50)) Pump(action);
        }
        while (sink.Queue.TryTake(out var rest)) Pump(rest);
        if (!stopping) sink.CompleteAll(this, task.IsCompletedSuccessfully);
        if (stopping) throw new PipelineStoppedException();
        if (task.IsCanceled || (task.Exception?.InnerException is OperationCanceledException && _stop.IsCancellationRequested))
            throw new PipelineStoppedException();
        return task.GetAwaiter().GetResult();
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

    /// <summary>
    /// The core's reports, queued for the pipeline thread. Progress: every activity of the core becomes a child of
    /// one activity of the cmdlet (shown before its first child), and whatever is still open when the work ends
    /// (a failure, Ctrl+C) gets its Completed record, children before parents.
    /// </summary>
    private sealed class PumpSink : IOperationSink, IDisposable
    {
        private readonly int _parentId = ProgressReport.NextActivityId();
        private readonly string _parentActivity;
        private bool _parentShown;
        // Activities shown and not completed (touched on the pipeline thread only), in the order they opened.
        private readonly List<(int Id, string Activity, int ParentId)> _open = new();

        public PumpSink(string command) => _parentActivity = command;

        public BlockingCollection<Action<Cmdlet>> Queue { get; } = new();

        public void Verbose(string message) => Add(c => c.WriteVerbose(message));
        public void Warning(string message) => Add(new WarningAction(message).Write);
        public void Progress(ProgressReport r) => Add(c =>
        {
            var index = _open.FindIndex(o => o.Id == r.ActivityId);
            if (r.Completed && index < 0) return;  // never shown, or already completed
            var parent = r.ParentActivityId >= 0 ? r.ParentActivityId : _parentId;
            if (parent == _parentId && !_parentShown)
            {
                _parentShown = true;
                _open.Insert(0, (_parentId, _parentActivity, -1));
                index = index < 0 ? -1 : index + 1;
                c.WriteProgress(new ProgressRecord(_parentId, _parentActivity, "running"));
            }
            if (r.Completed) _open.RemoveAt(index);
            else if (index < 0) _open.Add((r.ActivityId, r.Activity, parent));
            var status = string.IsNullOrEmpty(r.Status) ? "..." : r.Status;
            c.WriteProgress(new ProgressRecord(r.ActivityId, r.Activity, status)
            {
                ParentActivityId = parent,
                PercentComplete = r.PercentComplete is >= 0 and <= 100 ? r.PercentComplete : -1,
                RecordType = r.Completed ? ProgressRecordType.Completed : ProgressRecordType.Processing,
            });
        });

        /// <summary>A warning, recognisable after Ctrl+C, when only the host can still be written to.</summary>
        private sealed record WarningAction(string Message)
        {
            public void Write(Cmdlet c) => c.WriteWarning(Message);
        }

        /// <summary>After Ctrl+C: warnings (what is left behind) go to the host's UI; the rest is dropped.</summary>
        public void ToHost(PSCmdlet c, Action<Cmdlet> action)
        {
            if (action.Target is not WarningAction w) return;
            try { c.Host?.UI?.WriteWarningLine(w.Message); }
            catch (Exception) { }  // a host without UI: nothing more can be said
        }

        /// <summary>Completed records for every activity still open, children first, then the cmdlet's.</summary>
        public void CompleteAll(Cmdlet c, bool succeeded)
        {
            for (var i = _open.Count - 1; i >= 0; i--)
            {
                var (id, activity, parent) = _open[i];
                _open.RemoveAt(i);
                var record = new ProgressRecord(id, activity, succeeded ? "done" : "stopped")
                {
                    ParentActivityId = parent,
                    PercentComplete = 100,
                    RecordType = ProgressRecordType.Completed,
                };
                try { c.WriteProgress(record); }
                catch (PipelineStoppedException) { return; }  // Ctrl+C: the host clears its progress display itself
            }
        }

        private void Add(Action<Cmdlet> a)
        {
            try { Queue.Add(a); } catch (InvalidOperationException) { }  // also ObjectDisposedException: the cmdlet finished
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
