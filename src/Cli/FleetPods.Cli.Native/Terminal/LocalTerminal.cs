using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace FleetPods.Cli.Native.Terminal;

/// <summary>
/// This command's own terminal, when its stdin is one: its size, and raw mode while a pod's terminal stands in for it,
/// as ssh and <c>docker run -t</c> do: every key reaches the pod's terminal (Ctrl-C too, which the pod's terminal makes
/// its app's SIGINT), and nothing is echoed or translated twice. Disposing restores the terminal as it was.
/// </summary>
internal sealed unsafe class LocalTerminal : IDisposable
{
    private const int Input = 0;
    private termios saved;
    private int restored;

    private LocalTerminal(termios saved) => this.saved = saved;

    /// <summary>The size of the terminal on stdin, or null when stdin is not a terminal.</summary>
    public static (int Rows, int Columns)? Size()
    {
        winsize window;
        return ioctl(Input, TIOCGWINSZ, &window) == 0 && window.ws_row > 0 && window.ws_col > 0 ? (window.ws_row, window.ws_col) : null;
    }

    /// <summary>Puts stdin's terminal in raw mode; null when stdin is not a terminal (a pipe or file goes through as it is).</summary>
    public static LocalTerminal? EnterRawMode()
    {
        termios mode;
        if (tcgetattr(Input, &mode) != 0)
        {
            return null;
        }

        var terminal = new LocalTerminal(mode);
        MakeRaw(&mode);
        return tcsetattr(Input, (int)TCSANOW, &mode) == 0 ? terminal : null;
    }

    // What cfmakeraw(3) does (Tmds.LibC 0.5.0 does not wrap it): bytes in and out as they are, no echo, no signals.
    private static void MakeRaw(termios* mode)
    {
        mode->c_iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
        mode->c_oflag &= ~OPOST;
        mode->c_lflag &= ~(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
        mode->c_cflag &= ~(CSIZE | PARENB);
        mode->c_cflag |= CS8;
        mode->c_cc[VMIN] = 1;
        mode->c_cc[VTIME] = 0;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref restored, 1) == 0)
        {
            var mode = saved;
            _ = tcsetattr(Input, (int)TCSANOW, &mode);
        }
    }
}
