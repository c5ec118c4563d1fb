namespace FleetPods.NodeRuntime.Tests;

/// <summary>The store under concurrent use: work on one image is done once, and what a crash leaves is never used.</summary>
public sealed class ImageStoreConcurrencyTests(BusyboxOciImages oci) : IClassFixture<BusyboxOciImages>, IAsyncLifetime
{
    private readonly StoreHarness node = new();

    private PodRuntime Runtime => node.Runtime;

    private string Images => node.ImagesDirectory;

    public Task InitializeAsync() => Task.CompletedTask;

    // IAsyncLifetime: xunit 2 never calls IAsyncDisposable on a test class, and the store directory must go.
    public async Task DisposeAsync() => await node.DisposeAsync();

    [RequiresFact(Requires.Root)]
    public async Task Two_imports_of_the_same_new_image_at_the_same_moment_extract_each_layer_once()
    {
        var imports = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => Runtime.Images.ImportAsync(oci.Layout))));

        Assert.Single(imports.Select(i => i.Digest).Distinct());
        Assert.Single(Runtime.Images.List());
        Assert.Equal(2, Runtime.Images.LayerExtractions);
    }

    [RequiresFact(Requires.Root)]
    public async Task Two_pods_of_an_image_whose_trees_are_gone_started_at_the_same_moment_extract_it_once_and_both_run()
    {
        var image = await Runtime.Images.ImportAsync(oci.Layout);
        await node.Close();
        foreach (var tree in Directory.GetDirectories(Path.Combine(Images, "layers")))
        {
            Directory.Delete(tree, recursive: true);
        }

        var requests = Enumerable.Range(0, 2).Select(_ => RuntimeHarness.Request(RuntimeHarness.NewPodId(), image.Digest, "/bin/cat", "/etc/issue")).ToList();
        var ends = node.WaitForEnds([.. requests.Select(r => r.PodId)]);

        await Task.WhenAll(requests.Select(r => Task.Run(() => Runtime.StartPodAsync(r))));

        foreach (var end in await ends)
        {
            Assert.Equal((PodPhase.Exited, (int?)0), (end.Phase, end.ExitCode));
        }

        Assert.Equal(2, Runtime.Images.LayerExtractions);
        Assert.Equal("second layer\n", await node.Output(requests[1].PodId));
    }

    [RequiresFact(Requires.Root)]
    public async Task What_an_extraction_cut_short_left_is_removed_at_start_and_never_used()
    {
        var image = await Runtime.Images.ImportAsync(oci.Layout);
        await node.Close();
        // What SIGKILL mid-extraction leaves: a layer's temporary tree and a temporary blob, and no tree under the layer's name.
        var layers = Path.Combine(Images, "layers");
        var top = image.Layers[^1].Digest;
        Directory.Move(Path.Combine(layers, top), Path.Combine(layers, ".tmp-cut-short"));
        File.Delete(Path.Combine(layers, ".tmp-cut-short", "rootfs", "etc", "issue"));
        File.WriteAllText(Path.Combine(Images, "blobs", ".tmp-cut-short"), "half a blob");

        _ = Runtime;

        Assert.False(Directory.Exists(Path.Combine(layers, ".tmp-cut-short")));
        Assert.False(File.Exists(Path.Combine(Images, "blobs", ".tmp-cut-short")));
        Assert.Equal("second layer\n", await node.RunToEnd(image.Digest, "/bin/cat", "/etc/issue"));
        Assert.Equal(1, Runtime.Images.LayerExtractions);
    }
}
