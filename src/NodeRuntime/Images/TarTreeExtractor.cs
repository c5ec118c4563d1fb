using System.Formats.Tar;
using System.Text;
using static Tmds.Linux.LibC;

namespace FleetPods.NodeRuntime.Images;

/// <summary>
/// Writes an uncompressed tar stream (<see cref="ArchiveCompression"/> decompresses) into a fresh directory, as root,
/// for archives written by anyone. Nothing lands outside the directory: paths with <c>..</c> or a leading
/// <c>/</c> are refused, no entry is written through a symbolic link an earlier entry made, hard links
/// must point at a regular file inside the tree, device nodes and fifos are left out (a pod gets its
/// /dev from stage1), and the expanded size is capped.
/// With <paramref name="overlayWhiteouts"/> (OCI and docker layers), <c>.wh.NAME</c> entries become overlayfs
/// whiteouts of NAME and <c>.wh..wh..opq</c> marks its directory opaque, so the tree stacks as an overlay layer.
/// .NET's <see cref="TarReader"/> parses the headers (ustar, pax with its long names and ids, GNU long names) and tells
/// every entry's type; a damaged archive surfaces as <see cref="InvalidDataException"/> or <see cref="EndOfStreamException"/>.
/// </summary>
internal sealed class TarTreeExtractor(string archiveName, long maxBytes, bool overlayWhiteouts = false)
{
    private const int SymlinkNoFollow = 0x100; // AT_SYMLINK_NOFOLLOW
    private const string WhiteoutPrefix = ".wh.";
    private const string OpaqueMarker = ".wh..wh..opq";

    private long written;

    // Relative paths already seen to be real directories of this tree, so deep trees are not re-checked per entry.
    // Only a whiteout can remove a directory once made, and it forgets what it removed.
    private readonly HashSet<string> knownDirectories = new(StringComparer.Ordinal);

    /// <summary>Bytes of file content written so far.</summary>
    public long Written => written;

    public void Extract(Stream tar, string root)
    {
        ArgumentNullException.ThrowIfNull(tar);
        Directory.CreateDirectory(root);
        using var reader = new TarReader(tar, leaveOpen: true);
        while (reader.GetNextEntry(copyData: false) is { } entry)
        {
            // A pax global header only sets defaults (git archive's holds a comment); it names no file.
            if (entry.EntryType == TarEntryType.GlobalExtendedAttributes)
            {
                continue;
            }

            var relative = Normalize(entry.Name);
            if (relative.Length == 0)
            {
                continue;
            }

            var path = Path.Combine(root, relative);
            EnsureParents(root, relative);
            var name = Path.GetFileName(relative);
            if (overlayWhiteouts && name.StartsWith(WhiteoutPrefix, StringComparison.Ordinal))
            {
                WriteWhiteout(path, relative, name);
                continue;
            }

            var kind = KindOf(entry);
            switch (kind)
            {
                case TarEntryKind.Directory:
                    WriteDirectory(path, relative);
                    break;
                case TarEntryKind.File:
                    RemoveExisting(path, relative);
                    using (var target = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None))
                    {
                        if (entry.DataStream is { } data)
                        {
                            Copy(data, target, relative);
                        }
                    }

                    break;
                case TarEntryKind.SymbolicLink:
                    RemoveExisting(path, relative);
                    Check(Symlink(entry.LinkName, path), relative, "symlink");
                    break;
                case TarEntryKind.HardLink:
                    RemoveExisting(path, relative);
                    WriteHardLink(root, path, relative, entry.LinkName);
                    break;
                case TarEntryKind.Device or TarEntryKind.Fifo:
                    continue;
                default:
                    throw Refuse(relative, "is of a tar entry type images may not use");
            }

            SetOwnerAndMode(path, relative, entry, kind);
        }
    }

    private static TarEntryKind KindOf(TarEntry entry) => entry.EntryType switch
    {
        // Before ustar, a directory was a file entry whose name ends in '/'.
        TarEntryType.V7RegularFile when entry.Name.EndsWith('/') => TarEntryKind.Directory,
        TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile => TarEntryKind.File,
        TarEntryType.Directory => TarEntryKind.Directory,
        TarEntryType.SymbolicLink => TarEntryKind.SymbolicLink,
        TarEntryType.HardLink => TarEntryKind.HardLink,
        TarEntryType.CharacterDevice or TarEntryType.BlockDevice => TarEntryKind.Device,
        TarEntryType.Fifo => TarEntryKind.Fifo,
        _ => TarEntryKind.Other,
    };

    private string Normalize(string key) =>
        PathProblem(key) is { } problem ? throw Refuse(key, problem) : string.Join('/', Components(key));

    private static string? PathProblem(string key) =>
        key.Contains('\0', StringComparison.Ordinal) ? "has a NUL in its path"
        : key.StartsWith('/') ? "has an absolute path"
        : Components(key).Contains("..") ? "climbs out with '..'"
        : null;

    private static IEnumerable<string> Components(string key) =>
        key.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != ".");

    // Every directory on the way must be a real directory of this tree: an earlier entry may have
    // planted a symbolic link (say rootfs/etc -> /etc) to make a later one write through it.
    private void EnsureParents(string root, string relative)
    {
        var current = root;
        var parts = relative.Split('/');
        for (var i = 0; i < parts.Length - 1; i++)
        {
            current = Path.Combine(current, parts[i]);
            var prefix = current[(root.Length + 1)..];
            if (knownDirectories.Contains(prefix))
            {
                continue;
            }

            var info = new DirectoryInfo(current);
            if (info.LinkTarget is not null)
            {
                throw Refuse(relative, $"would be written through the symbolic link {string.Join('/', parts[..(i + 1)])}");
            }

            if (!info.Exists)
            {
                if (File.Exists(current))
                {
                    throw Refuse(relative, $"needs {string.Join('/', parts[..(i + 1)])} to be a directory, but it is a file");
                }

                Directory.CreateDirectory(current);
            }

            knownDirectories.Add(prefix);
        }
    }

    private void WriteWhiteout(string path, string relative, string name)
    {
        var directory = Path.GetDirectoryName(path)!;
        if (name == OpaqueMarker)
        {
            Check(OverlayWhiteouts.MarkOpaque(directory), relative, "marking the directory opaque");
            return;
        }

        var hiddenName = name[WhiteoutPrefix.Length..];
        if (hiddenName is "" or "." or ".." || hiddenName.StartsWith(WhiteoutPrefix, StringComparison.Ordinal))
        {
            throw Refuse(relative, "is a whiteout of no file a layer can hold");
        }

        var hidden = Path.Combine(directory, hiddenName);
        if (Directory.Exists(hidden) && new DirectoryInfo(hidden).LinkTarget is null)
        {
            Directory.Delete(hidden, recursive: true);
            var hiddenRelative = Path.Combine(Path.GetDirectoryName(relative) ?? "", hiddenName);
            knownDirectories.RemoveWhere(d => d == hiddenRelative || d.StartsWith(hiddenRelative + "/", StringComparison.Ordinal));
        }
        else
        {
            RemoveExisting(hidden, relative);
        }

        Check(OverlayWhiteouts.MakeWhiteout(hidden), relative, "whiteout");
    }

    private void WriteDirectory(string path, string relative)
    {
        var info = new DirectoryInfo(path);
        if (info.LinkTarget is not null || File.Exists(path))
        {
            RemoveExisting(path, relative);
        }

        Directory.CreateDirectory(path);
    }

    private void RemoveExisting(string path, string relative)
    {
        var info = new FileInfo(path);
        if (info.LinkTarget is not null || info.Exists)
        {
            info.Delete();
        }
        else if (Directory.Exists(path))
        {
            throw Refuse(relative, "would replace a directory");
        }
    }

    private void WriteHardLink(string root, string path, string relative, string linkTarget)
    {
        if (PathProblem(linkTarget) is { } problem)
        {
            throw Refuse(relative, $"is a hard link to '{linkTarget}', which {problem}");
        }

        var target = string.Join('/', Components(linkTarget));
        if (target.Length == 0)
        {
            throw Refuse(relative, "is a hard link to nothing");
        }

        // Checked before the target is looked at: looking would follow a planted symbolic link.
        EnsureParents(root, target);
        var targetPath = Path.Combine(root, target);
        var info = new FileInfo(targetPath);
        if (info.LinkTarget is not null || !info.Exists)
        {
            throw Refuse(relative, $"is a hard link to '{linkTarget}', which is not a regular file earlier in the archive");
        }

        Check(HardLink(targetPath, path), relative, "link");
    }

    private void Copy(Stream source, FileStream target, string relative)
    {
        var buffer = new byte[1 << 16];
        int read;
        while ((read = source.Read(buffer)) > 0)
        {
            written += read;
            if (written > maxBytes)
            {
                throw Refuse(relative, $"takes the image past its size limit of {maxBytes} bytes");
            }

            target.Write(buffer, 0, read);
        }
    }

    private unsafe void SetOwnerAndMode(string path, string relative, TarEntry entry, TarEntryKind kind)
    {
        var bytes = Encoding.UTF8.GetBytes(path + "\0");
        fixed (byte* p = bytes)
        {
            Check(fchownat(AT_FDCWD, p, (uint)entry.Uid, (uint)entry.Gid, SymlinkNoFollow), relative, "chown");
            if (kind != TarEntryKind.SymbolicLink)
            {
                Check(chmod(p, (ushort)((int)entry.Mode & 0xFFF)), relative, "chmod");
            }
        }

        if (kind == TarEntryKind.File)
        {
            File.SetLastWriteTimeUtc(path, entry.ModificationTime.UtcDateTime);
        }
    }

    private static unsafe int Symlink(string target, string path)
    {
        fixed (byte* t = Encoding.UTF8.GetBytes(target + "\0"), p = Encoding.UTF8.GetBytes(path + "\0"))
        {
            return symlink(t, p);
        }
    }

    private static unsafe int HardLink(string existing, string path)
    {
        fixed (byte* e = Encoding.UTF8.GetBytes(existing + "\0"), p = Encoding.UTF8.GetBytes(path + "\0"))
        {
            return link(e, p);
        }
    }

    private void Check(int result, string relative, string operation)
    {
        if (result != 0)
        {
            throw Refuse(relative, $"{operation} failed: errno {errno}");
        }
    }

    private ImageImportException Refuse(string entry, string problem) => new($"{archiveName}: entry '{entry}' {problem}");
}
