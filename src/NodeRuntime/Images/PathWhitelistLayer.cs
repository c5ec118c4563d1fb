using System.Text;
using static Tmds.Linux.LibC;

namespace FleetPods.NodeRuntime.Images;

/// <summary>
/// appc's pathWhitelist as one more overlay layer: a whiteout for every path of the lower layers that is neither
/// listed nor on the way to something listed. The directories the whiteouts sit in copy the owner and mode of the
/// lower directory they cover, since an upper directory's attributes are the ones a pod sees.
/// </summary>
internal static class PathWhitelistLayer
{
    public static void Build(IReadOnlyList<string> lowersBottomFirst, IReadOnlyList<string> whitelist, string target)
    {
        var keep = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in whitelist)
        {
            var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
            for (var i = 1; i <= parts.Length; i++)
            {
                keep.Add(string.Join('/', parts[..i]));
            }
        }

        var present = new SortedSet<string>(StringComparer.Ordinal);
        var walk = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = false };
        foreach (var lower in lowersBottomFirst)
        {
            foreach (var entry in Directory.EnumerateFileSystemEntries(lower, "*", walk))
            {
                present.Add(Path.GetRelativePath(lower, entry));
            }
        }

        Directory.CreateDirectory(target);
        foreach (var path in present.Where(p => !keep.Contains(p)))
        {
            var parent = Path.GetDirectoryName(path) ?? "";
            if (parent.Length > 0 && !keep.Contains(parent))
            {
                continue;
            }

            CreateParents(lowersBottomFirst, target, parent);
            var whiteout = Path.Combine(target, path);
            if (!OverlayWhiteouts.IsWhiteout(whiteout) && OverlayWhiteouts.MakeWhiteout(whiteout) != 0)
            {
                throw new IOException($"cannot hide {path} for the path whitelist: errno {errno}");
            }
        }
    }

    private static void CreateParents(IReadOnlyList<string> lowersBottomFirst, string target, string parent)
    {
        if (parent.Length == 0)
        {
            return;
        }

        var current = "";
        foreach (var part in parent.Split('/'))
        {
            current = current.Length == 0 ? part : current + "/" + part;
            var directory = Path.Combine(target, current);
            if (Directory.Exists(directory))
            {
                continue;
            }

            Directory.CreateDirectory(directory);
            var source = lowersBottomFirst.Reverse().Select(l => Path.Combine(l, current)).First(Directory.Exists);
            CopyOwnerAndMode(source, directory);
        }
    }

    private static unsafe void CopyOwnerAndMode(string source, string target)
    {
        Tmds.Linux.stat status;
        fixed (byte* s = Encoding.UTF8.GetBytes(source + "\0"), t = Encoding.UTF8.GetBytes(target + "\0"))
        {
            if (stat(s, &status) != 0 || chown(t, status.st_uid, status.st_gid) != 0 || chmod(t, (Tmds.Linux.mode_t)((int)status.st_mode & 0xFFF)) != 0)
            {
                throw new IOException($"cannot copy the owner and mode of {source}: errno {errno}");
            }
        }
    }
}
