namespace FleetPods.NodeRuntime.Tests.Conformance;

/// <summary>
/// The stage1 conformance suite: what every flavor does, run against each (<see cref="NsStage1Tests"/>,
/// <see cref="FlyStage1Tests"/>, <see cref="KvmStage1Tests"/>), as containerd runs one suite against every snapshotter.
/// What needs the apps to be processes of the node is in <see cref="HostProcessStage1Conformance"/>, which kvm does
/// not derive from (enter does not, and is here: Stage1Conformance.Enter.cs); what only flavors with their own
/// namespaces do is in <see cref="NamespacedStage1Conformance"/>, which fly does not derive from; the network's are in
/// <see cref="Stage1NetworkConformance"/>, which ns and kvm run: a flavor leaves out a test by not declaring it, so
/// nothing is skipped and counted.
/// </summary>
public abstract partial class Stage1Conformance(BusyboxAci aci) : Stage1Suite(aci)
{
    [RequiresFact(Requires.Root)]
    public async Task The_pods_exit_code_is_the_apps_and_its_output_is_in_its_log()
    {
        await using var node = await StartNode();

        var (end, log) = await Run(node, Request(node, "/bin/sh", "-c", "echo out; echo err >&2; exit 3"));

        Assert.Equal((PodPhase.Exited, 3), (end.Phase, end.ExitCode));
        Assert.Equal("out\nerr\n", log);
    }

    [RequiresFact(Requires.Root)]
    public async Task The_images_exec_is_used_when_the_pod_gives_none_and_the_environment_is_exactly_the_pods()
    {
        await using var node = await StartNode();
        var request = Request(node);
        var (_, greeting) = await Run(node, request);
        var listing = Request(node, "/bin/sh", "-c", "env | grep -v '^PWD=' | grep -v '^SHLVL=' | sort") with { Hostname = "web-1.example" };
        listing = listing with { App = listing.App with { Environment = [new("GREETING", "hi there")] } };

        var (_, environment) = await Run(node, listing);

        Assert.Equal("hello from busybox\n", greeting);
        Assert.Equal(
            "AC_APP_NAME=app\nGREETING=hi there\nHOSTNAME=web-1.example\nIMAGE_GREETING=hello\nPATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n",
            environment);
    }

    [RequiresFact(Requires.Root)]
    public async Task User_and_group_by_name_come_from_the_pods_own_passwd_with_its_supplementary_groups()
    {
        await using var node = await StartNode();
        var request = Request(node) with
        {
            App = new PodAppRequest("app", ["/bin/sh", "-c", "id -u; id -g; id -G | tr ' ' '\\n' | sort -n | tr '\\n' ' '; pwd"], [], "/tmp", "nobody", "nogroup"),
        };

        var (_, log) = await Run(node, request);

        Assert.Equal("65534\n65534\n100 65534 /tmp\n", log);
    }

    [RequiresFact(Requires.Root)]
    public async Task Supplementary_groups_join_the_groups_the_user_has()
    {
        await using var node = await StartNode();
        var request = Request(node) with
        {
            App = new PodAppRequest("app", ["/bin/sh", "-c", "id -G | tr ' ' '\\n' | sort -n | tr '\\n' ' '"], [], null, "nobody", null) { SupplementaryGroups = [4242, 42] },
        };

        var (_, log) = await Run(node, request);

        Assert.Equal("0 42 100 4242 ", log);
    }

    [RequiresFact(Requires.Root)]
    public async Task A_missing_program_fails_the_pod_with_a_reason_that_names_it()
    {
        await using var node = await StartNode();
        var request = Request(node, "/bin/no-such-program");

        var error = await Assert.ThrowsAsync<PodLaunchException>(() => node.Runtime.StartPodAsync(request));
        var changes = await node.UntilEnded(request.PodId, Within);

        Assert.Equal("exec /bin/no-such-program: No such file or directory", error.Message);
        Assert.Equal([PodPhase.Preparing, PodPhase.Failed], changes.Select(c => c.Phase));
    }

    [RequiresFact(Requires.Root)]
    public async Task With_overlay_writes_land_in_the_pods_upper_layer_and_without_it_in_its_copy_never_in_the_image()
    {
        await using var node = await StartNode();
        var layered = Request(node, "/bin/sh", "-c", "echo mine > /root/note");
        var copied = Request(node, "/bin/sh", "-c", "echo changed > /etc/passwd; cat /etc/passwd") with { Overlay = false };

        await Run(node, layered);
        var (end, log) = await Run(node, copied);

        Assert.Equal("mine\n", await File.ReadAllTextAsync(node.PodFile(layered.PodId, "upper/root/note")));
        Assert.Equal((0, "changed\n"), (end.ExitCode, log));
        var image = node.Runtime.Images.LayerTreeOf(node.Image.Layers[^1]);
        Assert.False(File.Exists(Path.Combine(image, "root/note")));
        Assert.StartsWith("root:", await File.ReadAllTextAsync(Path.Combine(image, "etc/passwd")), StringComparison.Ordinal);
    }

    [RequiresFact(Requires.Root)]
    public async Task An_app_that_handles_sigterm_ends_within_the_grace_period_with_its_own_code()
    {
        await using var node = await StartNode();
        var request = Request(node, "/bin/sh", "-c", "trap 'exit 42' TERM; echo ready; while true; do sleep 0.1; done");
        await node.Runtime.StartPodAsync(request);
        await WaitForLog(node, request.PodId, "ready");

        var end = await node.Runtime.StopPodAsync(request.PodId, TimeSpan.FromSeconds(10));

        Assert.Equal((PodPhase.Exited, 42), (end.Phase, end.ExitCode));
    }

    [RequiresFact(Requires.Root)]
    public async Task A_read_only_host_volume_is_seen_and_cannot_be_written()
    {
        await using var node = await StartNode();
        using var host = new TestDirectory();
        await File.WriteAllTextAsync(Path.Combine(host.Path, "config"), "from the host\n");
        var request = Request(node, "/bin/sh", "-c", "cat /etc/app/config; { echo x > /etc/app/new; } 2>&1 || echo refused") with
        {
            Volumes = [new PodVolume("config", PodVolumeKind.Host, host.Path, ReadOnly: true)],
        };
        request = request with { App = request.App with { Mounts = [new PodMount("config", "/etc/app")] } };

        // The shell's complaint goes to stdout too: stderr and stdout reach a kvm guest's log by separate channels, in either order.
        var (_, log) = await Run(node, request);

        Assert.Equal("from the host\n/bin/sh: can't create /etc/app/new: Read-only file system\nrefused\n", log);
        Assert.False(File.Exists(Path.Combine(host.Path, "new")));
    }

    [RequiresFact(Requires.Root)]
    public async Task A_writable_host_volume_takes_the_pods_writes()
    {
        await using var node = await StartNode();
        using var host = new TestDirectory();
        var request = Request(node, "/bin/sh", "-c", "echo written > /data/out") with
        {
            Volumes = [new PodVolume("data", PodVolumeKind.Host, host.Path, ReadOnly: false)],
        };
        request = request with { App = request.App with { Mounts = [new PodMount("data", "/data")] } };

        var (end, log) = await Run(node, request);

        Assert.True((end.Phase, end.ExitCode) == (PodPhase.Exited, 0), $"the pod ended {end}; its log: {log}");
        Assert.Equal("written\n", await File.ReadAllTextAsync(Path.Combine(host.Path, "out")));
    }

    [RequiresFact(Requires.Root)]
    public async Task A_mount_target_that_is_a_symbolic_link_in_the_image_is_refused_not_followed()
    {
        await using var node = await StartNode();
        using var host = new TestDirectory();
        // /bin/sh is a link to busybox in the image: a mount aimed through it must not land anywhere.
        var request = Request(node, "/bin/true") with { Volumes = [new PodVolume("data", PodVolumeKind.Host, host.Path, ReadOnly: false)] };
        request = request with { App = request.App with { Mounts = [new PodMount("data", "/bin/sh/x")] } };

        var error = await Assert.ThrowsAsync<PodLaunchException>(() => node.Runtime.StartPodAsync(request));

        Assert.StartsWith("mount point /bin/sh/x:", error.Message, StringComparison.Ordinal);
    }
}
