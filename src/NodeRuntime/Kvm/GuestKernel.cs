using System.Collections.Concurrent;
using System.Text;

namespace FleetPods.NodeRuntime.Kvm;

/// <summary>
/// The kernel a stage1 <c>kvm</c> pod boots: an x86 bzImage (Debian's <c>/boot/vmlinuz-*</c>), or an uncompressed
/// x86-64 ELF <c>vmlinux</c> that qemu enters through its PVH note (the kernel deploy/build-guest-kernel.sh builds).
/// Its release (<c>6.1.0-57-amd64</c>) is read from the kernel itself, so a kernel copied under another name still
/// finds its modules; <see cref="Modular"/> says whether the guest's init must load virtio and 9p from them.
/// </summary>
internal sealed record GuestKernel(string Path, string Release, GuestKernelFormat Format, bool Modular)
{
    private const int HeaderMagicOffset = 0x202; // "HdrS": the x86 boot protocol's setup header
    private const int VersionPointerOffset = 0x20e; // kernel_version: offset of the version string, minus 0x200

    // Find runs for every pod and every accelerator question; a vmlinux is read whole, so it is read once per version.
    private static readonly ConcurrentDictionary<(string Path, long Length, DateTime Written), GuestKernel> Read = new();

    /// <summary>
    /// The kernel at <paramref name="path"/>; when null, the newest kernel built into <paramref name="builtKernels"/>
    /// (see <see cref="BuiltGuestKernels"/>), else the newest <c>/boot/vmlinuz-*</c>.
    /// </summary>
    /// <exception cref="PodLaunchException">No kernel there, or not one qemu can boot directly.</exception>
    public static GuestKernel Find(string? path, string builtKernels)
    {
        if (path is not null)
        {
            return Open(path);
        }

        if (BuiltGuestKernels.Newest(builtKernels) is { } built)
        {
            return Open(built);
        }

        var newest = Directory.Exists("/boot")
            ? Directory.GetFiles("/boot", "vmlinuz-*").Select(Open).OrderBy(k => k.Release, ReleaseOrder.Instance).LastOrDefault()
            : null;
        return newest ?? throw new PodLaunchException($"stage1 kvm needs a guest kernel: none built in {builtKernels} (deploy/build-guest-kernel.sh) and no /boot/vmlinuz-* on this node (apt install linux-image-amd64, or --kvm-kernel)");
    }

    /// <summary>The kernel at <paramref name="path"/>, whichever of the two formats it is.</summary>
    /// <exception cref="PodLaunchException">Unreadable, or neither a bzImage nor a PVH vmlinux.</exception>
    public static GuestKernel Open(string path)
    {
        try
        {
            var file = new FileInfo(System.IO.Path.GetFullPath(path));
            if (!file.Exists)
            {
                throw new PodLaunchException($"guest kernel {path} does not exist");
            }

            return Read.GetOrAdd((file.FullName, file.Length, file.LastWriteTimeUtc), key => ReadKernel(key.Path));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new PodLaunchException($"guest kernel {path} cannot be read: {ex.Message}");
        }
    }

    private static GuestKernel ReadKernel(string path)
    {
        using var file = File.OpenRead(path);
        var header = new byte[0x400];
        var length = file.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        if (PvhVmlinux.IsElf(header.AsSpan(0, length)))
        {
            var vmlinux = PvhVmlinux.Read(path, file);
            return new GuestKernel(path, vmlinux.Release, GuestKernelFormat.PvhVmlinux, vmlinux.Modular);
        }

        if (length < header.Length || Encoding.ASCII.GetString(header, HeaderMagicOffset, 4) != "HdrS")
        {
            throw new PodLaunchException($"guest kernel {path} is neither an x86 bzImage nor an x86-64 ELF vmlinux with a PVH note");
        }

        var at = 0x200 + BitConverter.ToUInt16(header, VersionPointerOffset);
        var version = new byte[256];
        file.Position = at;
        var read = file.ReadAtLeast(version, version.Length, throwOnEndOfStream: false);
        var text = Encoding.ASCII.GetString(version, 0, read);
        var end = text.IndexOfAny([' ', '\0']);
        if (end <= 0)
        {
            throw new PodLaunchException($"guest kernel {path} is a bzImage without a version string");
        }

        // Debian's kernels load virtio-mmio, the console and 9p as modules from /lib/modules/RELEASE.
        return new GuestKernel(path, text[..end], GuestKernelFormat.BzImage, Modular: true);
    }

    /// <summary>Releases and versions by their numbers (6.1.0-56 before 6.1.0-100), then as text.</summary>
    internal sealed class ReleaseOrder : IComparer<string>
    {
        public static readonly ReleaseOrder Instance = new();

        public int Compare(string? x, string? y)
        {
            var left = Numbers(x ?? "");
            var right = Numbers(y ?? "");
            for (var i = 0; i < Math.Min(left.Length, right.Length); i++)
            {
                if (left[i] != right[i])
                {
                    return left[i].CompareTo(right[i]);
                }
            }

            return left.Length != right.Length ? left.Length.CompareTo(right.Length) : string.CompareOrdinal(x, y);
        }

        private static long[] Numbers(string release) =>
            [.. release.Split(['.', '-', '+', '_', '~'], StringSplitOptions.RemoveEmptyEntries).Select(p => long.TryParse(p, out var n) ? n : -1)];
    }
}
