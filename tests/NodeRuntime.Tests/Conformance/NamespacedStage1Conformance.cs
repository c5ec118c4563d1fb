using System.Globalization;

namespace FleetPods.NodeRuntime.Tests.Conformance;

/// <summary>
/// The conformance tests of flavors that give a pod its own namespaces on the node's kernel (ns): process, host
/// name, user ids, confinement, several apps. Fly, which is chroot only by design, does not derive from this, nor does
/// kvm, whose pod has a kernel of its own (its own tests cover its processes, host name and several apps); the network's
/// tests, which kvm passes too, are in <see cref="Stage1NetworkConformance"/>.
/// </summary>
public abstract class NamespacedStage1Conformance(BusyboxAci aci, SetuidProbe probe) : HostProcessStage1Conformance(aci)
{
    [RequiresFact(Requires.Root)]
    public async Task The_app_is_pid_1_with_the_pods_hostname_and_sees_no_host_process()
    {
        await using var node = await RuntimeHarness.Start(Aci);
        var request = Request(node, "/bin/sh", "-c", "echo $$; hostname; ls /proc | grep -c '^[0-9]'; cat /proc/[0-9]*/comm | sort -u | tr '\\n' ' '");

        var (_, log) = await Run(node, request);

        var lines = log.Split('\n');
        Assert.Equal(["1", $"fleetpods-{request.PodId[..8]}"], lines[..2]);
        Assert.True(int.Parse(lines[2], CultureInfo.InvariantCulture) <= 3, $"the pod saw {lines[2]} processes: {lines[3]}");
        Assert.DoesNotContain("dotnet", lines[3], StringComparison.Ordinal);
        Assert.DoesNotContain("fleetpods-shim", lines[3], StringComparison.Ordinal);
    }

    [RequiresFact(Requires.Root)]
    public async Task A_stop_ends_a_pid_1_that_ignores_sigterm_with_sigkill_after_the_grace_period()
    {
        await using var node = await RuntimeHarness.Start(Aci);
        var request = Request(node, "/bin/sleep", "1000");
        await node.Runtime.StartPodAsync(request);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var end = await node.Runtime.StopPodAsync(request.PodId, TimeSpan.FromMilliseconds(500));

        // PID 1 of a namespace ignores a SIGTERM it has no handler for, so the grace runs out and SIGKILL ends it.
        Assert.Equal((PodPhase.Exited, 137), (end.Phase, end.ExitCode));
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(450), TimeSpan.FromSeconds(5));
        Assert.Equal(end, await node.Runtime.StopPodAsync(request.PodId, TimeSpan.FromSeconds(1)));
    }

    [RequiresFact(Requires.Root)]
    public async Task The_app_has_runcs_default_capabilities_no_new_privs_and_a_seccomp_filter()
    {
        await using var node = await RuntimeHarness.Start(Aci);
        var request = Request(node, "/bin/sh", "-c", "grep -E '^(CapEff|CapBnd|CapInh|NoNewPrivs|Seccomp):' /proc/self/status | tr -s '\\t' ' '");

        var (_, log) = await Run(node, request);

        Assert.Equal("CapInh: 0000000000000000\nCapEff: 00000000a80425fb\nCapBnd: 00000000a80425fb\nNoNewPrivs: 1\nSeccomp: 2\n", log);
    }

    [RequiresFact(Requires.Root)]
    public async Task Setuid_escalation_is_blocked_by_no_new_privs()
    {
        await using var node = await RuntimeHarness.Start(Aci);
        var request = Request(node) with { Volumes = [new PodVolume("probe", PodVolumeKind.Host, probe.Directory, ReadOnly: true)] };
        request = request with
        {
            App = new PodAppRequest("app", ["/probe/euid"], [], null, "nobody", null) { Mounts = [new PodMount("probe", "/probe")] },
        };

        var (end, log) = await Run(node, request);

        // FlyStage1Tests runs the same program without no_new_privs and sees 0: the probe can tell.
        Assert.Equal((PodPhase.Exited, 0, "65534\n"), (end.Phase, end.ExitCode, log));
    }

    [RequiresFact(Requires.Root)]
    public async Task The_seccomp_filter_refuses_new_namespaces_and_mounts_even_to_root_and_allows_the_usual_personalities()
    {
        await using var node = await RuntimeHarness.Start(Aci);
        var request = Request(node, "/bin/sh", "-c", "unshare -U true 2>&1; unshare -n true 2>&1; mount -t tmpfs none /mnt 2>&1; linux32 uname -m; echo done");

        var (_, log) = await Run(node, request);

        Assert.Equal(
            "unshare: unshare(0x10000000): Operation not permitted\nunshare: unshare(0x40000000): Operation not permitted\nmount: permission denied (are you root?)\ni686\ndone\n",
            log);
    }

    [RequiresFact(Requires.Root)]
    public async Task Proc_sys_is_read_only_and_kernel_files_runc_masks_are_empty()
    {
        await using var node = await RuntimeHarness.Start(Aci);
        var request = Request(node, "/bin/sh", "-c", "echo x > /proc/sys/kernel/hostname; wc -c < /proc/timer_list");

        var (_, log) = await Run(node, request);

        Assert.Equal("/bin/sh: can't create /proc/sys/kernel/hostname: Read-only file system\n0\n", log);
    }

    [RequiresFact(Requires.Root)]
    public async Task With_private_users_the_pod_is_root_inside_and_an_unused_high_range_outside()
    {
        await using var node = await RuntimeHarness.Start(Aci);
        var first = Request(node, "/bin/sh", "-c", "id -u; ls -ln /bin/busybox | awk '{print $3}'; touch /root/mine; echo ready; sleep 30") with { PrivateUsers = true };
        var second = Request(node, "/bin/sh", "-c", "echo ready; sleep 30") with { PrivateUsers = true, Overlay = false };
        await node.Runtime.StartPodAsync(first);
        await node.Runtime.StartPodAsync(second);
        await WaitForLog(node, first.PodId, "ready");
        await WaitForLog(node, second.PodId, "ready");

        var firstUid = HostUid(node.Processes(first.PodId).App);
        var secondUid = HostUid(node.Processes(second.PodId).App);

        Assert.Equal("0\n0\nready\n", await node.Log(first.PodId));
        Assert.True(firstUid >= 8 * 65536 && firstUid % 65536 == 0, $"host uid {firstUid}");
        Assert.True(secondUid >= 8 * 65536 && secondUid % 65536 == 0, $"host uid {secondUid}");
        Assert.NotEqual(firstUid, secondUid);
        Assert.Equal(firstUid.ToString(CultureInfo.InvariantCulture), TestFiles.Run("stat", "-c", "%u", node.PodFile(first.PodId, "upper/root/mine")).Trim());
    }

    [RequiresFact(Requires.Root)]
    public async Task Two_apps_share_the_pods_namespaces_and_see_each_others_files_in_an_empty_volume()
    {
        await using var node = await RuntimeHarness.Start(Aci);
        var request = Request(node) with
        {
            Volumes = [new PodVolume("shared", PodVolumeKind.Empty, null, ReadOnly: false)],
            App = new PodAppRequest("writer", ["/bin/sh", "-c", "echo from-writer > /shared/.note; mv /shared/.note /shared/note; while [ ! -e /shared/reply ]; do sleep 0.05; done; cat /shared/reply"], [], null, null, null)
            {
                Mounts = [new PodMount("shared", "/shared")],
            },
            MoreApps =
            [
                new PodAppRequest("reader", ["/bin/sh", "-c", "while [ ! -e /data/note ]; do sleep 0.05; done; cat /data/note; hostname > /data/.reply; mv /data/.reply /data/reply; echo $AC_APP_NAME"], [], null, "nobody", null)
                {
                    Mounts = [new PodMount("shared", "/data")],
                },
            ],
        };

        var (end, log) = await Run(node, request);

        Assert.Equal((PodPhase.Exited, 0), (end.Phase, end.ExitCode));
        Assert.Equal([$"fleetpods-{request.PodId[..8]}", "from-writer", "reader"], log.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));
    }

    [RequiresFact(Requires.Root)]
    public async Task A_pod_of_several_apps_exits_with_the_first_failing_apps_code_once_all_have_ended()
    {
        await using var node = await RuntimeHarness.Start(Aci);
        var request = Request(node, "/bin/sh", "-c", "sleep 0.3; exit 5") with
        {
            MoreApps = [new PodAppRequest("second", ["/bin/sh", "-c", "sleep 0.6; echo second done"], [], null, null, null)],
        };

        var (end, log) = await Run(node, request);

        Assert.Equal((PodPhase.Exited, 5), (end.Phase, end.ExitCode));
        Assert.Equal("second done\n", log);
    }

    [RequiresFact(Requires.Root)]
    public async Task Enter_joins_the_named_apps_namespaces_and_confinement()
    {
        await using var node = await RuntimeHarness.Start(Aci);
        var request = Request(node, "/bin/sh", "-c", "echo first > /tmp/who; sleep 30") with
        {
            MoreApps = [new PodAppRequest("second", ["/bin/sh", "-c", "echo second > /tmp/who; echo ready; sleep 30"], [], null, null, null)],
            PrivateUsers = true,
        };
        await node.Runtime.StartPodAsync(request);
        await WaitForLog(node, request.PodId, "ready");

        var (code, output) = Enter(
            node.Runtime.EnterCommand(request.PodId, "second"),
            "/bin/sh", "-c", "cat /tmp/who; hostname; id -u; grep -E '^(CapEff|NoNewPrivs)' /proc/self/status | tr -s '\\t' ' '; ls /proc | grep -c '^[0-9]'");

        Assert.Equal(0, code);
        Assert.Equal(["second", $"fleetpods-{request.PodId[..8]}", "0", "CapEff: 00000000a80425fb", "NoNewPrivs: 1"], output.Split('\n')[..5]);
        Assert.InRange(int.Parse(output.Split('\n')[5], CultureInfo.InvariantCulture), 3, 6);
    }

    [RequiresFact(Requires.Root)]
    public async Task A_stop_reaches_every_app_of_a_pod_of_several_through_its_pid_1()
    {
        await using var node = await RuntimeHarness.Start(Aci);
        var request = Request(node, "/bin/sleep", "1000") with
        {
            MoreApps = [new PodAppRequest("second", ["/bin/sh", "-c", "echo ready; sleep 1000"], [], null, null, null)],
        };
        await node.Runtime.StartPodAsync(request);
        await WaitForLog(node, request.PodId, "ready");

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var end = await node.Runtime.StopPodAsync(request.PodId, TimeSpan.FromSeconds(10));

        // The apps are not pid 1 here: SIGTERM, forwarded by the pod's pid 1, ends them (128 + 15) well within the grace.
        Assert.Equal((PodPhase.Exited, 143), (end.Phase, end.ExitCode));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"the stop took {clock.Elapsed}");
    }

    private static long HostUid(int pid) =>
        long.Parse(File.ReadLines($"/proc/{pid}/status").Single(l => l.StartsWith("Uid:", StringComparison.Ordinal)).Split('\t', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
}
