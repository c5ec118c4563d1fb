namespace FleetPods.Grains.Security;

/// <summary>
/// A path as this node's file system resolves it (realpath(3)): every symbolic link followed and <c>..</c> taken after
/// them, so <c>/srv/data/../../etc</c> or a link planted below a shared directory cannot pass for the directory.
/// Only meaningful on the node that owns the path: the node grain, which lives on its node's silo.
/// </summary>
internal static class NodePath
{
    private const int MaxLinks = 40;

    /// <summary>The resolved absolute path, or null when it (or a link on the way) does not exist or links loop.</summary>
    public static string? Resolve(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!path.StartsWith('/'))
        {
            return null;
        }

        var pending = new LinkedList<string>(path.Split('/', StringSplitOptions.RemoveEmptyEntries));
        var resolved = "/";
        var links = 0;
        while (pending.First is { } first)
        {
            pending.RemoveFirst();
            var part = first.Value;
            if (part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                resolved = Path.GetDirectoryName(resolved) ?? "/";
                continue;
            }

            var next = resolved == "/" ? "/" + part : resolved + "/" + part;
            var info = new FileInfo(next);
            if (info.LinkTarget is { } target)
            {
                if (++links > MaxLinks)
                {
                    return null;
                }

                foreach (var component in target.Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse())
                {
                    pending.AddFirst(component);
                }

                if (target.StartsWith('/'))
                {
                    resolved = "/";
                }

                continue;
            }

            if (!info.Exists && !Directory.Exists(next))
            {
                return null;
            }

            resolved = next;
        }

        return resolved;
    }
}
