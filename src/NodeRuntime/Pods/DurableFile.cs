using System.Text;
using Microsoft.Win32.SafeHandles;
using static Tmds.Linux.LibC;

namespace FleetPods.NodeRuntime.Pods;

/// <summary>
/// A file that a reader finds either whole or not at all, also after a crash of the daemon or the machine: the
/// content goes to a temporary file in the same directory, which is flushed to disk and renamed over the name; the
/// directory is flushed too, so the rename itself survives a power cut.
/// </summary>
internal static class DurableFile
{
    /// <summary>The prefix of a temporary file; one a crash left behind is never read, and goes with its directory.</summary>
    public const string TemporaryPrefix = ".tmp-";

    public static async Task WriteAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var temporary = Path.Combine(directory, $"{TemporaryPrefix}{Path.GetFileName(path)}-{Guid.NewGuid():N}");
        try
        {
            await using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0))
            {
                await stream.WriteAsync(content, cancellationToken);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
            SyncDirectory(directory);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private static unsafe void SyncDirectory(string directory)
    {
        int fd;
        fixed (byte* pointer = Encoding.UTF8.GetBytes(directory + "\0"))
        {
            fd = open(pointer, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        }

        if (fd < 0)
        {
            throw new IOException($"open {directory}: errno {errno}");
        }

        using var handle = new SafeFileHandle(fd, ownsHandle: true);
        if (fsync(fd) != 0)
        {
            throw new IOException($"fsync {directory}: errno {errno}");
        }
    }
}
