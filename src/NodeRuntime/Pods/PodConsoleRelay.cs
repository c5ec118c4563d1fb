using System.Text;
using Microsoft.Win32.SafeHandles;
using static Tmds.Linux.LibC;

namespace FleetPods.NodeRuntime.Pods;

/// <summary>
/// The daemon's end of a console: a pod's first app's (<see cref="PodLaunchRequest.Input"/>,
/// <see cref="PodLaunchRequest.Terminal"/>) or an enter session's (<see cref="EnterSession"/>). It is what the supervisor
/// opens for the app (a FIFO for input alone, a pseudo-terminal otherwise) and the writes and resizes that reach it. A
/// terminal's output is copied to the file where pipes' output goes (the pod's log, the session's output), so it is
/// read as any other. The console lives in this process: after a daemon restart the app's input is at its end, and its
/// terminal has hung up (SIGHUP), as a login's does when sshd goes.
/// </summary>
internal sealed class PodConsoleRelay : IDisposable
{
    private const int CopyBuffer = 64 * 1024;

    private readonly SemaphoreSlim writing = new(1, 1);
    private readonly PseudoTerminal? terminal;
    private readonly string? fifo;
    private readonly TaskCompletionSource outputCopied = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private SafeFileHandle? holder;
    private FileStream? input;
    private bool inputEnded;

    private PodConsoleRelay(PseudoTerminal? terminal, string? fifo, SafeFileHandle? holder)
    {
        this.terminal = terminal;
        this.fifo = fifo;
        this.holder = holder;
        if (terminal is null)
        {
            outputCopied.TrySetResult();
        }
    }

    /// <summary>What the supervisor is told to open for the app: <c>--tty PATH</c> or <c>--stdin PATH</c>.</summary>
    public IReadOnlyList<string> SupervisorArguments => terminal is not null ? ["--tty", terminal.SlavePath] : ["--stdin", fifo!];

    /// <summary>The same for a pod's supervisor, in the pod manifest.</summary>
    public Manifest.FleetPodsConsole ManifestConsole => terminal is not null ? new(null, terminal.SlavePath) : new(fifo, null);

    /// <summary>A console (a pod's first app's, or an enter session's), or null when it has none.</summary>
    /// <param name="log">Where a terminal's output is appended.</param>
    /// <param name="fifo">Where the FIFO of input without a terminal is made.</param>
    /// <exception cref="PodLaunchException">The node cannot make it.</exception>
    public static PodConsoleRelay? Open(bool input, PodTerminalSize? terminal, string log, string fifo)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(fifo);
        if (terminal is not null)
        {
            var relay = new PodConsoleRelay(PseudoTerminal.Open(terminal), null, null);
            relay.StartCopyingOutput(log);
            return relay;
        }

        if (!input)
        {
            return null;
        }

        // Held open for reading and writing until the app has it, so the supervisor's open does not wait for a writer
        // and no write can find nobody at the other end.
        if (MakeFifo(fifo) is var error and not 0)
        {
            throw new PodLaunchException($"make {fifo}: errno {error}");
        }

        return new PodConsoleRelay(null, fifo, File.OpenHandle(fifo, FileMode.Open, FileAccess.ReadWrite));
    }

    /// <summary>
    /// Called once the app runs (it holds its end): from now on a write to an app that is gone fails instead of filling
    /// a pipe nobody reads, and a terminal reads end-of-file once the app and its children are gone.
    /// </summary>
    public void AppHasItsEnd()
    {
        if (terminal is not null)
        {
            terminal.ReleaseSlave();
            return;
        }

        input = new FileStream(File.OpenHandle(fifo!, FileMode.Open, FileAccess.Write), FileAccess.Write, bufferSize: 0);
        Interlocked.Exchange(ref holder, null)?.Dispose();
    }

    /// <summary>Writes <paramref name="data"/> to the app in order, waiting while it does not read; then ends its input if asked.</summary>
    /// <exception cref="PodLaunchException">The app's input has ended, or the app no longer reads it.</exception>
    public async Task WriteAsync(ReadOnlyMemory<byte> data, bool endOfInput, CancellationToken cancellationToken)
    {
        await writing.WaitAsync(cancellationToken);
        try
        {
            if (inputEnded)
            {
                throw new PodLaunchException("the input has ended");
            }

            if (data.Length > 0)
            {
                // A pipe or terminal write blocks while the app does not read: on a thread of its own, not the caller's.
                await Task.Run(() => Write(data.Span), CancellationToken.None);
            }

            if (endOfInput && terminal is null)
            {
                inputEnded = true;
                Interlocked.Exchange(ref input, null)?.Dispose();
            }
        }
        catch (IOException ex)
        {
            throw new PodLaunchException($"nothing reads the input any more: {ex.Message}");
        }
        finally
        {
            writing.Release();
        }
    }

    /// <exception cref="PodLaunchException">The pod has no terminal.</exception>
    public void Resize(PodTerminalSize size) =>
        (terminal ?? throw new PodLaunchException("it has no terminal, only pipes")).Resize(size);

    /// <summary>Waits (up to <paramref name="limit"/>) until a terminal's last output is in the log, then closes the console.</summary>
    public async Task CloseAsync(TimeSpan limit)
    {
        terminal?.ReleaseSlave();
        await outputCopied.Task.WaitAsync(limit).ContinueWith(_ => { }, TaskScheduler.Default);
        Dispose();
    }

    public void Dispose()
    {
        Interlocked.Exchange(ref input, null)?.Dispose();
        Interlocked.Exchange(ref holder, null)?.Dispose();
        terminal?.Dispose();
    }

    private void Write(ReadOnlySpan<byte> data)
    {
        if (terminal is not null)
        {
            terminal.Write(data);
            return;
        }

        var stream = input ?? throw new PodLaunchException("the input has ended");
        stream.Write(data);
    }

    // A thread of its own: a terminal read blocks until the app writes, for as long as the pod runs.
    private void StartCopyingOutput(string log)
    {
        var thread = new Thread(() =>
        {
            try
            {
                // The offset is ignored: O_APPEND writes at the end, where the supervisor appends its own lines too.
                using var file = OpenAppending(log);
                var buffer = new byte[CopyBuffer];
                int read;
                while ((read = terminal!.Read(buffer)) > 0)
                {
                    RandomAccess.Write(file, buffer.AsSpan(0, read), 0);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ObjectDisposedException)
            {
                // The pod's directory went (removed) or its disk is full: its output has nowhere to go.
            }
            finally
            {
                outputCopied.TrySetResult();
            }
        })
        { IsBackground = true, Name = "pod terminal output" };
        thread.Start();
    }

    private static unsafe SafeFileHandle OpenAppending(string path)
    {
        var bytes = Encoding.UTF8.GetBytes(path + "\0");
        int fd;
        fixed (byte* pointer = bytes)
        {
            fd = open(pointer, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0x1a0);
        }

        return fd >= 0 ? new SafeFileHandle(fd, ownsHandle: true) : throw new IOException($"open {path}: errno {errno}");
    }

    // Mode 0600: only the daemon (root) writes the app's input.
    private static unsafe int MakeFifo(string path)
    {
        var bytes = Encoding.UTF8.GetBytes(path + "\0");
        fixed (byte* pointer = bytes)
        {
            return mkfifo(pointer, 0x180) == 0 ? 0 : errno;
        }
    }
}
