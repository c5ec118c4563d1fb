using System.Diagnostics;
using System.Security.Cryptography;

namespace FleetPods.NodeRuntime.Kvm;

/// <summary>
/// The initramfs every stage1 <c>kvm</c> pod of a kernel boots: our init (<c>fleetpods-guest-init</c>, built with the
/// shim) and the modules it loads (none for a kernel with everything built in), nothing else, so the kernel unpacks a
/// few MB. Built once per kernel and init
/// under the node's data directory, by GNU cpio (newc), into a temporary file renamed into place, so concurrent
/// pods and a daemon killed mid-build never see half an archive. Uncompressed: unpacking costs less than inflating.
/// </summary>
internal static class GuestInitramfs
{
    public static string DefaultInitPath => Path.Combine(AppContext.BaseDirectory, "fleetpods-guest-init");

    /// <summary>The initramfs for <paramref name="kernel"/>, built if this node has none yet.</summary>
    /// <exception cref="PodLaunchException">The init, a module or cpio is missing.</exception>
    public static async Task<string> EnsureAsync(string cacheDirectory, GuestKernel kernel, string initPath, CancellationToken cancellationToken)
    {
        if (!File.Exists(initPath))
        {
            throw new PodLaunchException($"the guest init {initPath} is missing; rebuild FleetPods.NodeRuntime (it needs gcc)");
        }

        // Keyed by the init's content too: a rebuilt init must not boot from an old archive.
        var initHash = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(initPath, cancellationToken)))[..16];
        var modules = kernel.Modular ? "" : "-builtin";
        var archive = Path.Combine(cacheDirectory, $"initramfs-{kernel.Release}{modules}-{initHash}.cpio");
        if (File.Exists(archive))
        {
            return archive;
        }

        Directory.CreateDirectory(cacheDirectory);
        var unique = $"{Environment.ProcessId}.{Guid.NewGuid():N}";
        var staging = Directory.CreateDirectory(Path.Combine(cacheDirectory, $".staging-{unique}")).FullName;
        var temporary = archive + $".{unique}.tmp";
        try
        {
            await Stage(staging, kernel, initPath, cancellationToken);
            await Pack(staging, temporary, cancellationToken);
            File.Move(temporary, archive, overwrite: true);
            return archive;
        }
        finally
        {
            Directory.Delete(staging, recursive: true);
            File.Delete(temporary);
        }
    }

    private static async Task Stage(string staging, GuestKernel kernel, string initPath, CancellationToken cancellationToken)
    {
        foreach (var directory in new[] { "dev", "proc", "sys", "modules" })
        {
            Directory.CreateDirectory(Path.Combine(staging, directory));
        }

        var init = Path.Combine(staging, "init");
        File.Copy(initPath, init);
        File.SetUnixFileMode(init, (UnixFileMode)0x1ed); // 0755

        // Without modules there is no order file, and the init loads nothing.
        if (!kernel.Modular)
        {
            return;
        }

        var modules = GuestModules.Resolve(Path.Combine("/lib/modules", kernel.Release));
        foreach (var (name, file) in modules)
        {
            await GuestModules.CopyUncompressedAsync(file, Path.Combine(staging, "modules", name + ".ko"), cancellationToken);
        }

        await File.WriteAllLinesAsync(Path.Combine(staging, "modules", "order"), modules.Select(m => m.Name), cancellationToken);
    }

    private static async Task Pack(string staging, string archive, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("cpio")
        {
            WorkingDirectory = staging,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "--create", "--format=newc", "--owner=0:0", "--quiet" })
        {
            start.ArgumentList.Add(argument);
        }

        Process cpio;
        try
        {
            cpio = Process.Start(start) ?? throw new PodLaunchException("cpio did not start");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new PodLaunchException($"stage1 kvm builds its initramfs with GNU cpio, which is missing (apt install cpio): {ex.Message}");
        }

        using (cpio)
        {
            await using (var output = File.Create(archive))
            {
                var copy = cpio.StandardOutput.BaseStream.CopyToAsync(output, cancellationToken);
                var errors = cpio.StandardError.ReadToEndAsync(cancellationToken);
                foreach (var entry in Directory.EnumerateFileSystemEntries(staging, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
                {
                    await cpio.StandardInput.WriteLineAsync(Path.GetRelativePath(staging, entry).AsMemory(), cancellationToken);
                }

                cpio.StandardInput.Close();
                await copy;
                await cpio.WaitForExitAsync(cancellationToken);
                if (cpio.ExitCode != 0)
                {
                    throw new PodLaunchException($"cpio could not pack the initramfs: {(await errors).Trim()}");
                }
            }
        }
    }
}
