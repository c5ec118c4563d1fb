namespace FleetPods.Silo.FrontDoor;

/// <summary>
/// <c>/run/fleetpods</c>, where fleetpodsd's sockets live. Everyone may enter it (0755), as anyone may reach the API
/// socket and be told who they are; each socket's own mode says who may connect.
/// </summary>
public static class RuntimeDirectory
{
    public const string Path = "/run/fleetpods";

    private const UnixFileMode Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    /// <summary>Creates the directory, or takes the one there if it is a real directory, and gives it mode 0755.</summary>
    /// <exception cref="IOException">It is a symbolic link (someone could point it anywhere) or not a directory.</exception>
    public static void Prepare(string path = Path)
    {
        var info = new DirectoryInfo(path);
        if (info.LinkTarget is not null)
        {
            throw new IOException($"{path} is a symbolic link; fleetpodsd's sockets need a real directory");
        }

        if (File.Exists(path))
        {
            throw new IOException($"{path} is a file; fleetpodsd's sockets need a directory there");
        }

        Directory.CreateDirectory(path, Mode);
        // An existing directory keeps its mode: a wider one would let others replace the sockets in it.
        File.SetUnixFileMode(path, Mode);
    }
}
