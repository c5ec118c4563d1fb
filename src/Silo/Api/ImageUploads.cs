using FleetPods.Silo.FrontDoor;

namespace FleetPods.Silo.Api;

/// <summary>
/// Where an archive a caller sends (or an image the daemon unpacks for one) waits: a directory of its own under
/// the daemon's data directory, root's alone, removed when the request ends. The image store then reads the
/// daemon's own file, never a path a caller named.
/// </summary>
public sealed class ImageUploads(DaemonOptions options)
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private string Root => Path.Combine(options.DataDirectory, "api-uploads");

    /// <summary>Removes what uploads of a daemon that was killed left; at start, before any request.</summary>
    public void RemoveLeftovers()
    {
        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }

    /// <summary>A new empty directory; the caller deletes it.</summary>
    public string NewDirectory()
    {
        Directory.CreateDirectory(Root, OwnerOnly);
        File.SetUnixFileMode(Root, OwnerOnly);
        var directory = Path.Combine(Root, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory, OwnerOnly);
        return directory;
    }

    /// <summary>
    /// The file name an archive is kept under: the caller's own file name when given (an OCI or docker image with no
    /// name of its own is named after it, as when imported from a path), else <c>image</c>.
    /// </summary>
    /// <exception cref="BadRequestException">The name is not one file name.</exception>
    public static string ArchiveName(string? filename)
    {
        if (filename is null)
        {
            return "image";
        }

        if (filename.Length is 0 or > 255 || filename is "." or ".." || filename.Contains('/', StringComparison.Ordinal) || filename.Contains('\0', StringComparison.Ordinal))
        {
            throw new BadRequestException($"filename='{filename}' is not a file name (no '/', at most 255 bytes)");
        }

        return filename;
    }

    public static void Remove(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // Nothing was written.
        }
    }
}
