namespace FleetPods.NodeRuntime.Kvm;

/// <summary>
/// The kernels deploy/build-guest-kernel.sh built: <c>DIRECTORY/VERSION-HASH/vmlinux</c>, VERSION being Debian's
/// linux-source package version and HASH the config fragment's. A directory appears only once its kernel is complete
/// (the script renames it into place), so any <c>vmlinux</c> found here is whole.
/// </summary>
internal static class BuiltGuestKernels
{
    /// <summary>Where the script puts them, and where fleetpodsd looks by default.</summary>
    public const string DefaultDirectory = "/var/cache/fleetpods/guest-kernel";

    /// <summary>The vmlinux of the newest linux-source version (of its builds, the latest), or null when none is built.</summary>
    public static string? Newest(string directory)
    {
        if (!Directory.Exists(directory))
        {
            return null;
        }

        return Directory.GetDirectories(directory)
            .Select(d => (Name: Path.GetFileName(d), Kernel: Path.Combine(d, "vmlinux")))
            .Where(b => !b.Name.StartsWith('.') && b.Name.LastIndexOf('-') > 0 && File.Exists(b.Kernel))
            .OrderBy(b => b.Name[..b.Name.LastIndexOf('-')], GuestKernel.ReleaseOrder.Instance)
            .ThenBy(b => File.GetLastWriteTimeUtc(b.Kernel))
            .Select(b => b.Kernel)
            .LastOrDefault();
    }
}
