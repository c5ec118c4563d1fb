using System.Text;

namespace FleetPods.NodeRuntime.Kvm;

/// <summary>
/// The kernel a stage1 <c>kvm</c> pod boots, and its release (<c>6.1.0-56-amd64</c>), which names the
/// <c>/lib/modules</c> directory its modules come from. The release is read from the bzImage's own header, so a
/// kernel copied under another name still finds its modules.
/// </summary>
internal sealed record GuestKernel(string Path, string Release)
{
    private const int HeaderMagicOffset = 0x202; // "HdrS": the x86 boot protocol's setup header
    private const int VersionPointerOffset = 0x20e; // kernel_version: offset of the version string, minus 0x200

    /// <summary>The kernel at <paramref name="path"/>, or the newest <c>/boot/vmlinuz-*</c> when null.</summary>
    /// <exception cref="PodLaunchException">No kernel there, or not a bzImage.</exception>
    public static GuestKernel Find(string? path)
    {
        if (path is not null)
        {
            return Read(path);
        }

        var newest = Directory.Exists("/boot")
            ? Directory.GetFiles("/boot", "vmlinuz-*").Select(Read).OrderBy(k => k.Release, ReleaseOrder.Instance).LastOrDefault()
            : null;
        return newest ?? throw new PodLaunchException("stage1 kvm needs a guest kernel: no /boot/vmlinuz-* on this node (apt install linux-image-amd64, or --kvm-kernel)");
    }

    private static GuestKernel Read(string path)
    {
        try
        {
            using var file = File.OpenRead(path);
            var header = new byte[0x400];
            file.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
            if (Encoding.ASCII.GetString(header, HeaderMagicOffset, 4) != "HdrS")
            {
                throw new PodLaunchException($"guest kernel {path} is not an x86 bzImage");
            }

            var at = 0x200 + BitConverter.ToUInt16(header, VersionPointerOffset);
            var version = new byte[256];
            file.Position = at;
            var read = file.ReadAtLeast(version, version.Length, throwOnEndOfStream: false);
            var text = Encoding.ASCII.GetString(version, 0, read);
            var release = text[..text.IndexOfAny([' ', '\0'])];
            return new GuestKernel(System.IO.Path.GetFullPath(path), release);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new PodLaunchException($"guest kernel {path} cannot be read: {ex.Message}");
        }
    }

    /// <summary>Releases by their numbers (6.1.0-56 before 6.1.0-100), then as text.</summary>
    private sealed class ReleaseOrder : IComparer<string>
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
            [.. release.Split(['.', '-', '+', '_'], StringSplitOptions.RemoveEmptyEntries).Select(p => long.TryParse(p, out var n) ? n : -1)];
    }
}
