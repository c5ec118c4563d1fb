namespace FleetPods.NodeRuntime;

/// <summary>A mounted cgroup hierarchy: v2 (<c>cgroup2</c>), or v1 with the controllers bound to it.</summary>
/// <param name="Root">The hierarchy's directory that is mounted (not "/" inside a container's cgroup namespace).</param>
internal sealed record CgroupMount(string Root, string MountPoint, bool Version2, IReadOnlyList<string> Controllers)
{
    /// <summary>The cgroup mounts in /proc/self/mountinfo's lines.</summary>
    public static List<CgroupMount> ReadAll(IEnumerable<string> mountInfo) => [.. mountInfo.Select(Parse).OfType<CgroupMount>()];

    // mountinfo: "id parent major:minor root mount-point options [optional...] - fstype source super-options"
    private static CgroupMount? Parse(string line)
    {
        var fields = line.Split(' ');
        var separator = Array.IndexOf(fields, "-");
        if (separator < 5 || separator + 3 >= fields.Length)
        {
            return null;
        }

        return fields[separator + 1] switch
        {
            "cgroup2" => new CgroupMount(fields[3], fields[4], true, []),
            "cgroup" => new CgroupMount(fields[3], fields[4], false, [.. fields[separator + 3].Split(',')]),
            _ => null,
        };
    }
}
