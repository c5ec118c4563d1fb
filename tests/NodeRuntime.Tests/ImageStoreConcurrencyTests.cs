using Microsoft.Extensions.Logging.Abstractions;

namespace FleetPods.NodeRuntime.Tests;

/// <summary>The store under concurrent use: work on one image is done once, and what a crash leaves is never used.</summary>
public sealed class ImageStoreConcurrencyTests(BusyboxOciImages oci) : IClassFixture<BusyboxOciImages>, IAsyncDisposable
{
    private readonly string data = Directory.CreateTempSubdirectory("fleetpods-concurrency-").FullName;
    private PodRuntime runtime = null!;

    private string Images => Path.Combine(data, "images");

    public async ValueTask DisposeAsync()
    {
        if (runtime is not null)
        {
            foreach (var pod in Directory.GetDirectories(Path.Combine(data, "pods")))
            {
                await runtime.RemovePodAsync(Path.GetFileName(pod));
            }

            await runtime.DisposeAsync();
        }

        Directory.Delete(data, recursive: true);
    }

    [Fact]
    public async Task Two_imports_of_the_same_new_image_at_the_same_moment_extract_each_layer_once()
    {
        runtime = NewRuntime();

        var imports = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => runtime.Images.ImportAsync(oci.Layout))));

        Assert.Single(imports.Select(i => i.Digest).Distinct());
        Assert.Single(runtime.Images.List());
        Assert.Equal(2, runtime.Images.LayerExtractions);
    }

    [Fact]
    public async Task Two_pods_of_an_image_whose_trees_are_gone_started_at_the_same_moment_extract_it_once_and_both_run()
    {
        runtime = NewRuntime();
        var image = await runtime.Images.ImportAsync(oci.Layout);
        await runtime.DisposeAsync();
        foreach (var tree in Directory.GetDirectories(Path.Combine(Images, "layers")))
        {
            Directory.Delete(tree, recursive: true);
        }

        runtime = NewRuntime();
        var requests = Enumerable.Range(0, 2).Select(_ => RuntimeHarness.Request(RuntimeHarness.NewPodId(), image.Digest, "/bin/cat", "/etc/issue")).ToList();
        var ends = WaitForEnds([.. requests.Select(r => r.PodId)]);

        await Task.WhenAll(requests.Select(r => Task.Run(() => runtime.StartPodAsync(r))));

        foreach (var end in await ends)
        {
            Assert.Equal((PodPhase.Exited, (int?)0), (end.Phase, end.ExitCode));
        }

        Assert.Equal(2, runtime.Images.LayerExtractions);
        Assert.Equal("second layer\n", System.Text.Encoding.UTF8.GetString((await runtime.ReadLogAsync(requests[1].PodId, 0, 4096)).Data));
    }

    [Fact]
    public async Task What_an_extraction_cut_short_left_is_removed_at_start_and_never_used()
    {
        runtime = NewRuntime();
        var image = await runtime.Images.ImportAsync(oci.Layout);
        await runtime.DisposeAsync();
        // What SIGKILL mid-extraction leaves: a layer's temporary tree and a temporary blob, and no tree under the layer's name.
        var layers = Path.Combine(Images, "layers");
        var top = image.Layers[^1].Digest;
        Directory.Move(Path.Combine(layers, top), Path.Combine(layers, ".tmp-cut-short"));
        File.Delete(Path.Combine(layers, ".tmp-cut-short", "rootfs", "etc", "issue"));
        File.WriteAllText(Path.Combine(Images, "blobs", ".tmp-cut-short"), "half a blob");

        runtime = NewRuntime();

        Assert.False(Directory.Exists(Path.Combine(layers, ".tmp-cut-short")));
        Assert.False(File.Exists(Path.Combine(Images, "blobs", ".tmp-cut-short")));
        var request = RuntimeHarness.Request(RuntimeHarness.NewPodId(), image.Digest, "/bin/cat", "/etc/issue");
        var end = WaitForEnds([request.PodId]);
        await runtime.StartPodAsync(request);
        Assert.Equal(0, (await end).Single().ExitCode);
        Assert.Equal("second layer\n", System.Text.Encoding.UTF8.GetString((await runtime.ReadLogAsync(request.PodId, 0, 4096)).Data));
        Assert.Equal(1, runtime.Images.LayerExtractions);
    }

    private PodRuntime NewRuntime() => new(new NodeRuntimeOptions(data), NullLogger<PodRuntime>.Instance);

    // One reader for all the pods: the runtime's channel hands each change to one reader only.
    private async Task<List<PodStateChange>> WaitForEnds(HashSet<string> podIds)
    {
        var ends = new List<PodStateChange>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await foreach (var change in runtime.StateChanges.ReadAllAsync(timeout.Token))
        {
            if (podIds.Contains(change.PodId) && change.HasEnded)
            {
                ends.Add(change);
                if (ends.Count == podIds.Count)
                {
                    break;
                }
            }
        }

        return ends;
    }
}
