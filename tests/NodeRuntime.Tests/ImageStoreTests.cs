using Microsoft.Extensions.Logging.Abstractions;

namespace FleetPods.NodeRuntime.Tests;

public sealed class ImageStoreTests(BusyboxAci aci) : IClassFixture<BusyboxAci>, IDisposable
{
    private readonly string data = Directory.CreateTempSubdirectory("fleetpods-store-").FullName;
    private readonly string scratch = Directory.CreateTempSubdirectory("fleetpods-hostile-").FullName;

    private PodRuntime NewRuntime(long maxImageSize = 16L << 30) =>
        new(new NodeRuntimeOptions(data) { MaxImageSizeBytes = maxImageSize }, NullLogger<PodRuntime>.Instance);

    public void Dispose()
    {
        Directory.Delete(data, recursive: true);
        Directory.Delete(scratch, recursive: true);
    }

    [RequiresFact(Requires.Root)]
    public async Task An_aci_is_stored_under_the_sha512_of_its_archive_with_its_manifest()
    {
        await using var runtime = NewRuntime();

        var image = await runtime.Images.ImportAsync(aci.Path);

        var sha512 = TestFiles.Run("sha512sum", aci.Path).Split(' ')[0];
        Assert.Equal("sha512-" + sha512, image.Digest);
        Assert.Equal("example.com/busybox", image.Name);
        Assert.Equal("1.36", image.Labels["version"]);
        Assert.Equal(["/bin/sh", "-c", "echo hello from busybox"], image.App!.Exec);
        Assert.Equal(new FileInfo(aci.Path).Length, image.SizeBytes);
        Assert.True(File.Exists(Path.Combine(runtime.Images.LayerTreeOf(image.Layers[^1]), "bin/busybox")));
    }

    [RequiresFact(Requires.Root)]
    public async Task Importing_the_same_archive_twice_keeps_one_image_and_a_restart_still_lists_it()
    {
        await using (var runtime = NewRuntime())
        {
            var first = await runtime.Images.ImportAsync(aci.Path);
            var second = await runtime.Images.ImportAsync(aci.Path);
            Assert.Equal(first, second);
        }

        await using var restarted = NewRuntime();
        var image = Assert.Single(restarted.Images.List());
        Assert.Same(image, restarted.Images.Find("example.com/busybox:1.36"));
        Assert.Same(image, restarted.Images.Find(image.Digest));
        Assert.Null(restarted.Images.Find("example.com/busybox:9.9"));
    }

    private string Tar(string name, params string[] arguments)
    {
        var path = Path.Combine(scratch, name);
        TestFiles.Run("tar", ["-cf", path, .. arguments]);
        return path;
    }

    private string Tree(string name)
    {
        var root = Path.Combine(scratch, name);
        Directory.CreateDirectory(Path.Combine(root, "rootfs"));
        File.WriteAllText(Path.Combine(root, "manifest"), """{"acKind":"ImageManifest","acVersion":"0.8.11","name":"example.com/hostile"}""");
        return root;
    }

    private async Task AssertRefused(string archive, string expected)
    {
        await using var runtime = NewRuntime();

        var error = await Assert.ThrowsAsync<ImageImportException>(() => runtime.Images.ImportAsync(archive));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains(Path.GetFileName(archive), error.Message, StringComparison.Ordinal);
        Assert.Empty(runtime.Images.List());
        Assert.Equal(["images", "pods"], Directory.GetFileSystemEntries(data).Select(Path.GetFileName).Order());
        TestFiles.AssertStoreHoldsNothing(Path.Combine(data, "images"));
    }

    [Fact]
    public async Task An_archive_without_a_manifest_is_refused_and_leaves_nothing()
    {
        var root = Tree("nomanifest");
        File.Delete(Path.Combine(root, "manifest"));

        await AssertRefused(Tar("nomanifest.aci", "-C", root, "rootfs"), "no manifest");
    }

    [Fact]
    public async Task An_archive_without_rootfs_is_refused_and_leaves_nothing()
    {
        var root = Tree("norootfs");

        await AssertRefused(Tar("norootfs.aci", "-C", root, "manifest"), "no rootfs/");
    }

    [RequiresFact(Requires.Root)]
    public async Task Modes_owners_and_symbolic_links_are_restored()
    {
        var root = Tree("modes");
        var tool = Path.Combine(root, "rootfs", "tool");
        File.WriteAllText(tool, "#!/bin/sh\n");
        TestFiles.Run("chmod", "4750", tool);
        File.CreateSymbolicLink(Path.Combine(root, "rootfs", "alias"), "tool");
        await using var runtime = NewRuntime();

        var image = await runtime.Images.ImportAsync(Tar("modes.aci", "--owner=1234", "--group=5678", "--numeric-owner", "-C", root, "manifest", "rootfs"));

        var rootfs = runtime.Images.LayerTreeOf(image.Layers[^1]);
        Assert.Equal("4750 1234 5678", TestFiles.Run("stat", "-c", "%a %u %g", Path.Combine(rootfs, "tool")).Trim());
        Assert.Equal("tool", new FileInfo(Path.Combine(rootfs, "alias")).LinkTarget);
        Assert.Equal("1234 5678", TestFiles.Run("stat", "-c", "%u %g", Path.Combine(rootfs, "alias")).Trim());
    }

    [Fact]
    public async Task A_file_that_is_not_an_archive_is_refused()
    {
        var path = Path.Combine(scratch, "garbage.aci");
        await File.WriteAllTextAsync(path, "this is not a tar archive at all, not even close");

        await AssertRefused(path, "garbage.aci");
    }

    [Fact]
    public async Task An_entry_climbing_out_with_dotdot_is_refused()
    {
        var root = Tree("dotdot");
        File.WriteAllText(Path.Combine(root, "evil"), "evil");

        await AssertRefused(Tar("dotdot.aci", "-P", "-C", root, "--transform", "s,^evil,../evil,", "manifest", "rootfs", "evil"), "'..'");
        Assert.False(File.Exists(Path.Combine(data, "images", "evil")));
    }

    [Fact]
    public async Task An_absolute_entry_is_refused()
    {
        var root = Tree("absolute");
        var victim = Path.Combine(scratch, "absolute-target");
        File.WriteAllText(victim, "original");

        await AssertRefused(Tar("absolute.aci", "-P", "-C", root, "manifest", "rootfs", victim), "absolute path");
        Assert.Equal("original", File.ReadAllText(victim));
    }

    [Fact]
    public async Task An_entry_written_through_an_earlier_symlink_is_refused_and_the_target_is_untouched()
    {
        var outside = Path.Combine(scratch, "outside");
        Directory.CreateDirectory(outside);
        var first = Tree("symlink-a");
        File.CreateSymbolicLink(Path.Combine(first, "rootfs", "x"), outside);
        var second = Path.Combine(scratch, "symlink-b");
        Directory.CreateDirectory(Path.Combine(second, "rootfs", "x"));
        File.WriteAllText(Path.Combine(second, "rootfs", "x", "pwned"), "pwned");

        await AssertRefused(Tar("symlink.aci", "-C", first, "manifest", "rootfs", "-C", second, "rootfs/x/pwned"), "symbolic link rootfs/x");
        Assert.Empty(Directory.GetFileSystemEntries(outside));
    }

    [Theory]
    [InlineData("/etc/passwd", "which has an absolute path")]
    [InlineData("etc/passwd", "which is not a regular file earlier in the archive")]
    public async Task A_hard_link_to_a_file_outside_the_tree_is_refused_and_the_file_is_untouched(string target, string problem)
    {
        var root = Tree("hardlink");
        File.WriteAllText(Path.Combine(root, "rootfs", "f"), "data");
        TestFiles.Run("ln", Path.Combine(root, "rootfs", "f"), Path.Combine(root, "rootfs", "h"));
        var before = File.ReadAllText("/etc/passwd");

        // -P keeps a leading '/' in the link target, which GNU tar otherwise strips.
        var archive = Tar("hardlink.aci", "-P", "-C", root, "--transform", $"flags=h;s,^rootfs/f$,{target},", "manifest", "rootfs/f", "rootfs/h");

        await AssertRefused(archive, $"entry 'rootfs/h' is a hard link to '{target}', {problem}");
        Assert.Equal(before, File.ReadAllText("/etc/passwd"));
    }

    [RequiresFact(Requires.Root)]
    public async Task Device_nodes_and_fifos_are_left_out_of_the_tree()
    {
        var root = Tree("device");
        TestFiles.Run("mknod", Path.Combine(root, "rootfs", "null"), "c", "1", "3");
        TestFiles.Run("mkfifo", Path.Combine(root, "rootfs", "fifo"));
        File.WriteAllText(Path.Combine(root, "rootfs", "kept"), "kept");
        await using var runtime = NewRuntime();

        var image = await runtime.Images.ImportAsync(Tar("device.aci", "-C", root, "manifest", "rootfs"));

        var rootfs = runtime.Images.LayerTreeOf(image.Layers[^1]);
        Assert.Equal(["kept"], Directory.GetFileSystemEntries(rootfs).Select(Path.GetFileName));
    }

    [Fact]
    public async Task An_archive_expanding_past_the_size_limit_is_refused()
    {
        var root = Tree("big");
        await File.WriteAllBytesAsync(Path.Combine(root, "rootfs", "big"), new byte[200_000]);
        var archive = Path.Combine(scratch, "big.aci");
        TestFiles.Run("tar", "-czf", archive, "-C", root, "manifest", "rootfs");
        await using var runtime = NewRuntime(maxImageSize: 100_000);

        var error = await Assert.ThrowsAsync<ImageImportException>(() => runtime.Images.ImportAsync(archive));

        Assert.Contains("size limit", error.Message, StringComparison.Ordinal);
        TestFiles.AssertStoreHoldsNothing(Path.Combine(data, "images"));
    }
}
