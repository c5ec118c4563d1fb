namespace FleetPods.Cli.Native.Images;

/// <summary>Writes an archive the API streams to a new file, as the caller (its rights, its umask on 0644); a failed copy leaves no partial file.</summary>
internal static class ExportFile
{
    private const UnixFileMode ReadableByAll = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    /// <exception cref="CliException">The path exists or cannot be written.</exception>
    public static async Task Write(Stream archive, string target, CancellationToken cancellationToken)
    {
        if (Path.Exists(target) || new FileInfo(target).LinkTarget is not null)
        {
            throw new CliException($"{target} already exists");
        }

        var file = Create(target);
        try
        {
            await using (file)
            {
                await Copy(archive, file, target, cancellationToken);
            }
        }
        catch
        {
            File.Delete(target);
            throw;
        }
    }

    /// <summary>A new file (never one that exists, nor through a symlink at its path), written with the caller's rights.</summary>
    /// <exception cref="CliException">It exists or cannot be made.</exception>
    public static FileStream Create(string path, UnixFileMode mode = ReadableByAll)
    {
        try
        {
            return new FileStream(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = mode });
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot create {path}: {ex.Message}");
        }
    }

    /// <summary>Copies the API's stream to a local file; a failure to write is the file's, named as such, not the connection's.</summary>
    public static async Task Copy(Stream from, Stream to, string path, CancellationToken cancellationToken)
    {
        var buffer = new byte[81920];
        int read;
        while ((read = await from.ReadAsync(buffer, cancellationToken)) > 0)
        {
            try
            {
                await to.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            }
            catch (IOException ex)
            {
                throw new CliException($"cannot write {path}: {ex.Message}");
            }
        }
    }
}
