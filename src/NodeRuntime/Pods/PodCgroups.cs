using System.Globalization;

namespace FleetPods.NodeRuntime.Pods;

/// <summary>
/// A pod's cgroups, one per hierarchy of the node's <see cref="CgroupLayout"/>, with its limits written before
/// the pod's first process joins them (the supervisor puts it there; the supervisor itself stays outside, so
/// the pod's memory limit can never kill the process that records the pod's end).
/// </summary>
internal static class PodCgroups
{
    private const long CpuPeriodMicros = 100_000;

    /// <summary>Makes the pod's cgroups with their limits; returns their directories and the file whose oom_kill counter tells of an OOM kill.</summary>
    /// <exception cref="PodLaunchException">A cgroup could not be made or limited; the message names the file.</exception>
    public static (IReadOnlyList<string> Directories, string? OomEvents) Create(CgroupLayout layout, string podId, long? memoryBytes, int? cpuMillis, int pidsLimit)
    {
        ArgumentNullException.ThrowIfNull(layout);
        var directories = new List<string>();
        string? oomEvents = null;
        try
        {
            foreach (var hierarchy in layout.Hierarchies)
            {
                var directory = Path.Combine(hierarchy.Directory, podId);
                if (hierarchy.Version2)
                {
                    Delegate(hierarchy);
                }

                Directory.CreateDirectory(directory);
                directories.Add(directory);
                foreach (var controller in hierarchy.Controllers)
                {
                    var events = Limit(directory, hierarchy.Version2, controller, memoryBytes, cpuMillis, pidsLimit);
                    oomEvents ??= events;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Remove(directories);
            throw new PodLaunchException($"cannot make the pod's cgroups: {ex.Message}", ex);
        }

        return (directories, oomEvents);
    }

    /// <summary>
    /// Removes a pod's cgroups once its supervisor is gone. What is still in them is what nobody watches any more
    /// (a pod whose supervisor was killed dies by its parent-death signal a moment later; a fly app's children
    /// outlive it): it is killed, so the cgroups empty and go. A cgroup already gone is skipped.
    /// </summary>
    public static void Remove(IEnumerable<string> directories)
    {
        var remaining = directories.Where(Directory.Exists).ToList();
        for (var attempt = 0; attempt < 100 && remaining.Count > 0; attempt++)
        {
            foreach (var directory in remaining.ToList())
            {
                try
                {
                    Directory.Delete(directory);
                    remaining.Remove(directory);
                }
                catch (DirectoryNotFoundException)
                {
                    remaining.Remove(directory);
                }
                catch (IOException)
                {
                    KillAll(directory);
                }
            }

            if (remaining.Count > 0)
            {
                Thread.Sleep(10);
            }
        }
    }

    private static void KillAll(string directory)
    {
        try
        {
            foreach (var line in File.ReadAllLines(Path.Combine(directory, "cgroup.procs")))
            {
                if (int.TryParse(line, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && pid > 1)
                {
                    _ = Tmds.Linux.LibC.kill(pid, Tmds.Linux.LibC.SIGKILL);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Gone meanwhile: the next attempt removes it.
        }
    }

    // v2 hands controllers down one level at a time: the root and fleetpods/ must both enable them.
    private static void Delegate(CgroupHierarchy hierarchy)
    {
        var enable = string.Join(' ', hierarchy.Controllers.Select(c => "+" + c));
        File.WriteAllText(Path.Combine(hierarchy.MountPoint, "cgroup.subtree_control"), enable);
        Directory.CreateDirectory(hierarchy.Directory);
        File.WriteAllText(Path.Combine(hierarchy.Directory, "cgroup.subtree_control"), enable);
    }

    private static string? Limit(string directory, bool version2, string controller, long? memoryBytes, int? cpuMillis, int pidsLimit)
    {
        switch (controller)
        {
            case "memory":
                if (memoryBytes is { } memory)
                {
                    Write(directory, version2 ? "memory.max" : "memory.limit_in_bytes", memory.ToString(CultureInfo.InvariantCulture));
                    if (version2 && File.Exists(Path.Combine(directory, "memory.swap.max")))
                    {
                        Write(directory, "memory.swap.max", "0");
                    }
                }

                return Path.Combine(directory, version2 ? "memory.events" : "memory.oom_control");
            case "cpu" when cpuMillis is { } millis:
                var quota = Math.Max(1000, millis * CpuPeriodMicros / 1000);
                if (version2)
                {
                    Write(directory, "cpu.max", $"{quota} {CpuPeriodMicros}");
                }
                else
                {
                    Write(directory, "cpu.cfs_period_us", CpuPeriodMicros.ToString(CultureInfo.InvariantCulture));
                    Write(directory, "cpu.cfs_quota_us", quota.ToString(CultureInfo.InvariantCulture));
                }

                return null;
            case "pids":
                Write(directory, "pids.max", pidsLimit.ToString(CultureInfo.InvariantCulture));
                return null;
            default:
                return null;
        }
    }

    private static void Write(string directory, string file, string value) => File.WriteAllText(Path.Combine(directory, file), value);
}
