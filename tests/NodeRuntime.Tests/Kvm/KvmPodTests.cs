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

        // Measured: 92 MiB, of which 11 MiB is the kernel's file, shared by every pod that boots it (docs/stage1.md,
        // "Memory"). Transparent huge pages on the guest's RAM made it 133 MiB, and Debian's kernel with the old 128 MiB
        // overhead and TCG's unbounded translation cache 242 MB; the bound keeps the margin of a busy machine below both.
        Assert.InRange(rssMiB, 1, 110);
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
        // Within the pod's own tree on the host: other tests on this host run `sleep 300` in ns pods of their own.
        var sleepers = Descendants(shim).Where(pid => ReadCommandLine(pid.ToString(CultureInfo.InvariantCulture)).StartsWith("sleep\0300", StringComparison.Ordinal)).ToList();
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
    [InlineData("host network", "stage1 kvm runs the pod on its own kernel, which cannot share the node's network: --net=default or none")]
    public async Task What_kvm_does_not_do_is_refused_with_a_reason(string feature, string reason)
    {
        await using var node = await guest.StartNode(aci);
        var request = Kvm(node, "/bin/true");
        request = feature == "private users" ? request with { PrivateUsers = true } : request with { Network = PodNetworkMode.Host };

        var error = await Assert.ThrowsAsync<PodLaunchException>(() => node.Runtime.StartPodAsync(request));

        Assert.Equal(reason, error.Message);
    }

    [RequiresFact(Requires.Root)]
    public async Task Enter_runs_in_the_guest_as_the_apps_user_groups_and_working_directory_with_its_environment()
    {
        await using var node = await guest.StartNode(aci);
        var request = Kvm(node, "/bin/sh", "-c", "echo ready; exec sleep 300");
        request = request with
        {
            App = request.App with
            {
                User = "1234",
                Group = "2345",
                SupplementaryGroups = [3456],
                WorkingDirectory = "/tmp",
                Environment = [KeyValuePair.Create("GREETING", "from the unit")],
            },
        };
        await node.Runtime.StartPodAsync(request);
        await WaitForLog(node, request.PodId, "ready");

        var session = await node.Runtime.StartSessionAsync(request.PodId, new EnterSessionRequest(
            null, ["/bin/sh", "-c", "id -u; id -g; id -G; pwd; echo \"$GREETING\" \"$AC_APP_NAME\"; uname -r; exit 3"], Input: false, Terminal: null, []));
        var (code, output) = await node.SessionEnd(request.PodId, session, Within);
        await node.Runtime.StopPodAsync(request.PodId, TimeSpan.Zero);

        var lines = output.Split('\n');
        Assert.Equal((3, "1234", "2345", "/tmp", "from the unit app"), (code, lines[0], lines[1], lines[3], lines[4]));
        Assert.Contains("3456", lines[2].Split(' '));
        // The guest's kernel, not the node's: the command ran inside the VM.
        Assert.NotEqual(File.ReadAllText("/proc/sys/kernel/osrelease").Trim(), lines[5]);
    }

    [RequiresFact(Requires.Root)]
    public async Task Two_enters_at_once_get_their_own_output_while_one_nobody_reads_stalls_neither_them_nor_the_pods_log()
    {
        await using var node = await guest.StartNode(aci);
        var request = Kvm(node, "/bin/sh", "-c", "echo ready; i=0; while :; do i=$((i+1)); echo \"tick $i\"; sleep 0.2; done");
        await node.Runtime.StartPodAsync(request);
        await WaitForLog(node, request.PodId, "ready");

        // 2.4 MB of output to a pipe nobody reads yet: the guest stops reading it once the session's window is full.
        using var unread = StartRelay(node.Runtime.EnterCommand(request.PodId, null), "/bin/sh", "-c", "yes entered | head -n 300000; exit 6");
        var first = await node.Runtime.StartSessionAsync(request.PodId, new EnterSessionRequest(
            null, ["/bin/sh", "-c", "read -r line; echo \"first got $line\""], Input: true, Terminal: null, []));
        var second = await node.Runtime.StartSessionAsync(request.PodId, new EnterSessionRequest(
            null, ["/bin/sh", "-c", "read -r line; echo \"second got $line\" >&2"], Input: true, Terminal: null, []));
        await node.Runtime.WriteInputAsync(request.PodId, second, "two\n"u8.ToArray(), endOfInput: true);
        await node.Runtime.WriteInputAsync(request.PodId, first, "one\n"u8.ToArray(), endOfInput: true);
        var firstEnd = await node.SessionEnd(request.PodId, first, Within);
        var secondEnd = await node.SessionEnd(request.PodId, second, Within);
        var ticks = TickCount(await node.Log(request.PodId));
        await WaitFor(async () => TickCount(await node.Log(request.PodId)) > ticks + 2, "the pod's log to go on");
        var unreadOutput = await unread.StandardOutput.ReadToEndAsync();
        using (var timeout = new CancellationTokenSource(Within))
        {
            await unread.WaitForExitAsync(timeout.Token);
        }

        await node.Runtime.StopPodAsync(request.PodId, TimeSpan.Zero);

        Assert.Equal((0, "first got one\n"), firstEnd);
        Assert.Equal((0, "second got two\n"), secondEnd);
        Assert.Equal(6, unread.ExitCode);
        Assert.Equal(300000, unreadOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(l => l == "entered"));
        Assert.Equal(300000 * "entered\n".Length, unreadOutput.Length);
    }

    [RequiresFact(Requires.Root)]
    public async Task Enter_at_a_terminal_has_its_size_follows_a_resize_and_reads_what_is_typed()
    {
        await using var node = await guest.StartNode(aci);
        var request = Kvm(node, "/bin/sh", "-c", "echo ready; exec sleep 300");
        await node.Runtime.StartPodAsync(request);
        await WaitForLog(node, request.PodId, "ready");

        var session = await node.Runtime.StartSessionAsync(request.PodId, new EnterSessionRequest(
            null, ["/bin/sh", "-c", "trap 'stty size; resized=1' WINCH; stty size; [ -t 0 ] && [ -t 1 ] && [ -t 2 ] && echo terminal; tty; echo ready; "
                + "while [ -z \"$resized\" ]; do sleep 0.1; done; read -r line; echo \"got $line\"; exit 5"],
            Input: true, new PodTerminalSize(25, 81), []));
        await WaitForSessionOutput(node, request.PodId, session, "ready");
        node.Runtime.ResizeTerminal(request.PodId, session, new PodTerminalSize(50, 132));
        await WaitForSessionOutput(node, request.PodId, session, "50 132");
        await node.Runtime.WriteInputAsync(request.PodId, session, "typed\r"u8.ToArray(), endOfInput: false);
        var (code, output) = await node.SessionEnd(request.PodId, session, Within);
        await node.Runtime.StopPodAsync(request.PodId, TimeSpan.Zero);

        Assert.Equal(5, code);
        Assert.StartsWith("25 81\r\nterminal\r\n/dev/pts/", output, StringComparison.Ordinal);
        Assert.Contains("50 132\r\n", output, StringComparison.Ordinal);
        Assert.EndsWith("got typed\r\n", output, StringComparison.Ordinal);
    }

    [RequiresFact(Requires.Root)]
    public async Task A_session_ends_with_the_pod_in_one_line_and_an_ended_pod_cannot_be_entered()
    {
        await using var node = await guest.StartNode(aci);
        var request = Kvm(node, "/bin/sh", "-c", "echo ready; exec sleep 300");
        await node.Runtime.StartPodAsync(request);
        await WaitForLog(node, request.PodId, "ready");
        var session = await node.Runtime.StartSessionAsync(request.PodId, new EnterSessionRequest(
            null, ["/bin/sh", "-c", "echo started; exec sleep 300"], Input: false, Terminal: null, []));
        await WaitForSessionOutput(node, request.PodId, session, "started");

        await node.Runtime.StopPodAsync(request.PodId, TimeSpan.FromSeconds(5));
        var (code, output) = await node.SessionEnd(request.PodId, session, Within);
        var late = Assert.Throws<PodLaunchException>(() => node.Runtime.EnterCommand(request.PodId, null));

        Assert.Equal((137, $"started\nfleetpods-shim: pod {request.PodId} has ended, and this command with it\n"), (code, output));
        Assert.Equal($"pod {request.PodId} is not running", late.Message);
    }

    [RequiresFact(Requires.Root)]
    public async Task A_connection_that_breaks_the_frames_is_dropped_while_the_pod_and_a_real_enter_go_on()
    {
        await using var node = await guest.StartNode(aci);
        var request = Kvm(node, "/bin/sh", "-c", "echo ready; exec sleep 300");
        await node.Runtime.StartPodAsync(request);
        await WaitForLog(node, request.PodId, "ready");
        var socketPath = node.PodFile(request.PodId, "enter");

        // A header announcing 65535 bytes, beyond the 16 KiB bound; then a frame only the guest may send, as a first frame.
        var oversized = await DroppedAfter(socketPath, [0, 0, 0, 0, 2, 0, 0xff, 0xff]);
        var impostor = await DroppedAfter(socketPath, [7, 0, 0, 0, 19, 0, 4, 0, 0, 0, 0, 0]);
        var session = await node.Runtime.StartSessionAsync(request.PodId, new EnterSessionRequest(
            null, ["/bin/sh", "-c", "echo still served"], Input: false, Terminal: null, []));
        var end = await node.SessionEnd(request.PodId, session, Within);
        var mode = File.GetUnixFileMode(socketPath);
        await node.Runtime.StopPodAsync(request.PodId, TimeSpan.Zero);

        Assert.True(oversized, "a header beyond the bound should end the connection");
        Assert.True(impostor, "an exit sent by a client should end the connection");
        Assert.Equal((0, "still served\n"), end);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, mode);
        Assert.False(File.Exists(socketPath), "the socket should go with the VM");
    }

    /// <summary>Connects to a pod's enter socket, sends <paramref name="bytes"/>, and tells whether the supervisor then closes the connection.</summary>
    private static async Task<bool> DroppedAfter(string socketPath, byte[] bytes)
    {
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
        await socket.ConnectAsync(new System.Net.Sockets.UnixDomainSocketEndPoint(socketPath));
        await socket.SendAsync(bytes);
        using var timeout = new CancellationTokenSource(Within);
        var buffer = new byte[8 + 16384];
        try
        {
            while (await socket.ReceiveAsync(buffer, timeout.Token) > 0)
            {
            }

            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
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

    private static Task WaitForSessionOutput(RuntimeHarness node, string podId, string session, string text) =>
        WaitFor(async () =>
        {
            var piece = await node.Runtime.ReadSessionOutputAsync(podId, session, 0, 1 << 20);
            return System.Text.Encoding.UTF8.GetString(piece.Data).Contains(text, StringComparison.Ordinal);
        }, $"'{text}' in the session's output");

    private static async Task WaitFor(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + Within;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"waited {Within.TotalSeconds} s for {what}");
            await Task.Delay(20);
        }
    }

    private static int TickCount(string log) => log.Split('\n').Count(l => l.StartsWith("tick ", StringComparison.Ordinal));

    /// <summary>Starts an enter command line as a caller at the node would, its stdout a pipe this test reads when it likes.</summary>
    private static System.Diagnostics.Process StartRelay(IReadOnlyList<string> enter, params string[] command)
    {
        var start = new System.Diagnostics.ProcessStartInfo(enter[0]) { RedirectStandardOutput = true, RedirectStandardInput = true };
        foreach (var argument in enter.Skip(1).Append("--").Concat(command))
        {
            start.ArgumentList.Add(argument);
        }

        var process = System.Diagnostics.Process.Start(start)!;
        process.StandardInput.Close();
        return process;
    }

    private static long ResidentMiB(int pid) =>
        long.Parse(File.ReadLines($"/proc/{pid}/status").Single(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;

    private static IEnumerable<int> Descendants(int pid) => Children(pid).SelectMany(child => Descendants(child).Prepend(child));

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
