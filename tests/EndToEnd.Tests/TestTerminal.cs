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
public sealed unsafe class TestTerminal : IDisposable
{
    private readonly SafeFileHandle master;
    private readonly StringBuilder output = new();
    private readonly Thread reader;
    private Process? process;

    public TestTerminal(ushort rows, ushort columns)
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

    public void Type(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        RandomAccess.Write(master, bytes, 0);
    }

    /// <summary>Sets the terminal's size; its foreground process (the command) gets SIGWINCH.</summary>
    public void Resize(ushort rows, ushort columns)
    {
        var window = new winsize { ws_row = rows, ws_col = columns };
        Assert.Equal(0, ioctl(master.DangerousGetHandle().ToInt32(), TIOCSWINSZ, &window));
    }

    /// <summary>Whether the terminal echoes and edits lines again (the command restored it), or is raw.</summary>
    public bool IsCanonical()
    {
        termios mode;
        Assert.Equal(0, tcgetattr(master.DangerousGetHandle().ToInt32(), &mode));
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

    public async Task<int> WaitForExit(TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        await process!.WaitForExitAsync(timeout.Token);
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

    private void Read()
    {
        var buffer = new byte[4096];
        try
        {
            int read;
            while ((read = RandomAccess.Read(master, buffer, 0)) > 0)
            {
                lock (output)
                {
                    output.Append(Encoding.UTF8.GetString(buffer, 0, read));
                }
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            // EIO: the command and everything it started have closed the terminal.
        }
    }
}
