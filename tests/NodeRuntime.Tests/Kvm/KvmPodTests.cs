using System.Globalization;
using FleetPods.NodeRuntime.Kvm;

namespace FleetPods.NodeRuntime.Tests.Kvm;

/// <summary>
/// What stage1 kvm is for: a pod on a kernel of its own, seen from the host as one qemu process. The node takes the
/// kernel deploy/build-guest-kernel.sh built, as fleetpodsd does by default (<see cref="KvmDebianKernelTests"/> boots
/// Debian's, the fallback).
/// </summary>
[Collection(KvmTestGroup.Name)]
[Trait("Category", "kvm")]
[Requires(Requires.Qemu | Requires.GuestKernel)]
public sealed class KvmPodTests(BusyboxAci aci, KvmGuest guest)
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(60);

    [RequiresFact(Requires.Root)]
    public async Task The_pod_runs_on_its_own_kernel_with_our_marker_sized_by_memory_and_cpu_and_exits_with_its_apps_code()
    {
        await using var node = await guest.StartNode(aci);
        var request = Kvm(node, "/bin/sh", "-c", "cat /proc/version /proc/cmdline; grep MemTotal /proc/meminfo; nproc; exit 7") with
        {
            MemoryBytes = 64 << 20,
            CpuMillis = 1500,
        };

        var (end, log) = await Run(node, request);

        var lines = log.Split('\n');
        Assert.Equal((PodPhase.Exited, 7), (end.Phase, end.ExitCode));
        Assert.StartsWith("Linux version ", lines[0], StringComparison.Ordinal);
        Assert.Contains("-fleetpods ", lines[0], StringComparison.Ordinal);
        Assert.NotEqual(File.ReadAllText("/proc/version").TrimEnd(), lines[0]);
        Assert.Contains($"fleetpods.pod={request.PodId}", lines[1], StringComparison.Ordinal);
        Assert.NotEqual(File.ReadAllText("/proc/cmdline").TrimEnd(), lines[1]);
        // 64 MiB of the app's and the built kernel's overhead, less what that kernel keeps for itself.
        var memoryKb = long.Parse(lines[2].Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        Assert.InRange(memoryKb, 64 * 1024, (64 + KvmLauncher.BuiltKernelOverheadMiB) * 1024);
        Assert.Equal(Math.Min(2, Environment.ProcessorCount).ToString(CultureInfo.InvariantCulture), lines[3]);
    }

    [RequiresFact(Requires.Root)]
    public async Task An_idle_pods_qemu_holds_little_more_host_memory_than_its_app_could_use()
    {
        await using var node = await guest.StartNode(aci);
        var request = Kvm(node, "/bin/sh", "-c", "echo ready; exec sleep 300") with { MemoryBytes = 64 << 20 };
        await node.Runtime.StartPodAsync(request);
        await WaitForLog(node, request.PodId, "ready");
        var (_, qemu) = node.Processes(request.PodId);

        var rssMiB = ResidentMiB(qemu);
        await node.Runtime.StopPodAsync(request.PodId, TimeSpan.Zero);

        // Measured: about IDLE MiB (docs/stage1.md, "Memory"); Debian's kernel with the old 128 MiB overhead and
        // TCG's unbounded translation cache held 242 MB. The bound is the app's 64 MiB and at most 64 MiB beside it.
        Assert.InRange(rssMiB, 1, 64 + 64);
    }

    [RequiresFact(Requires.Root)]
    public async Task An_app_that_touches_most_of_its_memory_runs_to_its_end()
    {
        await using var node = await guest.StartNode(aci);
        // dd reads 56 MiB of zeros into one buffer: every page of it is touched, in a pod of Memory=64M.
        var request = Kvm(node, "/bin/sh", "-c", "dd if=/dev/zero of=/dev/null bs=56M count=1 && echo touched") with { MemoryBytes = 64 << 20 };

        var (end, log) = await Run(node, request);

        // One whole record in and out: the 56 MiB buffer was filled, not cut short.
        Assert.Equal((PodPhase.Exited, 0), (end.Phase, end.ExitCode));
        Assert.Equal("1+0 records in\n1+0 records out\ntouched\n", log);
    }

    [RequiresFact(Requires.Root)]
    public async Task The_host_reads_what_the_pod_wrote_to_a_host_volume_and_its_output_is_at_the_log_path_of_an_ns_pod()
    {
        await using var node = await guest.StartNode(aci);
        using var host = new TestDirectory();
        var volume = new PodVolume("data", PodVolumeKind.Host, host.Path, ReadOnly: false);
        var request = Kvm(node, "/bin/sh", "-c", "echo from the guest > /data/note; echo done") with { Volumes = [volume] };
        request = request with { App = request.App with { Mounts = [new PodMount("data", "/data")] } };
        var ns = node.Request("/bin/echo", "done") with { Network = PodNetworkMode.None };

        await Run(node, request);
        await Run(node, ns);

        Assert.Equal("from the guest\n", await File.ReadAllTextAsync(Path.Combine(host.Path, "note")));
        Assert.Equal("done\n", await File.ReadAllTextAsync(node.PodFile(request.PodId, "log")));
        Assert.Equal(
            Path.GetRelativePath(node.DataDirectory, node.PodFile(ns.PodId, "log")).Replace(ns.PodId, "ID", StringComparison.Ordinal),
            Path.GetRelativePath(node.DataDirectory, node.PodFile(request.PodId, "log")).Replace(request.PodId, "ID", StringComparison.Ordinal));
        Assert.Equal("done\n", await File.ReadAllTextAsync(node.PodFile(ns.PodId, "log")));
    }

    [RequiresFact(Requires.Root)]
    public async Task The_hosts_process_tree_of_a_pod_ends_at_qemu_and_a_forced_stop_kills_it()
    {
        await using var node = await guest.StartNode(aci);
        var request = Kvm(node, "/bin/sh", "-c", "echo ready; exec sleep 300");
        await node.Runtime.StartPodAsync(request);
        await WaitForLog(node, request.PodId, "ready");
        var (shim, qemu) = node.Processes(request.PodId);

        var shimChildren = Children(shim);
        var qemuChildren = Children(qemu);
        var qemuProgram = new FileInfo($"/proc/{qemu}/exe").LinkTarget;
        var sleepers = Directory.GetDirectories("/proc").Select(Path.GetFileName)
            .Where(pid => int.TryParse(pid, out _) && ReadCommandLine(pid!).StartsWith("sleep\0300", StringComparison.Ordinal));
        var end = await node.Runtime.StopPodAsync(request.PodId, TimeSpan.Zero);

        Assert.Equal([qemu], shimChildren);
        Assert.Empty(qemuChildren);
        Assert.Equal("/usr/bin/qemu-system-x86_64", qemuProgram);
        Assert.Empty(sleepers);
        Assert.Equal((PodPhase.Exited, 137), (end.Phase, end.ExitCode));
        Assert.True(await TestProcesses.Ends(qemu, TimeSpan.FromSeconds(5)));
    }

    [RequiresFact(Requires.Root)]
    public async Task A_stop_has_the_guest_sigkill_an_app_that_ignores_sigterm_after_the_grace_period_then_power_off()
    {
        await using var node = await guest.StartNode(aci);
        var request = Kvm(node, "/bin/sh", "-c", "trap '' TERM; echo ready; while true; do sleep 0.1; done");
        await node.Runtime.StartPodAsync(request);
        await WaitForLog(node, request.PodId, "ready");
        var (_, qemu) = node.Processes(request.PodId);

        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        var end = await node.Runtime.StopPodAsync(request.PodId, TimeSpan.FromSeconds(1));

        Assert.Equal((PodPhase.Exited, 137), (end.Phase, end.ExitCode));
        Assert.InRange(stopwatch.Elapsed, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10));
        Assert.False(TestProcesses.IsRunning(qemu));
        // The guest reported the code itself: a killed hypervisor would have left nothing in the console after it.
        Assert.Contains("reboot: Power down", await File.ReadAllTextAsync(node.PodFile(request.PodId, "console")), StringComparison.Ordinal);
    }

    [RequiresFact(Requires.Root)]
    public async Task Two_apps_share_an_empty_volume_and_the_pod_exits_with_the_first_failing_apps_code()
    {
        await using var node = await guest.StartNode(aci);
        var request = Kvm(node) with { Volumes = [new PodVolume("shared", PodVolumeKind.Empty, null, ReadOnly: false)] };
        var mounts = new[] { new PodMount("shared", "/shared") };
        request = request with
        {
            App = new PodAppRequest("writer", ["/bin/sh", "-c", "echo hello > /shared/note; exit 5"], [], null, null, null) { Mounts = mounts },
            MoreApps = [new PodAppRequest("reader", ["/bin/sh", "-c", "while ! test -e /shared/note; do sleep 0.1; done; cat /shared/note; hostname"], [], null, "nobody", null) { Mounts = mounts }],
        };

        var (end, log) = await Run(node, request);

        Assert.Equal((PodPhase.Exited, 5), (end.Phase, end.ExitCode));
        Assert.Equal($"hello\nfleetpods-{request.PodId[..8]}\n", log);
    }

    [RequiresFact(Requires.Root)]
    public async Task A_pod_keeps_running_across_a_runtime_restart_and_is_stopped_by_the_new_one()
    {
        await using var node = await guest.StartNode(aci);
        var request = Kvm(node, "/bin/sh", "-c", "trap 'exit 9' TERM; echo ready; while true; do sleep 0.1; done");
        await node.Runtime.StartPodAsync(request);
        await WaitForLog(node, request.PodId, "ready");

        await node.Restart();
        var recovered = await node.Runtime.RecoverAsync();
        var end = await node.Runtime.StopPodAsync(request.PodId, TimeSpan.FromSeconds(10));

        Assert.Equal(PodPhase.Running, recovered.Single(c => c.PodId == request.PodId).Phase);
        Assert.Equal((PodPhase.Exited, 9), (end.Phase, end.ExitCode));
    }

    [Fact]
    public async Task The_probed_accelerator_is_remembered_by_the_node_and_an_explicit_one_needs_no_probe()
    {
        using var toldData = new TestDirectory();
        using var unprobedData = new TestDirectory();
        await using var remembered = new PodRuntime(new NodeRuntimeOptions(guest.ProbedDataDirectory), Microsoft.Extensions.Logging.Abstractions.NullLogger<PodRuntime>.Instance);
        await using var told = new PodRuntime(
            new NodeRuntimeOptions(toldData.Path) { KvmAccelerator = KvmAccelerator.Tcg },
            Microsoft.Extensions.Logging.Abstractions.NullLogger<PodRuntime>.Instance);
        await using var unprobed = new PodRuntime(
            new NodeRuntimeOptions(unprobedData.Path),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<PodRuntime>.Instance);

        Assert.Equal(guest.Accelerator, remembered.KnownKvmAccelerator());
        Assert.Equal(KvmAccelerator.Tcg, told.KnownKvmAccelerator());
        Assert.Null(unprobed.KnownKvmAccelerator());
        // These machines' /dev/kvm hangs the guest: the probe gave up after its timeout rather than wait for it.
        Assert.True(guest.Accelerator == KvmAccelerator.Kvm || guest.ProbeTime < TimeSpan.FromSeconds(15), $"probe took {guest.ProbeTime}");
    }

    [RequiresTheory(Requires.Root)]
    [InlineData("private users", "stage1 kvm runs the pod on its own kernel, whose users are not the node's: PrivateUsers= needs stage1 ns")]
    [InlineData("network", "stage1 kvm gives the VM no network device yet: --net=none only")]
    public async Task What_kvm_does_not_do_is_refused_with_a_reason(string feature, string reason)
    {
        await using var node = await guest.StartNode(aci);
        var request = Kvm(node, "/bin/true");
        request = feature == "private users" ? request with { PrivateUsers = true } : request with { Network = PodNetworkMode.Default };

        var error = await Assert.ThrowsAsync<PodLaunchException>(() => node.Runtime.StartPodAsync(request));

        Assert.Equal(reason, error.Message);
    }

    [RequiresFact(Requires.Root)]
    public async Task Enter_is_refused_since_the_apps_are_not_processes_of_the_node()
    {
        await using var node = await guest.StartNode(aci);
        var request = Kvm(node, "/bin/sh", "-c", "echo ready; exec sleep 300");
        await node.Runtime.StartPodAsync(request);
        await WaitForLog(node, request.PodId, "ready");

        var error = Assert.Throws<PodLaunchException>(() => node.Runtime.EnterCommand(request.PodId, null));
        await node.Runtime.StopPodAsync(request.PodId, TimeSpan.Zero);

        Assert.Equal($"pod {request.PodId} runs in a VM (stage1 kvm): its apps are not processes of this node to enter", error.Message);
    }

    private static PodLaunchRequest Kvm(RuntimeHarness node, params string[] exec) => node.Request(exec) with { Stage1 = Stage1Flavor.Kvm };

    private static async Task<(PodStateChange End, string Log)> Run(RuntimeHarness node, PodLaunchRequest request)
    {
        await node.Runtime.StartPodAsync(request);
        var changes = await node.UntilEnded(request.PodId, Within);
        return (changes[^1], await node.Log(request.PodId));
    }

    private static async Task WaitForLog(RuntimeHarness node, string podId, string text)
    {
        using var timeout = new CancellationTokenSource(Within);
        while (!(await node.Log(podId)).Contains(text, StringComparison.Ordinal))
        {
            await Task.Delay(20, timeout.Token);
        }
    }

    private static long ResidentMiB(int pid) =>
        long.Parse(File.ReadLines($"/proc/{pid}/status").Single(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;

    private static int[] Children(int pid) =>
        [.. File.ReadAllText($"/proc/{pid}/task/{pid}/children").Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(p => int.Parse(p, CultureInfo.InvariantCulture))];

    private static string ReadCommandLine(string pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline");
        }
        catch (IOException)
        {
            return "";
        }
    }
}
