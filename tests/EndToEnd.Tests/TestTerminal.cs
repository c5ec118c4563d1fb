using System.Diagnostics;
using System.Text;
using Microsoft.Win32.SafeHandles;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace FleetPods.EndToEnd.Tests;

/// <summary>
/// A command run at a terminal, as a person runs it: a pseudo-terminal of the node whose slave is the command's stdin,
/// stdout, stderr and controlling terminal (through util-linux's setsid -c), and whose master the test types into, reads
/// and resizes (the kernel sends the command SIGWINCH). Everything the command writes is collected in <see cref="Output"/>.
/// </summary>
public sealed class TestTerminal : IDisposable
{
    private readonly SafeFileHandle master;
    private readonly StringBuilder output = new();
    // How long WaitForExit reads on after the command exited: another holder of the terminal would keep it open.
    private static readonly TimeSpan DrainLimit = TimeSpan.FromSeconds(5);

    private readonly Thread reader;
    private Process? process;

    public unsafe TestTerminal(ushort rows, ushort columns)
    {
        int fd;
        fixed (byte* path = "/dev/ptmx\0"u8)
        {
            fd = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
        }

        Assert.True(fd >= 0, $"open /dev/ptmx: errno {errno}");
        master = new SafeFileHandle(fd, ownsHandle: true);
        int unlocked = 0, number;
        Assert.Equal(0, ioctl(fd, TIOCSPTLCK, &unlocked));
        Assert.Equal(0, ioctl(fd, TIOCGPTN, &number));
        SlavePath = $"/dev/pts/{number}";
        Resize(rows, columns);
        reader = new Thread(Read) { IsBackground = true, Name = "test terminal" };
    }

    public string SlavePath { get; }

    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    /// <summary>Starts <paramref name="file"/> at this terminal, its only one.</summary>
    public void Start(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo("sh") { UseShellExecute = false };
        foreach (var argument in (string[])["-c", "exec setsid -c \"$0\" \"$@\" <>\"$TEST_TERMINAL\" >&0 2>&0", file, .. arguments])
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["TEST_TERMINAL"] = SlavePath;
        start.Environment["TERM"] = "xterm";
        process = Process.Start(start)!;
        reader.Start();
    }

    public unsafe void Type(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        fixed (byte* start = bytes)
        {
            Assert.Equal(bytes.Length, (long)write(Master, start, bytes.Length));
        }
    }

    /// <summary>Sets the terminal's size; its foreground process (the command) gets SIGWINCH.</summary>
    public unsafe void Resize(ushort rows, ushort columns)
    {
        var window = new winsize { ws_row = rows, ws_col = columns };
        Assert.Equal(0, ioctl(Master, TIOCSWINSZ, &window));
    }

    /// <summary>Whether the terminal echoes and edits lines again (the command restored it), or is raw.</summary>
    public unsafe bool IsCanonical()
    {
        termios mode;
        Assert.Equal(0, tcgetattr(Master, &mode));
        return (mode.c_lflag & ICANON) != 0 && (mode.c_lflag & ECHO) != 0;
    }

    public async Task WaitFor(string text, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, $"'{text}' did not appear at the terminal within {within}; it shows:\n{Output}");
            await Task.Delay(20);
        }
    }

    /// <summary>Waits for the command to exit, then for what it wrote last to be read (a few seconds at most).</summary>
    public async Task<int> WaitForExit(TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        await process!.WaitForExitAsync(timeout.Token);

        // Its last frame may still be in the terminal when it exits: the reader ends once every holder closed it (EIO).
        await Task.Run(() => reader.Join(DrainLimit));
        return process.ExitCode;
    }

    public void Dispose()
    {
        if (process is { HasExited: false })
        {
            process.Kill(entireProcessTree: true);
        }

        process?.Dispose();
        master.Dispose();
    }

    // Until EIO: the command and everything it started have closed the terminal (or the test is over).
    private unsafe void Read()
    {
        var buffer = new byte[4096];
        fixed (byte* start = buffer)
        {
            long n;
            while ((n = (long)read(Master, start, buffer.Length)) > 0 || (n < 0 && errno == EINTR))
            {
                lock (output)
                {
                    output.Append(Encoding.UTF8.GetString(buffer, 0, (int)Math.Max(n, 0)));
                }
            }
        }
    }

    private int Master => master.DangerousGetHandle().ToInt32();
}
