namespace FleetPods.NodeRuntime.Tests;

/// <summary>Launches this node refuses before anything runs, each with a reason a person can act on.</summary>
public sealed class PodRefusalTests(BusyboxAci aci) : IClassFixture<BusyboxAci>
{
    [RequiresTheory(Requires.Root)]
    [InlineData("ports without the default network", "Port= forwards to the pod's own address: it needs the default network")]
    [InlineData("undeclared volume", "app app mounts volume 'data', which the pod does not declare")]
    [InlineData("relative mount target", "app app: mount target 'data' is not an absolute path below / without '.', '..' or NUL")]
    [InlineData("escaping mount target", "app app: mount target '/data/../..' is not an absolute path below / without '.', '..' or NUL")]
    [InlineData("missing host volume", "volume data: source '/no/such/directory' is not an existing directory of this node (an absolute path)")]
    [InlineData("repeated app name", "two apps are named 'app'")]
    [InlineData("repeated host port", "host port 8080/tcp is forwarded twice")]
    [InlineData("a console in a kvm pod", "stage1 kvm does not relay input or a terminal into its VM yet: they need stage1 ns or fly")]
    [InlineData("a console for several apps", "input and a terminal reach one app: the pod has several")]
    public async Task What_cannot_run_fails_the_pod_with_a_clear_reason(string feature, string reason)
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
        "ports without the default network" => request with { Network = PodNetworkMode.Host, Ports = [new("http", 8080, 80, PodPortProtocol.Tcp)] },
        "undeclared volume" => request with { App = request.App with { Mounts = [new("data", "/data")] } },
        "relative mount target" => Mounting(request, "data"),
        "escaping mount target" => Mounting(request, "/data/../.."),
        "missing host volume" => request with { Volumes = [new("data", PodVolumeKind.Host, "/no/such/directory", false)] },
        "repeated app name" => request with { MoreApps = [request.App] },
        "repeated host port" => request with { Ports = [new("a", 8080, 80, PodPortProtocol.Tcp), new("b", 8080, 81, PodPortProtocol.Tcp)] },
        "a console in a kvm pod" => request with { Stage1 = Stage1Flavor.Kvm, Network = PodNetworkMode.None, Terminal = new PodTerminalSize(24, 80) },
        "a console for several apps" => request with { Input = true, MoreApps = [request.App with { Name = "second" }] },
        _ => throw new ArgumentOutOfRangeException(nameof(feature), feature, null),
    };

    private static PodLaunchRequest Mounting(PodLaunchRequest request, string target) => request with
    {
        Volumes = [new("data", PodVolumeKind.Empty, null, false)],
        App = request.App with { Mounts = [new("data", target)] },
    };

    [RequiresTheory(Requires.Root)]
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

    [RequiresFact(Requires.Root)]
    public async Task A_hostname_that_is_not_a_hostname_is_refused()
    {
        await using var node = await RuntimeHarness.Start(aci);
        var request = node.Request("/bin/true") with { Hostname = "web 1;reboot" };

        var error = await Assert.ThrowsAsync<PodLaunchException>(() => node.Runtime.StartPodAsync(request));

        Assert.Contains("hostname 'web 1;reboot'", error.Message, StringComparison.Ordinal);
    }

    [RequiresFact(Requires.Root)]
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

    [RequiresFact(Requires.Root)]
    public async Task An_image_not_in_the_store_fails_the_pod()
    {
        await using var node = await RuntimeHarness.Start(aci);
        var request = RuntimeHarness.Request(RuntimeHarness.NewPodId(), "sha512-" + new string('0', 128), "/bin/true");

        var error = await Assert.ThrowsAsync<PodLaunchException>(() => node.Runtime.StartPodAsync(request));

        Assert.Contains("is not in this node's store", error.Message, StringComparison.Ordinal);
    }
}
