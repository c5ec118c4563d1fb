using System.Collections.Concurrent;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace FleetPods.NodeRuntime.Pods;

/// <summary>
/// Learns of pod supervisors' exits without polling: one thread waits with epoll on a pidfd per supervisor.
/// A pidfd works for processes that are not our children, which the supervisors of a previous daemon are not.
/// </summary>
internal sealed class PodExitWatcher : IDisposable
{
    // pidfd_open has this number on every architecture; Tmds.LibC 0.5.0 does not wrap it.
    private const int PidfdOpenSyscall = 434;

    private readonly int epoll;
    private readonly int wakeup;
    private readonly ConcurrentDictionary<int, Action> watched = new();
    private readonly Thread thread;
    private volatile bool disposed;

    public unsafe PodExitWatcher()
    {
        epoll = epoll_create1(EPOLL_CLOEXEC);
        wakeup = eventfd(0, EFD_CLOEXEC);
        if (epoll < 0 || wakeup < 0)
        {
            throw new InvalidOperationException($"epoll_create1 or eventfd failed: errno {errno}");
        }

        // Dispose writes to the eventfd, so the thread needs no timeout to notice it.
        var registration = new epoll_event { events = EPOLLIN };
        registration.data.fd = wakeup;
        if (epoll_ctl(epoll, EPOLL_CTL_ADD, wakeup, &registration) != 0)
        {
            throw new InvalidOperationException($"epoll_ctl failed: errno {errno}");
        }

        thread = new Thread(Loop) { IsBackground = true, Name = "pod exit watcher" };
        thread.Start();
    }

    /// <summary>Calls <paramref name="onExit"/> once when process <paramref name="pid"/> exits; false if it is already gone.</summary>
    public unsafe bool Watch(int pid, Action onExit)
    {
        ArgumentNullException.ThrowIfNull(onExit);
        ObjectDisposedException.ThrowIf(disposed, this);
        var fd = (int)(long)syscall(PidfdOpenSyscall, pid, 0);
        if (fd < 0)
        {
            return false;
        }

        watched[fd] = onExit;
        var registration = new epoll_event { events = EPOLLIN };
        registration.data.fd = fd;
        if (epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &registration) != 0)
        {
            watched.TryRemove(fd, out _);
            _ = close(fd);
            throw new InvalidOperationException($"epoll_ctl failed: errno {errno}");
        }

        return true;
    }

    public unsafe void Dispose()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        ulong one = 1;
        _ = write(wakeup, &one, sizeof(ulong));
        thread.Join();
        foreach (var fd in watched.Keys)
        {
            _ = close(fd);
        }

        _ = close(wakeup);
        _ = close(epoll);
    }

    private unsafe void Loop()
    {
        const int Capacity = 64;
        var events = stackalloc epoll_event[Capacity];
        while (!disposed)
        {
            var count = epoll_wait(epoll, events, Capacity, -1);
            for (var i = 0; i < count; i++)
            {
                var fd = events[i].data.fd;
                // Forgotten before it is closed: once closed, Watch may be handed the same number for another pod.
                if (fd == wakeup || !watched.TryRemove(fd, out var onExit))
                {
                    continue;
                }

                _ = epoll_ctl(epoll, EPOLL_CTL_DEL, fd, null);
                _ = close(fd);
                ThreadPool.QueueUserWorkItem(_ => onExit());
            }
        }
    }
}
