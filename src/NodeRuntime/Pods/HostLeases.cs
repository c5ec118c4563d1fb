namespace FleetPods.NodeRuntime.Pods;

/// <summary>
/// What pods hold of the machine that no two may share (an address, a range of user ids, a host port), as one
/// file per thing in a machine-wide directory, made with O_EXCL and naming the owning pod's directory. Machine-wide,
/// not per data directory, since every runtime on the machine shares its bridge, its ids and its ports. A lease whose
/// pod has ended (or whose directory is gone) is stale and is taken over, so a daemon killed mid-way leaks nothing.
/// Taking over happens under an exclusive lock of the directory (flock, through FileShare.None), so two runtimes that
/// find the same stale lease cannot both take it.
/// </summary>
internal sealed class HostLeases(string directory)
{
    private static readonly TimeSpan LockWait = TimeSpan.FromSeconds(10);

    /// <summary>Takes the lease <paramref name="name"/> for <paramref name="owner"/>; false when a running pod holds it.</summary>
    public bool TryTake(string name, PodDirectory owner)
    {
        ArgumentNullException.ThrowIfNull(owner);
        Directory.CreateDirectory(directory);
        using var exclusive = Lock();
        var path = Path.Combine(directory, name);
        for (var attempt = 0; attempt < 2; attempt++)
        {
            try
            {
                using var lease = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
                lease.Write(System.Text.Encoding.UTF8.GetBytes(owner.Root));
                return true;
            }
            catch (IOException) when (File.Exists(path))
            {
                var holder = ReadHolder(path);
                if (holder == owner.Root)
                {
                    return true;
                }

                if (holder is not null && Directory.Exists(holder) && new PodDirectory(holder).ReadEnd() is null)
                {
                    return false;
                }

                File.Delete(path);
            }
        }

        return false;
    }

    /// <summary>Removes every stale lease (its pod ended or its directory is gone): what killed daemons and deleted trees left.</summary>
    public int SweepStale()
    {
        if (!Directory.Exists(directory))
        {
            return 0;
        }

        using var exclusive = Lock();
        var removed = 0;
        foreach (var path in Directory.GetFiles(directory).Where(p => !Path.GetFileName(p).StartsWith('.')))
        {
            var holder = ReadHolder(path);
            if (holder is null || !Directory.Exists(holder) || new PodDirectory(holder).ReadEnd() is not null)
            {
                File.Delete(path);
                removed++;
            }
        }

        return removed;
    }

    /// <summary>Gives a lease back if <paramref name="owner"/> holds it.</summary>
    public void Release(string name, PodDirectory owner)
    {
        ArgumentNullException.ThrowIfNull(owner);
        var path = Path.Combine(directory, name);
        if (ReadHolder(path) == owner.Root)
        {
            File.Delete(path);
        }
    }

    private FileStream Lock()
    {
        var deadline = DateTime.UtcNow + LockWait;
        while (true)
        {
            try
            {
                return new FileStream(Path.Combine(directory, ".lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(5);
            }
        }
    }

    /// <summary>The pod directory holding a lease, or null.</summary>
    public string? Holder(string name) => ReadHolder(Path.Combine(directory, name));

    private static string? ReadHolder(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
