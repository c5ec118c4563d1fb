using System.Collections.Concurrent;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace FleetPods.NodeRuntime.Pods;

/// <summary>
/// Learns of pod supervisors' exits without polling: one thread waits with epoll on a pidfd per supervisor.
/// A pidfd works for processes that are not our children, which the supervisors of a previous daemon are not.
/// </summary>
public sealed class PodExitWatcher : IDisposable
{
    private const int PidfdOpenSyscall = 434;

    private readonly int epoll;
    private readonly ConcurrentDictionary<int, Action> watched = new();
    private readonly Thread thread;
    private volatile bool disposed;

    public PodExitWatcher()
    {
        epoll = epoll_create1(EPOLL_CLOEXEC);
        if (epoll < 0)
        {
            throw new InvalidOperationException($"epoll_create1 failed: errno {errno}");
        }

        thread = new Thread(Loop) { IsBackground = true, Name = "pod exit watcher" };
        thread.Start();
    }

    /// <summary>Calls <paramref name="onExit"/> once when process <paramref name="pid"/> exits; false if it is already gone.</summary>
    public unsafe bool Watch(int pid, Action onExit)
    {
        ArgumentNullException.ThrowIfNull(onExit);
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

    public void Dispose()
    {
        disposed = true;
        thread.Join(TimeSpan.FromSeconds(2));
        foreach (var fd in watched.Keys)
        {
            _ = close(fd);
        }

        _ = close(epoll);
    }

    private unsafe void Loop()
    {
        const int Capacity = 64;
        var events = stackalloc epoll_event[Capacity];
        while (!disposed)
        {
            // A timeout, so that Dispose is noticed; exits themselves wake the wait at once.
            var count = epoll_wait(epoll, events, Capacity, 200);
            for (var i = 0; i < count; i++)
            {
                var fd = events[i].data.fd;
                _ = epoll_ctl(epoll, EPOLL_CTL_DEL, fd, null);
                _ = close(fd);
                if (watched.TryRemove(fd, out var onExit))
                {
                    ThreadPool.QueueUserWorkItem(_ => onExit());
                }
            }
        }
    }
}
