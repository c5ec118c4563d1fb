using System.Runtime.InteropServices;
using System.Text;
using static Tmds.Linux.LibC;

namespace FleetPods.NodeRuntime.Images;

/// <summary>
/// How overlayfs itself marks deletions, so cached OCI layers stack as overlay lower dirs unchanged (as
/// containerd's overlay snapshotter stores them): a deleted path is a character device 0/0, an opaque directory
/// carries <c>trusted.overlay.opaque=y</c>. Tmds.LibC has no setxattr, so that one call is bound here.
/// </summary>
internal static partial class OverlayWhiteouts
{
    private const string OpaqueAttribute = "trusted.overlay.opaque";

    public static unsafe int MakeWhiteout(string path)
    {
        fixed (byte* p = Encoding.UTF8.GetBytes(path + "\0"))
        {
            return mknod(p, S_IFCHR, 0);
        }
    }

    public static int MarkOpaque(string directory) => lsetxattr(directory, OpaqueAttribute, "y"u8.ToArray(), 1, 0);

    public static unsafe bool IsWhiteout(string path)
    {
        Tmds.Linux.stat status;
        fixed (byte* p = Encoding.UTF8.GetBytes(path + "\0"))
        {
            return lstat(p, &status) == 0 && ((int)status.st_mode & (int)S_IFMT) == (int)S_IFCHR && (ulong)status.st_rdev == 0;
        }
    }

    [LibraryImport("libc", EntryPoint = "lsetxattr", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int lsetxattr(string path, string name, byte[] value, nuint size, int flags);
}
