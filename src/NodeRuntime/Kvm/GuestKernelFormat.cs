namespace FleetPods.NodeRuntime.Kvm;

/// <summary>How qemu boots a guest kernel: both through <c>-kernel</c>, which tells them apart itself.</summary>
internal enum GuestKernelFormat
{
    /// <summary>A compressed x86 bzImage, entered through the Linux boot protocol (Debian's <c>/boot/vmlinuz-*</c>).</summary>
    BzImage,

    /// <summary>An uncompressed x86-64 ELF <c>vmlinux</c>, entered through its PVH note: no decompression at boot.</summary>
    PvhVmlinux,
}
