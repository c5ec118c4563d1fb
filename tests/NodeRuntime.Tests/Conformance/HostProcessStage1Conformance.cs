namespace FleetPods.NodeRuntime.Tests.Conformance;

/// <summary>
/// The conformance tests that need a pod's apps to be processes of the node, so ns and fly derive from this and kvm
/// does not, by design: a kvm pod's apps run on the guest's kernel and the host sees only qemu. So the node's cgroup
/// limits are not the apps' (Memory= and CPU= size the VM; the guest's own OOM killer is not the node's memory cgroup).
/// </summary>
public abstract class HostProcessStage1Conformance(BusyboxAci aci) : Stage1Conformance(aci)
{
    [RequiresFact(Requires.Root)]
    public async Task Input_reaches_the_apps_stdin_in_order_and_its_end_ends_the_app()
    {
        await using var node = await StartNode();
        var request = Request(node, "/bin/sh", "-c", "while read -r line; do echo \"got $line\"; done; echo done; [ -t 0 ] || echo 'no terminal'") with { Input = true };
        await node.Runtime.StartPodAsync(request);

        await node.Runtime.WriteInputAsync(request.PodId, null, "one\ntw"u8.ToArray(), endOfInput: false);
        await WaitForLog(node, request.PodId, "got one\n");
        await node.Runtime.WriteInputAsync(request.PodId, null, "o\n"u8.ToArray(), endOfInput: true);
        var changes = await node.UntilEnded(request.PodId, Within);

        Assert.Equal((PodPhase.Exited, 0), (changes[^1].Phase, changes[^1].ExitCode));
        Assert.Equal("got one\ngot two\ndone\nno terminal\n", await node.Log(request.PodId));
        var late = await Assert.ThrowsAsync<PodLaunchException>(() => node.Runtime.WriteInputAsync(request.PodId, null, "x"u8.ToArray(), endOfInput: false));
        Assert.Equal($"pod {request.PodId} has ended: nothing reads its input", late.Message);
    }

    [RequiresFact(Requires.Root)]
    public async Task A_megabyte_of_input_reaches_an_app_that_reads_it_all()
    {
        await using var node = await StartNode();
        var request = Request(node, "/bin/sh", "-c", "wc -c") with { Input = true };
        await node.Runtime.StartPodAsync(request);

        // Four times what a pipe holds: the writes wait for the app to read.
        var chunk = new byte[256 * 1024];
        for (var i = 0; i < 4; i++)
        {
            await node.Runtime.WriteInputAsync(request.PodId, null, chunk, endOfInput: i == 3);
        }

        await node.UntilEnded(request.PodId, Within);
        Assert.Equal("1048576", (await node.Log(request.PodId)).Trim());
    }

    [RequiresFact(Requires.Root)]
    public async Task A_terminal_is_the_apps_controlling_terminal_with_its_size_and_its_output_reaches_the_log()
    {
        await using var node = await StartNode();
        var request = Request(node, "/bin/sh", "-c", "trap 'stty size; resized=1' WINCH; stty size; [ -t 0 ] && [ -t 1 ] && [ -t 2 ] && echo terminal; echo ready; "
            + "while [ -z \"$resized\" ]; do sleep 0.1; done; read -r line; echo \"got $line\"; exit 5") with
        {
            Input = true,
            Terminal = new PodTerminalSize(30, 100),
        };
        await node.Runtime.StartPodAsync(request);
        await WaitForLog(node, request.PodId, "ready");

        node.Runtime.ResizeTerminal(request.PodId, null, new PodTerminalSize(50, 132));
        await WaitForLog(node, request.PodId, "50 132");
        await node.Runtime.WriteInputAsync(request.PodId, null, "typed\r"u8.ToArray(), endOfInput: false);
        var changes = await node.UntilEnded(request.PodId, Within);

        // A terminal echoes what is typed and ends lines with CR LF, as any terminal does.
        Assert.Equal((PodPhase.Exited, 5), (changes[^1].Phase, changes[^1].ExitCode));
        Assert.Equal("30 100\r\nterminal\r\nready\r\n50 132\r\ntyped\r\ngot typed\r\n", await node.Log(request.PodId));
    }

    [RequiresFact(Requires.Root)]
    public async Task Without_a_console_stdin_is_empty_and_input_is_refused()
    {
        await using var node = await StartNode();
        var request = Request(node, "/bin/sh", "-c", "cat; echo \"read to the end\"; sleep 30");
        await node.Runtime.StartPodAsync(request);
        await WaitForLog(node, request.PodId, "read to the end");

        var refused = await Assert.ThrowsAsync<PodLaunchException>(() => node.Runtime.WriteInputAsync(request.PodId, null, "x"u8.ToArray(), endOfInput: false));
        await node.Runtime.StopPodAsync(request.PodId, TimeSpan.Zero);

        Assert.StartsWith($"pod {request.PodId} has no console on this node", refused.Message, StringComparison.Ordinal);
    }

    [RequiresFact(Requires.Root)]
    public async Task A_pod_over_its_memory_limit_is_killed_and_reported_failed_out_of_memory()
    {
        await using var node = await StartNode();
        var request = Request(node, "/bin/dd", "if=/dev/zero", "of=/dev/null", "bs=64M", "count=1") with { MemoryBytes = 16 << 20 };
        var within = Request(node, "/bin/dd", "if=/dev/zero", "of=/dev/null", "bs=4M", "count=1") with { MemoryBytes = 16 << 20 };

        var (end, _) = await Run(node, request);
        var (fits, _) = await Run(node, within);

        Assert.Equal((PodPhase.Failed, "out of memory", true), (end.Phase, end.Reason, end.OutOfMemory));
        Assert.Equal((PodPhase.Exited, 0, false), (fits.Phase, fits.ExitCode, fits.OutOfMemory));
    }

    [RequiresFact(Requires.Root)]
    public async Task Memory_cpu_and_pids_limits_are_the_pods_cgroups_and_go_with_it_and_everything_in_them()
    {
        await using var node = await StartNode();
        // The background sleep outlives the app unless the flavor ends what the app left (fly: no pid namespace does).
        var request = Request(node, "/bin/sh", "-c", "sleep 1000 & exec sleep 30") with { MemoryBytes = 48 << 20, CpuMillis = 250 };
        await node.Runtime.StartPodAsync(request);
        var app = node.Processes(request.PodId).App;

        var cgroups = TestCgroups.Of(app);
        var limits = (TestCgroups.MemoryLimit(cgroups), TestCgroups.CpuMillis(cgroups), TestCgroups.PidsLimit(cgroups));
        await node.Runtime.StopPodAsync(request.PodId, TimeSpan.Zero);

        Assert.Equal((48L << 20, 250, 4096), limits);
        Assert.All(cgroups.Values, directory => Assert.False(Directory.Exists(directory), $"{directory} outlived the pod"));
    }
}
