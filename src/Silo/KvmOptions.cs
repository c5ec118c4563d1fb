using FleetPods.NodeRuntime;

namespace FleetPods.Silo;

/// <summary>fleetpodsd's stage1 kvm options, <c>--kvm-kernel PATH</c> and <c>--kvm-accel auto|kvm|tcg</c>, checked before the daemon starts.</summary>
public static class KvmOptions
{
    /// <exception cref="FormatException">Not one of auto, kvm, tcg.</exception>
    public static KvmAccelerator ParseAccelerator(string text) => text switch
    {
        "auto" => KvmAccelerator.Auto,
        "kvm" => KvmAccelerator.Kvm,
        "tcg" => KvmAccelerator.Tcg,
        _ => throw new FormatException($"--kvm-accel '{text}' is not auto, kvm or tcg"),
    };

    /// <summary>The kernel as an absolute path, or null for the default (the newest kernel deploy/build-guest-kernel.sh built, else the newest /boot/vmlinuz-*).</summary>
    /// <exception cref="FormatException">The path names no file.</exception>
    public static string? Kernel(string? path) =>
        path is null ? null
        : File.Exists(path) ? Path.GetFullPath(path)
        : throw new FormatException($"--kvm-kernel '{path}' is not a file");
}
