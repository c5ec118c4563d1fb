using System.Runtime.InteropServices;

namespace FleetPods.Cli.Native;

/// <summary>
/// A command's standard output as every Unix command writes it: write(2) on fd 1, at the offset the open file shares
/// with the shell and with the commands before and after it, so <c>( echo a; fleetpods run …; echo b ) &gt; file</c>
/// keeps all three. A FileStream on fd 1 keeps an offset of its own and pwrite()s at it, so the next writer
/// overwrote what it wrote. Console's stream writes at the shared offset too but drops writes to a pipe nobody reads
/// any more (.NET ignores SIGPIPE), and a run whose reader has gone must end; this reports it.
/// </summary>
internal static partial class StandardOutput
{
    private const int Descriptor = 1;
    private const int Interrupted = 4; // EINTR
    private const int WouldBlock = 11; // EAGAIN: a non-blocking descriptor that is full
    private const int BrokenPipe = 32; // EPIPE
    private const short PollOut = 4; // POLLOUT

    /// <summary>Writes all of <paramref name="data"/>; false when nobody reads the output any more (EPIPE).</summary>
    /// <exception cref="IOException">Any other failure to write (a full disk, a terminal that went away).</exception>
    public static unsafe bool TryWrite(ReadOnlySpan<byte> data)
    {
        fixed (byte* start = data)
        {
            var written = 0;
            while (written < data.Length)
            {
                var n = Write(Descriptor, start + written, (nuint)(data.Length - written));
                if (n >= 0)
                {
                    written += (int)n;
                    continue;
                }

                var error = Marshal.GetLastPInvokeError();
                switch (error)
                {
                    case Interrupted:
                        continue;
                    case WouldBlock:
                        var wait = new PollDescriptor { Fd = Descriptor, Events = PollOut };
                        _ = Poll(&wait, 1, -1);
                        continue;
                    case BrokenPipe:
                        return false;
                    default:
                        throw new IOException($"cannot write the output: {Marshal.GetPInvokeErrorMessage(error)}");
                }
            }
        }

        return true;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PollDescriptor
    {
        public int Fd;
        public short Events;
        public short Returned;
    }

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static unsafe partial nint Write(int fd, byte* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static unsafe partial int Poll(PollDescriptor* descriptors, nuint count, int timeoutMilliseconds);
}
