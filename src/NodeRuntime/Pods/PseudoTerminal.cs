using System.Text;
using Microsoft.Win32.SafeHandles;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace FleetPods.NodeRuntime.Pods;

/// <summary>
/// A pseudo-terminal pair of the node's devpts, made by hand over libc (no served package makes one): the daemon keeps
/// the master; the pod's supervisor opens the slave by <see cref="SlavePath"/> and makes it its app's controlling
/// terminal. The daemon holds a slave too until <see cref="ReleaseSlave"/>, so the master never reads end-of-file
/// before the app has it; once every slave is closed, the master reads what is left, then end-of-file.
/// </summary>
internal sealed class PseudoTerminal : IDisposable
{
    private readonly SafeFileHandle master;
    private SafeFileHandle? slave;

    private PseudoTerminal(SafeFileHandle master, SafeFileHandle slave, string slavePath)
    {
        this.master = master;
        this.slave = slave;
        SlavePath = slavePath;
    }

    public string SlavePath { get; }

    // The descriptor, for libc: RandomAccess refuses a handle that cannot seek, and one FileStream is no place for a
    // read and a write from two threads at once.
    private int Master => master.DangerousGetHandle().ToInt32();

    /// <exception cref="PodLaunchException">The node has no pseudo-terminal to give.</exception>
    public static unsafe PseudoTerminal Open(PodTerminalSize size)
    {
        ArgumentNullException.ThrowIfNull(size);
        var master = OpenPath("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
        try
        {
            int unlocked = 0, number;
            if (ioctl(master.DangerousGetHandle().ToInt32(), TIOCSPTLCK, &unlocked) != 0
                || ioctl(master.DangerousGetHandle().ToInt32(), TIOCGPTN, &number) != 0)
            {
                throw new PodLaunchException($"unlock a pseudo-terminal: errno {errno}");
            }

            var path = $"/dev/pts/{number}";
            var terminal = new PseudoTerminal(master, OpenPath(path, O_RDWR | O_NOCTTY | O_CLOEXEC), path);
            terminal.Resize(size);
            return terminal;
        }
        catch
        {
            master.Dispose();
            throw;
        }
    }

    /// <summary>Sets the terminal's size; the kernel sends SIGWINCH to the app's foreground process group.</summary>
    public unsafe void Resize(PodTerminalSize size)
    {
        ArgumentNullException.ThrowIfNull(size);
        var window = new winsize { ws_row = size.Rows, ws_col = size.Columns };
        if (ioctl(Master, TIOCSWINSZ, &window) != 0)
        {
            throw new PodLaunchException($"resize the pod's terminal: errno {errno}");
        }
    }

    /// <summary>Types <paramref name="data"/> at the terminal; blocks while the app's input queue is full.</summary>
    /// <exception cref="IOException">The terminal has hung up.</exception>
    public unsafe void Write(ReadOnlySpan<byte> data)
    {
        var added = false;
        master.DangerousAddRef(ref added);
        try
        {
            fixed (byte* start = data)
            {
                for (var written = 0; written < data.Length;)
                {
                    var n = (long)write(Master, start + written, data.Length - written);
                    if (n < 0 && errno != EINTR)
                    {
                        throw new IOException($"the pod's terminal: errno {errno}");
                    }

                    written += (int)Math.Max(n, 0);
                }
            }
        }
        finally
        {
            if (added)
            {
                master.DangerousRelease();
            }
        }
    }

    /// <summary>Reads what the app wrote; 0 once every slave is closed and nothing is left (the master reads EIO).</summary>
    public unsafe int Read(Span<byte> buffer)
    {
        var added = false;
        master.DangerousAddRef(ref added);
        try
        {
            fixed (byte* start = buffer)
            {
                while (true)
                {
                    var n = (long)read(Master, start, buffer.Length);
                    if (n >= 0 || errno != EINTR)
                    {
                        return (int)Math.Max(n, 0);
                    }
                }
            }
        }
        finally
        {
            if (added)
            {
                master.DangerousRelease();
            }
        }
    }

    /// <summary>Closes the daemon's slave once the app holds its own.</summary>
    public void ReleaseSlave() => Interlocked.Exchange(ref slave, null)?.Dispose();

    public void Dispose()
    {
        ReleaseSlave();
        master.Dispose();
    }

    private static unsafe SafeFileHandle OpenPath(string path, int flags)
    {
        var bytes = Encoding.UTF8.GetBytes(path + "\0");
        int fd;
        fixed (byte* pointer = bytes)
        {
            fd = open(pointer, flags);
        }

        return fd >= 0 ? new SafeFileHandle(fd, ownsHandle: true) : throw new PodLaunchException($"open {path}: errno {errno}");
    }
}
