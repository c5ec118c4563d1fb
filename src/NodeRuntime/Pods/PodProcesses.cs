using static Tmds.Linux.LibC;

namespace FleetPods.NodeRuntime.Pods;

/// <summary>
/// A pod's supervisor and the app it cloned (pid 1 of the pod), as host pids from the pod's <c>pid</c> record.
/// Pids are reused, so neither is trusted by number alone: the supervisor is recognised by its command line,
/// and the app is signalled through a pidfd only after checking that its parent is still that supervisor.
/// </summary>
internal sealed record PodProcesses(int Shim, int App)
{
    // pidfd_open and pidfd_send_signal have these numbers on every architecture; Tmds.LibC 0.5.0 has neither.
    private const int PidfdOpenSyscall = 434;
    private const int PidfdSendSignalSyscall = 424;

    /// <summary>True when <see cref="Shim"/> is still the supervisor started for <paramref name="pod"/>, not a process that reused its pid.</summary>
    public bool IsSupervisorOf(PodDirectory pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        try
        {
            var arguments = File.ReadAllText($"/proc/{Shim}/cmdline").Split('\0');
            var index = Array.IndexOf(arguments, "--pod-dir");
            return index >= 0 && index + 1 < arguments.Length && arguments[index + 1] == pod.Root;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Sends <paramref name="signal"/> to the app; false when it is gone (it has ended, or its supervisor has reaped it).</summary>
    public bool SignalApp(int signal)
    {
        var pidfd = (int)(long)syscall(PidfdOpenSyscall, App, 0);
        if (pidfd < 0)
        {
            return false;
        }

        try
        {
            // If, after the pidfd was opened, the process with this number is a child of our supervisor, it is
            // the app (the supervisor has no other child), which has held the number since before the pidfd
            // was opened; so the pidfd is the app's, and signalling it cannot reach anyone else.
            if (ParentOf(App) != Shim)
            {
                return false;
            }

            if ((long)syscall(PidfdSendSignalSyscall, pidfd, signal, 0, 0) == 0)
            {
                return true;
            }

            return errno == ESRCH ? false : throw new IOException($"cannot signal pod process {App}: errno {errno}");
        }
        finally
        {
            _ = close(pidfd);
        }
    }

    /// <summary>Sends <paramref name="signal"/> to the supervisor, once it is recognised as <paramref name="pod"/>'s; false when it is gone.</summary>
    public bool SignalSupervisor(PodDirectory pod, int signal)
    {
        var pidfd = (int)(long)syscall(PidfdOpenSyscall, Shim, 0);
        if (pidfd < 0)
        {
            return false;
        }

        try
        {
            // Checked after the pidfd was opened: if the pid is still the supervisor's, the pidfd is too.
            return IsSupervisorOf(pod) && (long)syscall(PidfdSendSignalSyscall, pidfd, signal, 0, 0) == 0;
        }
        finally
        {
            _ = close(pidfd);
        }
    }

    /// <summary>
    /// The host pid of app <paramref name="name"/> of a pod of several apps: the child of the pod's pid 1 whose root is
    /// that app's (<c>/apps/NAME</c>, where the pod's pid 1 chroots each app).
    /// </summary>
    public int? AppOfSeveral(string name)
    {
        try
        {
            var children = File.ReadAllText($"/proc/{App}/task/{App}/children").Split(' ', StringSplitOptions.RemoveEmptyEntries);
            foreach (var child in children)
            {
                if (int.TryParse(child, out var pid) && new FileInfo($"/proc/{pid}/root").LinkTarget == "/apps/" + name && ParentOf(pid) == App)
                {
                    return pid;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        return null;
    }

    private static int? ParentOf(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("PPid:", StringComparison.Ordinal));
            return line is not null && int.TryParse(line.AsSpan(5).Trim(), out var parent) ? parent : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
