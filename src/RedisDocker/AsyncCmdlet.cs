using System.Management.Automation;
using RedisDocker.Core;

namespace RedisDocker;

/// <summary>
/// Base of every cmdlet: cancellation from Ctrl+C, and the bridge (<see cref="OperationBridge"/>) that runs the async
/// core while its reports (verbose, warning, progress) are written on the pipeline thread.
/// </summary>
public abstract class AsyncCmdlet : PSCmdlet
{
    private readonly CancellationTokenSource _stop = new();

    // Also when the module was loaded without its import hook (IModuleAssemblyInitializer) running.
    static AsyncCmdlet() => DefaultSessions.Install();

    protected CancellationToken StopToken => _stop.Token;

    protected override void StopProcessing()
    {
        _stop.Cancel();
        base.StopProcessing();
    }

    /// <summary>Called on the pipeline thread before the work starts on the thread pool, where there is no current
    /// runspace: resolve there what depends on the runspace (its default session).</summary>
    protected virtual void BeforeRun()
    {
    }

    /// <summary>Runs core work on the thread pool and writes its reports on the pipeline thread.</summary>
    /// <exception cref="PipelineStoppedException">Ctrl+C: the work has ended (it cleans up before it returns).
    /// </exception>
    protected T Run<T>(Func<IOperationSink, CancellationToken, Task<T>> work)
    {
        var command = MyInvocation?.MyCommand?.Name ?? GetType().Name;
        var sink = new PipelineSink(this, command);
        BeforeRun();
        T result;
        try
        {
            result = OperationBridge.Run(command, sink, _stop.Token, work);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            sink.CompleteAll(succeeded: false);
            throw new PipelineStoppedException();
        }
        catch (Exception) when (sink.Stopping)
        {
            throw new PipelineStoppedException();
        }
        catch (Exception)
        {
            sink.CompleteAll(succeeded: false);
            throw;
        }
        if (sink.Stopping) throw new PipelineStoppedException();
        sink.CompleteAll(succeeded: true);
        return result;
    }

    protected void Run(Func<IOperationSink, CancellationToken, Task> work) =>
        Run<bool>(async (s, ct) => { await work(s, ct).ConfigureAwait(false); return true; });

    /// <summary>Runs core work for one pipeline item: a failure becomes a non-terminating error and the pipeline goes
    /// on.</summary>
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
        ThrowTerminatingError(new ErrorRecord(new ArgumentException(message), errorId, ErrorCategory.InvalidArgument,
            target));

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

    /// <summary>
    /// The core's reports as the pipeline shows them (called on the pipeline thread only). Progress: every activity
    /// of the core becomes a child of one activity of the cmdlet (shown before its first child), and whatever is still
    /// open when the work ends (a failure, Ctrl+C) gets its Completed record, children before parents.
    /// After Ctrl+C every Write* throws PipelineStoppedException: the warnings (what could not be removed) then go
    /// straight to the host, the rest is dropped.
    /// </summary>
    private sealed class PipelineSink : IOperationSink
    {
        private readonly PSCmdlet _cmdlet;
        private readonly int _parentId = ProgressReport.NextActivityId();
        private readonly string _parentActivity;
        private bool _parentShown;
        // Activities shown and not completed, in the order they opened.
        private readonly List<(int Id, string Activity, int ParentId)> _open = new();

        public PipelineSink(PSCmdlet cmdlet, string command)
        {
            _cmdlet = cmdlet;
            _parentActivity = command;
        }

        /// <summary>A Write* threw PipelineStoppedException: the pipeline is being stopped.</summary>
        public bool Stopping { get; private set; }

        public void Verbose(string message) => Write(c => c.WriteVerbose(message));

        public void Warning(string message)
        {
            if (Write(c => c.WriteWarning(message))) return;
            try { _cmdlet.Host?.UI?.WriteWarningLine(message); }
            catch (Exception) { }  // a host without UI: nothing more can be said
        }

        public void Progress(ProgressReport r) => Write(c =>
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

        /// <summary>Writes to the pipeline; false once it is stopping.</summary>
        private bool Write(Action<PSCmdlet> write)
        {
            if (Stopping) return false;
            try
            {
                write(_cmdlet);
                return true;
            }
            catch (PipelineStoppedException)
            {
                Stopping = true;
                return false;
            }
        }

        /// <summary>Completed records for every activity still open, children first, then the cmdlet's.</summary>
        public void CompleteAll(bool succeeded)
        {
            for (var i = _open.Count - 1; i >= 0 && !Stopping; i--)
            {
                var (id, activity, parent) = _open[i];
                _open.RemoveAt(i);
                var record = new ProgressRecord(id, activity, succeeded ? "done" : "stopped")
                {
                    ParentActivityId = parent,
                    PercentComplete = 100,
                    RecordType = ProgressRecordType.Completed,
                };
                // Ctrl+C: the host clears its progress display itself.
                Write(c => c.WriteProgress(record));
            }
        }
    }
}
