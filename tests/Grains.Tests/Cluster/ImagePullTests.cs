namespace FleetPods.Grains.Tests.Cluster;

/// <summary>A node that must run an image it lacks pulls it from a node that holds it, through the image store grains.</summary>
[Collection(SharedCluster.Name)]
public sealed class ImagePullTests(ClusterFixture fixture)
{
    [Fact]
    public async Task A_node_lacking_an_image_pulls_the_holders_archive_and_the_cluster_records_both_holders()
    {
        var (holder, puller) = (fixture.NodeNames[0], fixture.NodeNames[1]);
        var image = await fixture.Client.GetGrain<IImageStoreGrain>(holder).Import(new ImageImportRequest("/images/pulled.aci"));
        fixture.Images(puller).Missing["pulled:1.0"] = true;

        await fixture.Client.GetGrain<IImageStoreGrain>(puller).EnsureImage("pulled:1.0");

        Assert.Equal(fixture.Images(holder).Archives[image.Digest], fixture.Images(puller).Archives[image.Digest]);
        Assert.Equal([holder, puller], (await fixture.Client.GetGrain<IImageGrain>(image.Digest).GetInfo())!.Nodes);
    }

    [Fact]
    public async Task A_pod_whose_app_image_only_another_node_holds_has_it_pulled_before_it_runs()
    {
        var (holder, puller) = (fixture.NodeNames[0], fixture.NodeNames[1]);
        var sidecar = await fixture.Client.GetGrain<IImageStoreGrain>(holder).Import(new ImageImportRequest("/images/sidecar.aci"));
        fixture.Images(puller).Missing["sidecar:1.0"] = true;
        var unit = fixture.Client.GetGrain<IUnitGrain>("with-sidecar.pod");
        var submitted = await unit.Submit("with-sidecar.pod", $"[Pod]\nImage=example.com/busybox\nExec=/bin/true\n[App side]\nImage=sidecar:1.0\nExec=/bin/true\n[X-Fleet]\nMachineID={puller}\n");
        Assert.True(submitted.Succeeded, string.Join("; ", submitted.Errors));

        var pod = (await unit.Start()).Pod!;

        await Eventually.Until(unit.GetStatus, s => s!.Pod!.Phase == PodPhase.Running, "the pod to run");
        Assert.True(fixture.Node(puller).Launched.ContainsKey(pod.Id));
        Assert.Equal(fixture.Images(holder).Archives[sidecar.Digest], fixture.Images(puller).Archives[sidecar.Digest]);
        await unit.Destroy(TimeSpan.Zero);
    }

    [Fact]
    public async Task A_holder_that_left_the_cluster_is_passed_over_for_one_that_answers()
    {
        var (holder, puller) = (fixture.NodeNames[0], fixture.NodeNames[1]);
        var image = await fixture.Client.GetGrain<IImageStoreGrain>(holder).Import(new ImageImportRequest("/images/ghosted.aci"));
        var images = fixture.Client.GetGrain<IImageGrain>(image.Digest);
        await images.RemoveHolder(holder);
        await images.RecordHolder(image, "gone-node");
        await images.RecordHolder(image, holder);
        fixture.Images(puller).Missing["ghosted:1.0"] = true;

        await fixture.Client.GetGrain<IImageStoreGrain>(puller).EnsureImage("ghosted:1.0");

        Assert.Equal(fixture.Images(holder).Archives[image.Digest], fixture.Images(puller).Archives[image.Digest]);
    }

    [Fact]
    public async Task An_image_no_node_holds_is_an_error_that_says_how_to_get_it()
    {
        var node = fixture.NodeNames[1];
        fixture.Images(node).Missing["nowhere:2.0"] = true;

        var error = await Assert.ThrowsAsync<FleetPodsException>(() => fixture.Client.GetGrain<IImageStoreGrain>(node).EnsureImage("nowhere:2.0"));

        Assert.Contains("image 'nowhere:2.0' is on no node of the cluster", error.Message, StringComparison.Ordinal);
    }
}
