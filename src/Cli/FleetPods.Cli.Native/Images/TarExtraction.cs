using System.Formats.Tar;
using System.Runtime.InteropServices;

namespace FleetPods.Cli.Native.Images;

/// <summary>
/// Unpacks the tar stream of <c>image extract</c> into a new directory, as the caller. The stream comes from a daemon,
/// whose image came from anyone, so every entry must land inside the directory: an absolute name, a <c>..</c>, a
/// path through a symlink (one the stream itself made) or a hard link to something outside is refused, as is a device
/// node or a fifo; ownership is the caller's and modes keep only the permission bits (no setuid). A refused stream
/// leaves no directory behind.
/// </summary>
internal static partial class TarExtraction
{
    private const UnixFileMode PermissionBits = (UnixFileMode)0x1FF; // 0777

    /// <exception cref="CliException">The directory exists or cannot be made, or an entry is refused.</exception>
    public static async Task Extract(Stream tar, string directory, CancellationToken cancellationToken)
    {
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        if (Path.Exists(root) || new FileInfo(root).LinkTarget is not null)
        {
            throw new CliException($"{root} already exists");
        }

        try
        {
            Directory.CreateDirectory(root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot create {root}: {ex.Message}");
        }

        try
        {
            await ExtractInto(tar, root, cancellationToken);
        }
        catch
        {
            // Recursive delete removes symlinks, never what they point at.
            Directory.Delete(root, recursive: true);
            throw;
        }
    }

    private static async Task ExtractInto(Stream tar, string root, CancellationToken cancellationToken)
    {
        var directoryModes = new List<(string Path, UnixFileMode Mode)> { (root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute) };
        await using var reader = new TarReader(tar);
        while (await reader.GetNextEntryAsync(copyData: false, cancellationToken) is { } entry)
        {
            var path = Target(root, entry.Name);
            RefuseLinkedAncestors(root, path, entry.Name);
            var mode = entry.Mode & PermissionBits;
            switch (entry.EntryType)
            {
                case TarEntryType.Directory:
                    if (path == root)
                    {
                        directoryModes[0] = (root, mode);
                        break;
                    }

                    if (new FileInfo(path).LinkTarget is not null || File.Exists(path))
                    {
                        throw Refused(entry.Name, "a directory over a file or symlink of the same name");
                    }

                    Directory.CreateDirectory(path);
                    directoryModes.Add((path, mode));
                    break;
                case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                    ReplaceNonDirectory(path, entry.Name);
                    await using (var file = ExportFile.Create(path, UnixFileMode.UserRead | UnixFileMode.UserWrite))
                    {
                        if (entry.DataStream is { } data)
                        {
                            await ExportFile.Copy(data, file, path, cancellationToken);
                        }
                    }

                    File.SetUnixFileMode(path, mode);
                    break;
                case TarEntryType.SymbolicLink:
                    // A symlink may point anywhere: nothing here ever follows it (see RefuseLinkedAncestors).
                    ReplaceNonDirectory(path, entry.Name);
                    File.CreateSymbolicLink(path, entry.LinkName);
                    break;
                case TarEntryType.HardLink:
                    var existing = Target(root, entry.LinkName);
                    RefuseLinkedAncestors(root, existing, entry.LinkName);
                    if (new FileInfo(existing) is not { Exists: true, LinkTarget: null })
                    {
                        throw Refused(entry.Name, $"a hard link to '{entry.LinkName}', which is no regular file of this image");
                    }

                    ReplaceNonDirectory(path, entry.Name);
                    if (Link(existing, path) != 0)
                    {
                        throw new CliException($"cannot link {path} to {existing}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
                    }

                    break;
                default:
                    throw Refused(entry.Name, $"a {entry.EntryType} entry (only directories, files and links are extracted)");
            }
        }

        // Deepest first, so a directory made read-only still let its contents be written.
        foreach (var (path, mode) in directoryModes.OrderByDescending(d => d.Path.Length))
        {
            File.SetUnixFileMode(path, mode);
        }
    }

    /// <summary>Where an entry goes: inside <paramref name="root"/>, or refused.</summary>
    public static string Target(string root, string name)
    {
        if (name.Length == 0 || name.StartsWith('/'))
        {
            throw Refused(name, "an absolute path");
        }

        if (name.Split('/').Contains(".."))
        {
            throw Refused(name, "a path with '..'");
        }

        var path = Path.TrimEndingDirectorySeparator(Path.GetFullPath(Path.Combine(root, name)));
        return path == root || path.StartsWith(root + "/", StringComparison.Ordinal) ? path : throw Refused(name, "a path outside the directory");
    }

    // Every directory between the root and the entry must be a real directory: a symlink the stream made earlier
    // (say etc -> /etc) would otherwise carry a later entry (etc/passwd) outside.
    private static void RefuseLinkedAncestors(string root, string path, string name)
    {
        var relative = Path.GetRelativePath(root, path);
        var current = root;
        var parts = relative.Split('/');
        for (var i = 0; i < parts.Length - 1; i++)
        {
            current = Path.Combine(current, parts[i]);
            if (new DirectoryInfo(current).LinkTarget is not null)
            {
                throw Refused(name, $"a path through the symlink {Path.GetRelativePath(root, current)}");
            }
        }
    }

    // A later entry replaces an earlier one of the same name, as tar does; a directory is never replaced by a file.
    private static void ReplaceNonDirectory(string path, string name)
    {
        if (new FileInfo(path).LinkTarget is not null || File.Exists(path))
        {
            File.Delete(path);
        }
        else if (Directory.Exists(path))
        {
            throw Refused(name, "a file over a directory of the same name");
        }
    }

    private static CliException Refused(string name, string why) => new($"image extract: refused the entry '{name}': {why}");

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Link(string existing, string created);
}
