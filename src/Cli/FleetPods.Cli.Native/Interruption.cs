using System.Runtime.InteropServices;

namespace FleetPods.Cli.Native;

/// <summary>
/// Ctrl-C (SIGINT) and SIGTERM as a cancellation the command decides what to do with: a wait gives up (exit 130), a
/// <c>run</c> asks the daemon to stop its pod and keeps reading until the pod's end. The process is never torn down
/// under a command that still has something to finish.
/// </summary>
internal sealed class Interruption : IDisposable
{
    private readonly CancellationTokenSource source = new();
    private readonly PosixSignalRegistration interrupt;
    private readonly PosixSignalRegistration terminate;

    public Interruption()
    {
        interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Cancel);
        terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Cancel);
    }

    public CancellationToken Token => source.Token;

    public void Dispose()
    {
        interrupt.Dispose();
        terminate.Dispose();
        source.Dispose();
    }

    private void Cancel(PosixSignalContext context)
    {
        context.Cancel = true;
        source.Cancel();
    }
}
