namespace FleetPods.NodeRuntime.Tests;

/// <summary>rkt's image commands on the store: rm, gc, export, extract, cat-manifest; and gc of ended pods.</summary>
public sealed class ImageStoreManagementTests(BusyboxOciImages oci, BusyboxAci aci) : IClassFixture<BusyboxOciImages>, IClassFixture<BusyboxAci>, IAsyncLifetime
{
    private readonly StoreHarness node = new();
    private readonly string output = Directory.CreateTempSubdirectory("fleetpods-manage-out-").FullName;

    private PodRuntime Runtime => node.Runtime;

    private string Images => node.ImagesDirectory;

    public Task InitializeAsync() => Task.CompletedTask;

    // IAsyncLifetime: xunit 2 never calls IAsyncDisposable on a test class, and the store directory must go.
    public async Task DisposeAsync()
    {
        await node.DisposeAsync();
        Directory.Delete(output, recursive: true);
    }

    [RequiresFact(Requires.Root)]
    public async Task Removing_an_image_keeps_the_layers_another_image_shares_and_drops_the_rest()
    {
        var layout = await Runtime.Images.ImportAsync(oci.Layout);
        var docker = await Runtime.Images.ImportAsync(oci.DockerArchive);
        var aciImage = await Runtime.Images.ImportAsync(aci.Path);

        Runtime.RemoveImage(aciImage.Digest);

        Assert.Equal(new[] { docker.Digest, layout.Digest }.Order(), Runtime.Images.List().Select(i => i.Digest).Order());
        Assert.False(Directory.Exists(Runtime.Images.LayerTreeOf(aciImage.Layers[0])));
        Assert.False(File.Exists(Path.Combine(Images, "blobs", "sha512", aciImage.Digest["sha512-".Length..])));
        Runtime.RemoveImage("busybox:1.36");
        Assert.True(Directory.Exists(Runtime.Images.LayerTreeOf(layout.Layers[1])));
        Assert.Equal("second layer\n", await RunToEnd(layout.Digest, "/bin/cat", "/etc/issue"));
    }

    [RequiresFact(Requires.Root)]
    public async Task An_image_a_pod_uses_is_not_removed()
    {
        var image = await Runtime.Images.ImportAsync(aci.Path);
        await RunToEnd(image.Digest);

        var error = Assert.Throws<ImageImportException>(() => Runtime.RemoveImage(image.Name));

        Assert.Contains("is used by a pod on this node; remove the pod first", error.Message, StringComparison.Ordinal);
        Assert.Empty(Runtime.CollectImageGarbage(TimeSpan.Zero));
        Assert.Single(Runtime.Images.List());
    }

    [RequiresFact(Requires.Root)]
    public async Task Garbage_collection_removes_images_unused_past_the_grace_period_and_ended_pods_past_theirs()
    {
        var used = await Runtime.Images.ImportAsync(oci.Layout);
        var unused = await Runtime.Images.ImportAsync(aci.Path);
        var pod = await RunPod(used.Digest, "/bin/true");

        Assert.Empty(Runtime.CollectImageGarbage(TimeSpan.FromHours(24)));
        Assert.Empty(await Runtime.CollectPodGarbageAsync(TimeSpan.FromHours(1)));
        Assert.Equal([pod], await Runtime.CollectPodGarbageAsync(TimeSpan.Zero));
        Assert.False(Directory.Exists(Path.Combine(node.DataDirectory, "pods", pod)));

        var removed = Runtime.CollectImageGarbage(TimeSpan.Zero);

        Assert.Equal(new[] { unused.Digest, used.Digest }.Order(), removed.Select(i => i.Digest).Order());
        Assert.Empty(Runtime.Images.List());
        TestFiles.AssertStoreHoldsNothing(Images);
    }

    [RequiresFact(Requires.Root)]
    public async Task Last_use_is_when_a_pod_last_started_and_survives_a_restart()
    {
        var image = await Runtime.Images.ImportAsync(aci.Path);
        // A start stamps the image's last-used file with its own reading of the clock, taken after this one.
        var before = DateTimeOffset.UtcNow;
        await RunToEnd(image.Digest);
        await node.Close();


        Assert.True(Runtime.Images.Find(image.Digest)!.LastUsedAt > before);
    }

    [RequiresFact(Requires.Root)]
    public async Task Exported_oci_and_docker_images_import_again_as_the_same_images_and_umoci_and_skopeo_read_them()
    {
        var docker = await Runtime.Images.ImportAsync(oci.DockerArchive);
        var layout = await Runtime.Images.ImportAsync(oci.Layout);
        var exportedLayout = Path.Combine(output, "layout.tar");
        var exportedDocker = Path.Combine(output, "docker.tar");

        await Runtime.Images.ExportAsync(layout.Digest, exportedLayout);
        await Runtime.Images.ExportAsync(docker.Digest, exportedDocker);

        var unpacked = Path.Combine(output, "unpacked");
        Directory.CreateDirectory(unpacked);
        TestFiles.Run("tar", "-xf", exportedLayout, "-C", unpacked);
        Assert.Contains("1.36", TestFiles.Run("umoci", "ls", "--layout", unpacked), StringComparison.Ordinal);
        Assert.Contains("\"Entrypoint\"", TestFiles.Run("skopeo", "inspect", "--config", "docker-archive:" + exportedDocker), StringComparison.Ordinal);
        Runtime.RemoveImage(layout.Digest);
        Runtime.RemoveImage(docker.Digest);
        Assert.Equal(layout.Digest, (await Runtime.Images.ImportAsync(exportedLayout)).Digest);
        Assert.Equal(docker.Digest, (await Runtime.Images.ImportAsync(exportedDocker)).Digest);
        var error = await Assert.ThrowsAsync<ImageImportException>(() => Runtime.Images.ExportAsync(layout.Digest, exportedLayout));
        Assert.Contains("already exists", error.Message, StringComparison.Ordinal);
    }

    [RequiresFact(Requires.Root)]
    public async Task An_exported_aci_is_the_archive_that_was_imported()
    {
        var image = await Runtime.Images.ImportAsync(aci.Path);
        var exported = Path.Combine(output, "busybox.aci");

        await Runtime.Images.ExportAsync(image.Name, exported);

        Assert.Equal(File.ReadAllBytes(aci.Path), File.ReadAllBytes(exported));
    }

    [RequiresFact(Requires.Root)]
    public async Task Extract_writes_the_merged_tree_and_the_manifest_and_cat_manifest_prints_it()
    {
        var image = await Runtime.Images.ImportAsync(oci.Layout);
        var target = Path.Combine(output, "extracted");

        await Runtime.Images.ExtractAsync(image.Digest, target, rootfsOnly: false);

        Assert.Equal("second layer\n", File.ReadAllText(Path.Combine(target, "rootfs/etc/issue")));
        Assert.False(File.Exists(Path.Combine(target, "rootfs/etc/motd")));
        Assert.Equal(["new"], Directory.GetFileSystemEntries(Path.Combine(target, "rootfs/srv/data")).Select(Path.GetFileName));
        Assert.Equal(Runtime.Images.ReadManifest(image.Digest), File.ReadAllBytes(Path.Combine(target, "manifest")));
        Assert.Contains("\"layers\"", System.Text.Encoding.UTF8.GetString(Runtime.Images.ReadManifest(image.Name)), StringComparison.Ordinal);
    }

    [RequiresFact(Requires.Root)]
    public async Task A_pod_without_overlay_gets_a_copy_of_the_merged_layers()
    {
        var image = await Runtime.Images.ImportAsync(oci.Layout);
        var request = RuntimeHarness.Request(RuntimeHarness.NewPodId(), image.Digest, "/bin/sh", "-c", "ls /srv/data; echo changed > /etc/issue") with { Overlay = false };

        Assert.Equal("new\n", await RunToEnd(request));

        Assert.Equal("changed\n", File.ReadAllText(Path.Combine(node.DataDirectory, "pods", request.PodId, "rootfs/etc/issue")));
        Assert.Equal("second layer\n", File.ReadAllText(Path.Combine(Runtime.Images.LayerTreeOf(image.Layers[1]), "etc/issue")));
    }

    private Task<string> RunToEnd(string image, params string[] exec) => node.RunToEnd(image, exec);

    private Task<string> RunToEnd(PodLaunchRequest request) => node.RunToEnd(request);

    private async Task<string> RunPod(string image, params string[] exec)
    {
        var request = RuntimeHarness.Request(RuntimeHarness.NewPodId(), image, exec);
        await node.RunToEnd(request);
        return request.PodId;
    }
}
