namespace FleetPods.NodeRuntime.Pods;

/// <summary>
/// Where this node makes its pods' cgroups, one directory per hierarchy that carries a controller pods are
/// limited by (memory, cpu, pids). cgroup v1 hierarchies (as on these machines, with a v2 mount beside them
/// that holds no such controller) get a <c>fleetpods</c> directory under this process's own cgroup, so pods
/// stay within the limits the node itself runs under; a v2 hierarchy that offers the controllers gets one at
/// its root, since v2 lets no cgroup hold both processes and controllers for its children.
/// </summary>
internal sealed record CgroupLayout(IReadOnlyList<CgroupHierarchy> Hierarchies)
{
    public static readonly string[] Controllers = ["memory", "cpu", "pids"];

    public static CgroupLayout Detect() => Detect(
        File.ReadLines("/proc/self/mountinfo"),
        File.ReadLines("/proc/self/cgroup"),
        path => File.Exists(path) ? File.ReadAllText(path) : null);

    /// <param name="readFile">Reads a file of the cgroup tree, or null when it is missing (tests give a fake tree).</param>
    public static CgroupLayout Detect(IEnumerable<string> mountInfo, IEnumerable<string> selfCgroup, Func<string, string?> readFile)
    {
        ArgumentNullException.ThrowIfNull(readFile);
        var mounts = CgroupMount.ReadAll(mountInfo);
        var paths = selfCgroup.Select(line => line.Split(':', 3)).Where(f => f.Length == 3).ToList();
        var hierarchies = new List<CgroupHierarchy>();
        var remaining = new List<string>(Controllers);
        foreach (var mount in mounts.Where(m => !m.Version2))
        {
            var controllers = remaining.Where(mount.Controllers.Contains).ToList();
            var own = paths.FirstOrDefault(f => f[1].Split(',').Intersect(controllers).Any());
            if (controllers.Count == 0 || own is null)
            {
                continue;
            }

            var relative = mount.Root != "/" && own[2].StartsWith(mount.Root, StringComparison.Ordinal) ? own[2][mount.Root.Length..] : own[2];
            hierarchies.Add(new CgroupHierarchy(Join(mount.MountPoint, relative, "fleetpods"), false, controllers, mount.MountPoint));
            remaining.RemoveAll(controllers.Contains);
        }

        if (remaining.Count > 0 && mounts.FirstOrDefault(m => m.Version2) is { } unified)
        {
            var offered = (readFile(Path.Combine(unified.MountPoint, "cgroup.controllers")) ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var controllers = remaining.Where(offered.Contains).ToList();
            if (controllers.Count > 0)
            {
                hierarchies.Add(new CgroupHierarchy(Join(unified.MountPoint, "/", "fleetpods"), true, controllers, unified.MountPoint));
            }
        }

        return new CgroupLayout(hierarchies);
    }

    private static string Join(string mountPoint, string relative, string leaf) =>
        Path.TrimEndingDirectorySeparator(mountPoint) + "/" + (relative.Trim('/').Length > 0 ? relative.Trim('/') + "/" : "") + leaf;
}
