using System.Diagnostics;
using System.Text;
using static Tmds.Linux.LibC;

namespace FleetPods.NodeRuntime.Images;

/// <summary>
/// Writes an image's merged tree as plain files (for <c>Overlay=no</c> pods and <c>image extract</c>). Several
/// layers are merged by the kernel, through a read-only overlay mount of them, so whiteouts and opaque
/// directories mean exactly what they mean to a pod. GNU cp copies: it keeps owners, modes, links and times
/// exactly, and no package does this better.
/// </summary>
internal static class RootfsCopier
{
    private const int ReadOnly = 1; // MS_RDONLY
    private const int Detach = 2; // MNT_DETACH

    public static async Task CopyAsync(IReadOnlyList<string> lowersTopFirst, string target, string scratch, CancellationToken cancellationToken)
    {
        if (lowersTopFirst.Count == 1)
        {
            await Copy(lowersTopFirst[0], target, cancellationToken);
            return;
        }

        var merged = Path.Combine(scratch, ".merge-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(merged);
        try
        {
            Mount(merged, "lowerdir=" + string.Join(':', lowersTopFirst));
            try
            {
                await Copy(merged, target, cancellationToken);
            }
            finally
            {
                Unmount(merged);
            }
        }
        finally
        {
            Directory.Delete(merged);
        }
    }

    private static unsafe void Mount(string at, string options)
    {
        fixed (byte* source = "overlay\0"u8, target = Encoding.UTF8.GetBytes(at + "\0"), data = Encoding.UTF8.GetBytes(options + "\0"))
        {
            if (mount(source, target, source, (Tmds.Linux.ulong_t)ReadOnly, data) != 0)
            {
                throw new PodLaunchException($"cannot merge the image's layers with an overlay mount: errno {errno}");
            }
        }
    }

    private static unsafe void Unmount(string at)
    {
        fixed (byte* target = Encoding.UTF8.GetBytes(at + "\0"))
        {
            _ = umount2(target, Detach);
        }
    }

    private static async Task Copy(string source, string target, CancellationToken cancellationToken)
    {
        var copy = new ProcessStartInfo("cp") { RedirectStandardError = true, ArgumentList = { "-a", "--reflink=auto", "--", source, target } };
        using var process = Process.Start(copy) ?? throw new PodLaunchException("cp did not start");
        using var cancel = cancellationToken.Register(() => process.Kill());
        var error = await process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new PodLaunchException($"copying the image tree failed: {error.Trim()}");
        }
    }
}
