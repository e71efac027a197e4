using System.Runtime.InteropServices;

namespace Registry.Build.Host;

/// <summary>
/// The run's cancellation: the first Ctrl-C asks every task to stop at its next await, so teardown still runs
/// and the cluster is left as the next run can repair; a second Ctrl-C ends the process at once.
/// </summary>
public sealed class RunCancellation : IDisposable
{
    /// <summary>The conventional exit code of a run ended by Ctrl-C (128 + SIGINT).</summary>
    public const int ExitCode = 130;

    private readonly CancellationTokenSource source = new();

    public CancellationToken Token => source.Token;

    public bool IsCancellationRequested => source.IsCancellationRequested;

    public void Cancel() => source.Cancel();

    /// <summary>Routes Ctrl-C and SIGTERM to <see cref="Cancel"/> until the returned handle is disposed.</summary>
    public IDisposable ListenForCtrlC(Action<string> warn)
    {
        void OnCancelKeyPress(object? sender, ConsoleCancelEventArgs args)
        {
            if (source.IsCancellationRequested)
            {
                return;
            }

            args.Cancel = true;
            warn("Ctrl-C: stopping at the next step boundary; press Ctrl-C again to end at once.");
            source.Cancel();
        }

        Console.CancelKeyPress += OnCancelKeyPress;
        // A CI system cancelling a job, or a container stopping, sends SIGTERM: the same orderly stop, so the run
        // lock is released and the teardown says what happened; a second SIGTERM ends the process.
        var terminate = OperatingSystem.IsWindows() ? null : PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            if (source.IsCancellationRequested)
            {
                return;
            }

            context.Cancel = true;
            warn("Terminated: stopping at the next step boundary.");
            source.Cancel();
        });
        return new Unsubscribe(() =>
        {
            Console.CancelKeyPress -= OnCancelKeyPress;
            terminate?.Dispose();
        });
    }

    public void Dispose() => source.Dispose();

    private sealed class Unsubscribe(Action action) : IDisposable
    {
        public void Dispose() => action();
    }
}
