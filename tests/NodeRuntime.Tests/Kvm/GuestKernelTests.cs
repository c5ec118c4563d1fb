using FleetPods.NodeRuntime.Kvm;

namespace FleetPods.NodeRuntime.Tests.Kvm;

/// <summary>
/// Which kernels stage1 kvm takes: the PVH vmlinux deploy/build-guest-kernel.sh builds, Debian's bzImage, and nothing
/// else, refused in one line before qemu would fail on it; and which it finds when not told one.
/// </summary>
public sealed class GuestKernelTests
{
    [RequiresFact(Requires.GuestKernel)]
    public void The_built_vmlinux_is_a_pvh_kernel_without_modules_and_is_the_one_found_by_default()
    {
        var built = GuestKernel.Find(null, Prerequisites.BuiltGuestKernels);

        Assert.Equal(GuestKernelFormat.PvhVmlinux, built.Format);
        Assert.False(built.Modular);
        Assert.Matches(@"^6\.1\.\d+-fleetpods$", built.Release);
        Assert.StartsWith(Prerequisites.BuiltGuestKernels + "/", built.Path, StringComparison.Ordinal);
        Assert.Equal("vmlinux", Path.GetFileName(built.Path));
    }

    [Fact]
    public void Debians_bzimage_is_read_with_its_release_and_its_modules()
    {
        var debian = Directory.GetFiles("/boot", "vmlinuz-*").OrderBy(k => k, GuestKernel.ReleaseOrder.Instance).Last();

        var kernel = GuestKernel.Open(debian);

        Assert.Equal((GuestKernelFormat.BzImage, true), (kernel.Format, kernel.Modular));
        Assert.Equal(Path.GetFileName(debian)["vmlinuz-".Length..], kernel.Release);
    }

    [Fact]
    public void Without_a_built_kernel_the_newest_of_debians_is_found()
    {
        using var empty = new TestDirectory();
        var newest = Directory.GetFiles("/boot", "vmlinuz-*").OrderBy(k => k, GuestKernel.ReleaseOrder.Instance).Last();

        var kernel = GuestKernel.Find(null, empty.Path);

        Assert.Equal((newest, GuestKernelFormat.BzImage), (kernel.Path, kernel.Format));
    }

    [Fact]
    public void An_unfinished_build_and_a_directory_without_a_kernel_are_not_taken()
    {
        using var cache = new TestDirectory();
        Directory.CreateDirectory(Path.Combine(cache.Path, ".build-abc123", "result"));
        File.WriteAllText(Path.Combine(cache.Path, ".build-abc123", "result", "vmlinux"), "half");
        Directory.CreateDirectory(Path.Combine(cache.Path, "6.1.999-1-0123456789ab"));

        Assert.Null(BuiltGuestKernels.Newest(cache.Path));
    }

    [Fact]
    public void The_newest_linux_source_version_is_taken_by_its_numbers()
    {
        using var cache = new TestDirectory();
        foreach (var version in new[] { "6.1.99-1-aaaaaaaaaaaa", "6.1.192-3-bbbbbbbbbbbb", "6.1.192-10-cccccccccccc" })
        {
            Directory.CreateDirectory(Path.Combine(cache.Path, version));
            File.WriteAllText(Path.Combine(cache.Path, version, "vmlinux"), "");
        }

        Assert.Equal(Path.Combine(cache.Path, "6.1.192-10-cccccccccccc", "vmlinux"), BuiltGuestKernels.Newest(cache.Path));
    }

    [Fact]
    public void A_file_that_is_no_kernel_is_refused_in_one_line_naming_it()
    {
        using var directory = new TestDirectory();
        var random = Path.Combine(directory.Path, "random");
        File.WriteAllBytes(random, System.Security.Cryptography.RandomNumberGenerator.GetBytes(64 << 10));

        var error = Assert.Throws<PodLaunchException>(() => GuestKernel.Open(random));

        Assert.Equal($"guest kernel {random} is neither an x86 bzImage nor an x86-64 ELF vmlinux with a PVH note", error.Message);
    }

    [Fact]
    public void An_elf_program_without_a_pvh_note_is_refused_in_one_line_naming_it()
    {
        // An x86-64 ELF that is no kernel at all: qemu would try to boot it through the multiboot or PVH path and fail.
        var program = new FileInfo("/bin/true").FullName;

        var error = Assert.Throws<PodLaunchException>(() => GuestKernel.Open(program));

        Assert.Equal($"guest kernel {program} is an x86-64 ELF without a PVH entry note, which qemu needs to boot it (build it with CONFIG_PVH=y)", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void A_truncated_elf_is_refused_in_one_line()
    {
        using var directory = new TestDirectory();
        var truncated = Path.Combine(directory.Path, "vmlinux");
        File.WriteAllBytes(truncated, File.ReadAllBytes("/bin/true")[..40]);

        var error = Assert.Throws<PodLaunchException>(() => GuestKernel.Open(truncated));

        Assert.Equal($"guest kernel {truncated} is an ELF file too short for its header", error.Message);
    }
}
