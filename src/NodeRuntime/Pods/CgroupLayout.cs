namespace FleetPods.NodeRuntime.Pods;

/// <summary>
/// Where this node makes its pods' cgroups, one directory per hierarchy that carries a controller pods are
/// limited by (memory, cpu, pids): a <c>fleetpods</c> directory at the hierarchy's root, as Docker's cgroupfs driver
/// keeps <c>/docker</c>. Not below the daemon's own cgroup: that belongs to whoever started the daemon (a systemd
/// unit, a job), which must stay free to remove it, and v2 lets no cgroup hold both processes and controllers
/// for its children. cgroup v1 is used for every controller bound to a v1 hierarchy (as on these machines, whose
/// v2 mount beside them holds no such controller), v2 for the rest where its root offers them.
/// </summary>
internal sealed record CgroupLayout(IReadOnlyList<CgroupHierarchy> Hierarchies)
{
    public static readonly string[] Controllers = ["memory", "cpu", "pids"];

    public static CgroupLayout Detect() => Detect(File.ReadLines("/proc/self/mountinfo"), path => File.Exists(path) ? File.ReadAllText(path) : null);

    /// <param name="readFile">Reads a file of the cgroup tree, or null when it is missing (tests give a fake tree).</param>
    public static CgroupLayout Detect(IEnumerable<string> mountInfo, Func<string, string?> readFile)
    {
        ArgumentNullException.ThrowIfNull(readFile);
        var mounts = CgroupMount.ReadAll(mountInfo);
        var hierarchies = new List<CgroupHierarchy>();
        var remaining = new List<string>(Controllers);
        foreach (var mount in mounts.Where(m => !m.Version2))
        {
            var controllers = remaining.Where(mount.Controllers.Contains).ToList();
            if (controllers.Count == 0)
            {
                continue;
            }

            hierarchies.Add(new CgroupHierarchy(Join(mount.MountPoint, "fleetpods"), false, controllers, mount.MountPoint));
            remaining.RemoveAll(controllers.Contains);
        }

        if (remaining.Count > 0 && mounts.FirstOrDefault(m => m.Version2) is { } unified)
        {
            var offered = (readFile(Path.Combine(unified.MountPoint, "cgroup.controllers")) ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var controllers = remaining.Where(offered.Contains).ToList();
            if (controllers.Count > 0)
            {
                hierarchies.Add(new CgroupHierarchy(Join(unified.MountPoint, "fleetpods"), true, controllers, unified.MountPoint));
            }
        }

        return new CgroupLayout(hierarchies);
    }

    private static string Join(string mountPoint, string leaf) => Path.TrimEndingDirectorySeparator(mountPoint) + "/" + leaf;
}
