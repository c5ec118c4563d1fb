namespace FleetPods.Security;

/// <summary>
/// Writes a PKI file whole or not at all: into a temporary file created with its final mode (so a key is never readable
/// by others, even for an instant and whatever the umask), flushed to disk, then renamed into place.
/// </summary>
public static class PkiFile
{
    public const UnixFileMode PrivateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    public const UnixFileMode PublicMode = PrivateMode | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    /// <summary>Writes a new file; refuses to replace one that exists.</summary>
    /// <exception cref="PkiException">It exists, or cannot be written; the message names the path.</exception>
    public static void Create(string path, string content, UnixFileMode mode) => Write(path, content, mode, replace: false);

    /// <summary>Writes a file, replacing any that was there in one rename (readers see the old or the new, never half).</summary>
    /// <exception cref="PkiException">It cannot be written; the message names the path.</exception>
    public static void Replace(string path, string content, UnixFileMode mode) => Write(path, content, mode, replace: true);

    private static void Write(string path, string content, UnixFileMode mode, bool replace)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(content);
        var full = Path.GetFullPath(path);
        if (!replace && (File.Exists(full) || Directory.Exists(full)))
        {
            throw new PkiException($"{full} exists; not overwriting it");
        }

        var temporary = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = mode,
            }))
            {
                // The umask may have taken bits from a public file; a private one it can only keep private.
                File.SetUnixFileMode(stream.SafeFileHandle, mode);
                stream.Write(System.Text.Encoding.ASCII.GetBytes(content));
                stream.Flush(flushToDisk: true);
            }

            // Without overwrite, .NET links the new name (failing if it exists) and unlinks the temporary: no race
            // with another writer of the same path.
            File.Move(temporary, full, overwrite: replace);
        }
        catch (IOException ex) when (!replace && File.Exists(full))
        {
            throw new PkiException($"{full} exists; not overwriting it", ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new PkiException($"{full}: {PkiException.OneLine(ex.Message)}", ex);
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}
