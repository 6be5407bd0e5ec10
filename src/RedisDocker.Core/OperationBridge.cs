using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

namespace RedisDocker.Core;

/// <summary>
/// Runs async core work on the thread pool while every report it makes (verbose, warning, progress) is performed on
/// the calling thread: PowerShell lets a cmdlet write only from its pipeline thread. The calling thread sleeps until a
/// report arrives or the work ends; a continuation of the work completes the queue, so nothing polls and a report or
/// a result is delivered at once.
/// </summary>
public static class OperationBridge
{
    /// <summary>
    /// Runs <paramref name="work"/> to its end and returns its result; its reports go to
    /// <paramref name="onCallerThread"/>, on this thread, in the order they were made.
    /// <list type="bullet">
    /// <item>Work that ends cancelled after <paramref name="stop"/> (Ctrl+C) was cancelled: an
    /// <see cref="OperationCanceledException"/> carrying <paramref name="stop"/> (the caller stops its pipeline).
    /// </item>
    /// <item>Work that ends cancelled while <paramref name="stop"/> was not: something inside it gave up waiting (a
    /// time bound ran out); that is a timeout, <see cref="Errors.TimedOut"/>, never a silent stop.</item>
    /// <item>Any other failure is rethrown as it is.</item>
    /// </list>
    /// A stopped work is still awaited: it cleans up what it made, and its warnings say what it could not.
    /// </summary>
    /// <param name="operation">What the work is (the command's name), for the timeout's message.</param>
    public static T Run<T>(string operation, IOperationSink onCallerThread, CancellationToken stop,
        Func<IOperationSink, CancellationToken, Task<T>> work)
    {
        using var relay = new RelaySink(onCallerThread);
        var task = Task.Run(() => work(relay, stop), CancellationToken.None);
        _ = task.ContinueWith(_ => relay.Complete(), CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        ExceptionDispatchInfo? reportFailed = null;
        foreach (var report in relay.Queue.GetConsumingEnumerable())
        {
            // A report that cannot be written must not leave the work running unobserved: keep draining.
            try { report(); }
            catch (Exception e) { reportFailed ??= ExceptionDispatchInfo.Capture(e); }
        }
        try
        {
            var result = task.GetAwaiter().GetResult();
            reportFailed?.Throw();
            return result;
        }
        catch (OperationCanceledException e) when (stop.IsCancellationRequested)
        {
            throw new OperationCanceledException($"{operation} was stopped.", e, stop);
        }
        catch (OperationCanceledException e)
        {
            throw Errors.TimedOut(operation, e);
        }
    }

    /// <summary>Queues the work's reports for the calling thread.</summary>
    private sealed class RelaySink : IOperationSink, IDisposable
    {
        private readonly IOperationSink _target;
        private int _completed;

        public RelaySink(IOperationSink target) => _target = target;

        public BlockingCollection<Action> Queue { get; } = new();

        public void Verbose(string message) => Add(() => _target.Verbose(message));
        public void Warning(string message) => Add(() => _target.Warning(message));
        public void Progress(ProgressReport report) => Add(() => _target.Progress(report));

        private void Add(Action report)
        {
            // After the work ended (a report from a task it left behind): nobody is listening any more.
            try { Queue.Add(report); }
            catch (InvalidOperationException) { }  // also ObjectDisposedException
        }

        /// <summary>No more reports: the calling thread's loop ends once it has drained the queue.</summary>
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
