using Microsoft.Extensions.Logging.Abstractions;

namespace FleetPods.NodeRuntime.Tests;

/// <summary>rkt's image commands on the store: rm, gc, export, extract, cat-manifest; and gc of ended pods.</summary>
public sealed class ImageStoreManagementTests(BusyboxOciImages oci, BusyboxAci aci) : IClassFixture<BusyboxOciImages>, IClassFixture<BusyboxAci>, IAsyncDisposable
{
    private readonly string data = Directory.CreateTempSubdirectory("fleetpods-manage-").FullName;
    private readonly string output = Directory.CreateTempSubdirectory("fleetpods-manage-out-").FullName;
    private PodRuntime runtime = null!;

    private string Images => Path.Combine(data, "images");

    public async ValueTask DisposeAsync()
    {
        foreach (var pod in Directory.GetDirectories(Path.Combine(data, "pods")))
        {
            await runtime.RemovePodAsync(Path.GetFileName(pod));
        }

        await runtime.DisposeAsync();
        Directory.Delete(data, recursive: true);
        Directory.Delete(output, recursive: true);
    }

    [Fact]
    public async Task Removing_an_image_keeps_the_layers_another_image_shares_and_drops_the_rest()
    {
        runtime = NewRuntime();
        var layout = await runtime.Images.ImportAsync(oci.Layout);
        var docker = await runtime.Images.ImportAsync(oci.DockerArchive);
        var aciImage = await runtime.Images.ImportAsync(aci.Path);

        runtime.RemoveImage(aciImage.Digest);

        Assert.Equal(new[] { docker.Digest, layout.Digest }.Order(), runtime.Images.List().Select(i => i.Digest).Order());
        Assert.False(Directory.Exists(runtime.Images.LayerTreeOf(aciImage.Layers[0])));
        Assert.False(File.Exists(Path.Combine(Images, "blobs", "sha512", aciImage.Digest["sha512-".Length..])));
        runtime.RemoveImage("busybox:1.36");
        Assert.True(Directory.Exists(runtime.Images.LayerTreeOf(layout.Layers[1])));
        Assert.Equal("second layer\n", await RunToEnd(layout.Digest, "/bin/cat", "/etc/issue"));
    }

    [Fact]
    public async Task An_image_a_pod_uses_is_not_removed()
    {
        runtime = NewRuntime();
        var image = await runtime.Images.ImportAsync(aci.Path);
        await RunToEnd(image.Digest);

        var error = Assert.Throws<ImageImportException>(() => runtime.RemoveImage(image.Name));

        Assert.Contains("is used by a pod on this node; remove the pod first", error.Message, StringComparison.Ordinal);
        Assert.Empty(runtime.CollectImageGarbage(TimeSpan.Zero));
        Assert.Single(runtime.Images.List());
    }

    [Fact]
    public async Task Garbage_collection_removes_images_unused_past_the_grace_period_and_ended_pods_past_theirs()
    {
        runtime = NewRuntime();
        var used = await runtime.Images.ImportAsync(oci.Layout);
        var unused = await runtime.Images.ImportAsync(aci.Path);
        var pod = await RunPod(used.Digest, "/bin/true");

        Assert.Empty(runtime.CollectImageGarbage(TimeSpan.FromHours(24)));
        Assert.Empty(await runtime.CollectPodGarbageAsync(TimeSpan.FromHours(1)));
        Assert.Equal([pod], await runtime.CollectPodGarbageAsync(TimeSpan.Zero));
        Assert.False(Directory.Exists(Path.Combine(data, "pods", pod)));

        var removed = runtime.CollectImageGarbage(TimeSpan.Zero);

        Assert.Equal(new[] { unused.Digest, used.Digest }.Order(), removed.Select(i => i.Digest).Order());
        Assert.Empty(runtime.Images.List());
        TestFiles.AssertStoreHoldsNothing(Images);
    }

    [Fact]
    public async Task Last_use_is_when_a_pod_last_started_and_survives_a_restart()
    {
        runtime = NewRuntime();
        var image = await runtime.Images.ImportAsync(aci.Path);
        var before = DateTimeOffset.UtcNow;
        await Task.Delay(20);
        await RunToEnd(image.Digest);
        await runtime.DisposeAsync();

        runtime = NewRuntime();

        Assert.True(runtime.Images.Find(image.Digest)!.LastUsedAt > before);
    }

    [Fact]
    public async Task Exported_oci_and_docker_images_import_again_as_the_same_images_and_umoci_and_skopeo_read_them()
    {
        runtime = NewRuntime();
        var docker = await runtime.Images.ImportAsync(oci.DockerArchive);
        var layout = await runtime.Images.ImportAsync(oci.Layout);
        var exportedLayout = Path.Combine(output, "layout.tar");
        var exportedDocker = Path.Combine(output, "docker.tar");

        await runtime.Images.ExportAsync(layout.Digest, exportedLayout);
        await runtime.Images.ExportAsync(docker.Digest, exportedDocker);

        var unpacked = Path.Combine(output, "unpacked");
        Directory.CreateDirectory(unpacked);
        TestFiles.Run("tar", "-xf", exportedLayout, "-C", unpacked);
        Assert.Contains("1.36", TestFiles.Run("umoci", "ls", "--layout", unpacked), StringComparison.Ordinal);
        Assert.Contains("\"Entrypoint\"", TestFiles.Run("skopeo", "inspect", "--config", "docker-archive:" + exportedDocker), StringComparison.Ordinal);
        runtime.RemoveImage(layout.Digest);
        runtime.RemoveImage(docker.Digest);
        Assert.Equal(layout.Digest, (await runtime.Images.ImportAsync(exportedLayout)).Digest);
        Assert.Equal(docker.Digest, (await runtime.Images.ImportAsync(exportedDocker)).Digest);
        var error = await Assert.ThrowsAsync<ImageImportException>(() => runtime.Images.ExportAsync(layout.Digest, exportedLayout));
        Assert.Contains("already exists", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_exported_aci_is_the_archive_that_was_imported()
    {
        runtime = NewRuntime();
        var image = await runtime.Images.ImportAsync(aci.Path);
        var exported = Path.Combine(output, "busybox.aci");

        await runtime.Images.ExportAsync(image.Name, exported);

        Assert.Equal(File.ReadAllBytes(aci.Path), File.ReadAllBytes(exported));
    }

    [Fact]
    public async Task Extract_writes_the_merged_tree_and_the_manifest_and_cat_manifest_prints_it()
    {
        runtime = NewRuntime();
        var image = await runtime.Images.ImportAsync(oci.Layout);
        var target = Path.Combine(output, "extracted");

        await runtime.Images.ExtractAsync(image.Digest, target, rootfsOnly: false);

        Assert.Equal("second layer\n", File.ReadAllText(Path.Combine(target, "rootfs/etc/issue")));
        Assert.False(File.Exists(Path.Combine(target, "rootfs/etc/motd")));
        Assert.Equal(["new"], Directory.GetFileSystemEntries(Path.Combine(target, "rootfs/srv/data")).Select(Path.GetFileName));
        Assert.Equal(runtime.Images.ReadManifest(image.Digest), File.ReadAllBytes(Path.Combine(target, "manifest")));
        Assert.Contains("\"layers\"", System.Text.Encoding.UTF8.GetString(runtime.Images.ReadManifest(image.Name)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_pod_without_overlay_gets_a_copy_of_the_merged_layers()
    {
        runtime = NewRuntime();
        var image = await runtime.Images.ImportAsync(oci.Layout);
        var request = RuntimeHarness.Request(RuntimeHarness.NewPodId(), image.Digest, "/bin/sh", "-c", "ls /srv/data; echo changed > /etc/issue") with { Overlay = false };

        Assert.Equal("new\n", await RunToEnd(request));

        Assert.Equal("changed\n", File.ReadAllText(Path.Combine(data, "pods", request.PodId, "rootfs/etc/issue")));
        Assert.Equal("second layer\n", File.ReadAllText(Path.Combine(runtime.Images.LayerTreeOf(image.Layers[1]), "etc/issue")));
    }

    private PodRuntime NewRuntime() => new(new NodeRuntimeOptions(data), NullLogger<PodRuntime>.Instance);

    private Task<string> RunToEnd(string image, params string[] exec) => RunToEnd(RuntimeHarness.Request(RuntimeHarness.NewPodId(), image, exec));

    private async Task<string> RunPod(string image, params string[] exec)
    {
        var request = RuntimeHarness.Request(RuntimeHarness.NewPodId(), image, exec);
        await RunToEnd(request);
        return request.PodId;
    }

    private async Task<string> RunToEnd(PodLaunchRequest request)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ended = Task.Run(async () =>
        {
            await foreach (var change in runtime.StateChanges.ReadAllAsync(timeout.Token))
            {
                if (change.PodId == request.PodId && change.HasEnded)
                {
                    return change;
                }
            }

            throw new TimeoutException(request.PodId);
        });
        await runtime.StartPodAsync(request);
        var end = await ended;
        Assert.True(end.Phase == PodPhase.Exited && end.ExitCode == 0, $"pod ended {end.Phase} {end.ExitCode} {end.Reason}");
        return System.Text.Encoding.UTF8.GetString((await runtime.ReadLogAsync(request.PodId, 0, 1 << 20)).Data);
    }
}
