namespace FleetPods.NodeRuntime.Tests;

/// <summary>Launches this node refuses before anything runs, each with a reason a person can act on.</summary>
public sealed class PodRefusalTests(BusyboxAci aci) : IClassFixture<BusyboxAci>
{
    [Theory]
    [InlineData("kvm", "stage1 'kvm' is not available yet on this node")]
    [InlineData("fly", "stage1 'fly' is not available yet on this node")]
    [InlineData("private users", "PrivateUsers= is not available yet on this node")]
    [InlineData("volumes", "Volume= is not available yet on this node")]
    [InlineData("ports", "Port= is not available yet on this node")]
    public async Task What_is_not_built_yet_fails_the_pod_with_a_clear_reason(string feature, string reason)
    {
        await using var node = await RuntimeHarness.Start(aci);
        var request = Asking(feature, node.Request("/bin/true"));

        var error = await Assert.ThrowsAsync<PodLaunchException>(() => node.Runtime.StartPodAsync(request));
        var changes = await node.UntilEnded(request.PodId, TimeSpan.FromSeconds(5));

        Assert.Equal(reason, error.Message);
        Assert.Equal([PodPhase.Preparing, PodPhase.Failed], changes.Select(c => c.Phase));
        Assert.Equal(reason, changes[^1].Reason);
    }

    private static PodLaunchRequest Asking(string feature, PodLaunchRequest request) => feature switch
    {
        "kvm" => request with { Stage1 = Stage1Flavor.Kvm },
        "fly" => request with { Stage1 = Stage1Flavor.Fly },
        "private users" => request with { PrivateUsers = true },
        "volumes" => request with { VolumeCount = 1 },
        "ports" => request with { PortCount = 2 },
        _ => throw new ArgumentOutOfRangeException(nameof(feature), feature, null),
    };

    [Theory]
    [InlineData("../escape")]
    [InlineData("Upper")]
    [InlineData("a/b")]
    [InlineData("")]
    public async Task A_pod_id_that_is_not_lowercase_letters_digits_and_dashes_is_refused(string podId)
    {
        await using var node = await RuntimeHarness.Start(aci);

        var error = await Assert.ThrowsAsync<PodLaunchException>(() => node.Runtime.StartPodAsync(RuntimeHarness.Request(podId, node.Image.Digest, "/bin/true")));

        Assert.Contains("[a-z0-9-]", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(node.DataDirectory, "pods")));
    }

    [Fact]
    public async Task A_hostname_that_is_not_a_hostname_is_refused()
    {
        await using var node = await RuntimeHarness.Start(aci);
        var request = node.Request("/bin/true") with { Hostname = "web 1;reboot" };

        var error = await Assert.ThrowsAsync<PodLaunchException>(() => node.Runtime.StartPodAsync(request));

        Assert.Contains("hostname 'web 1;reboot'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_second_pod_with_the_same_id_is_refused_and_the_first_is_untouched()
    {
        await using var node = await RuntimeHarness.Start(aci);
        var request = node.Request("/bin/sh", "-c", "echo first");
        await node.Runtime.StartPodAsync(request);
        await node.UntilEnded(request.PodId, TimeSpan.FromSeconds(20));

        var error = await Assert.ThrowsAsync<PodLaunchException>(() => node.Runtime.StartPodAsync(request with { App = request.App with { Exec = ["/bin/sh", "-c", "echo second"] } }));

        Assert.Contains("already exists", error.Message, StringComparison.Ordinal);
        Assert.Equal("first\n", await node.Log(request.PodId));
    }

    [Fact]
    public async Task An_image_not_in_the_store_fails_the_pod()
    {
        await using var node = await RuntimeHarness.Start(aci);
        var request = RuntimeHarness.Request(RuntimeHarness.NewPodId(), "sha512-" + new string('0', 128), "/bin/true");

        var error = await Assert.ThrowsAsync<PodLaunchException>(() => node.Runtime.StartPodAsync(request));

        Assert.Contains("is not in this node's store", error.Message, StringComparison.Ordinal);
    }
}
