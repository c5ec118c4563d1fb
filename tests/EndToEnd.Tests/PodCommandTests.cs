namespace FleetPods.EndToEnd.Tests;

/// <summary>
/// rkt's pod commands through the real CLI and daemon: <c>run</c>'s flags (limits, network, volumes, environment,
/// identity, several images), and <c>stop POD --force</c>, <c>enter</c>, <c>status --wait</c>, <c>rm</c>.
/// </summary>
public sealed class PodCommandTests : IClassFixture<BusyboxImage>, IAsyncLifetime
{
    private readonly BusyboxImage image;
    private readonly FleetPodsDaemon daemon = new();
    private readonly string work = Directory.CreateTempSubdirectory("fleetpods-e2e-").FullName;

    public PodCommandTests(BusyboxImage image) => this.image = image;

    public async Task InitializeAsync()
    {
        await daemon.StartWith(image);
    }

    public async Task DisposeAsync()
    {
        await daemon.DisposeAsync();
        Directory.Delete(work, recursive: true);
    }

    [RequiresFact(Requires.Root)]
    public async Task A_pod_killed_for_memory_prints_out_of_memory_and_exits_non_zero()
    {
        var result = await daemon.Cli("run", "--memory", "16M", BusyboxImage.Name, "--", "/bin/dd", "if=/dev/zero", "of=/dev/null", "bs=64M", "count=1");

        Assert.Equal(1, result.ExitCode);
        Assert.EndsWith("failed: out of memory\n", result.Stderr, StringComparison.Ordinal);
    }

    [RequiresFact(Requires.Root)]
    public async Task Run_flags_set_the_network_environment_identity_and_volumes()
    {
        File.WriteAllText(Path.Combine(work, "greeting"), "from the host\n");
        // The pod's nobody (a high id on the host, with --private-users) may read the volume.
        await Processes.Run("chmod", ["755", work], TimeSpan.FromSeconds(10));
        var result = await daemon.Cli(
            "run", "--net", "none", "--set-env", "WHO=flags", "--user", "nobody", "--cpu", "500m", "--private-users",
            "--volume", $"conf,kind=host,source={work},readOnly=true", "--mount", "volume=conf,target=/conf",
            BusyboxImage.Name, "--", "/bin/sh", "-c", "ip -o link | cut -d: -f2 | tr -d ' '; echo $WHO; id -u; cat /conf/greeting; touch /conf/x 2>/dev/null || echo read-only");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("lo\nflags\n65534\nfrom the host\nread-only\n", result.Stdout);
    }

    [RequiresFact(Requires.Root)]
    public async Task Several_images_make_several_apps_of_one_pod()
    {
        var result = await daemon.Cli("run", BusyboxImage.Name, BusyboxImage.Name, "--", "/bin/sh", "-c", "echo first app");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(["first app", "hello from busybox"], result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));
    }

    [RequiresFact(Requires.Root)]
    public async Task A_bad_flag_value_is_refused_naming_the_flag()
    {
        var result = await daemon.Cli("run", "--memory", "12x", BusyboxImage.Name);

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("fleetpods: --memory '12x': ", result.Stderr, StringComparison.Ordinal);
    }

    [RequiresFact(Requires.Root)]
    public async Task Enter_stop_force_status_wait_and_rm_act_on_a_pod_by_id()
    {
        var unit = Path.Combine(work, "sleeper.pod");
        File.WriteAllText(unit, $"[Pod]\nImage={BusyboxImage.Name}\nExec=/bin/sh -c \"echo inside > /tmp/mark; sleep 1000\"\n");
        Assert.Equal(0, (await daemon.Cli("start", unit)).ExitCode);
        var pod = (await daemon.WaitForPhase("sleeper.pod", "running", TimeSpan.FromSeconds(60))).GetProperty("id").GetString()!;

        var entered = await daemon.Cli("enter", pod[..8], "--", "/bin/sh", "-c", "cat /tmp/mark; hostname; exit 5");
        var waiting = daemon.Cli("status", pod, "--wait");
        var stopped = await daemon.Cli("stop", pod, "--force");
        var waited = await waiting;
        var removed = await daemon.Cli("rm", pod);
        var gone = await daemon.Cli("status", pod);

        Assert.True(entered.ExitCode == 5, entered.ToString());
        Assert.Equal($"inside\nfleetpods-{pod[..8]}\n", entered.Stdout);
        Assert.True(stopped.ExitCode == 0, stopped.ToString());
        Assert.Contains("with code 137", stopped.Stdout, StringComparison.Ordinal);
        Assert.True(waited.ExitCode == 0, waited.ToString());
        Assert.Contains("Exit code: 137", waited.Stdout, StringComparison.Ordinal);
        Assert.True(removed.ExitCode == 0, removed.ToString());
        Assert.NotEqual(0, gone.ExitCode);
    }

    [RequiresFact(Requires.Root)]
    public async Task A_unit_with_an_app_section_runs_both_apps_in_one_pod_sharing_an_empty_volume()
    {
        var unit = Path.Combine(work, "pair.pod");
        File.WriteAllText(unit, $$"""
            [Pod]
            Image={{BusyboxImage.Name}}
            Exec=/bin/sh -c "echo ping > /shared/note; while [ ! -e /shared/pong ]; do sleep 0.05; done"
            Volume=shared,kind=empty
            Mount=volume=shared,target=/shared

            [App reader]
            Image={{BusyboxImage.Name}}
            Exec=/bin/sh -c "while [ ! -e /in/note ]; do sleep 0.05; done; touch /in/pong; exit 4"
            Mount=volume=shared,target=/in
            """);

        Assert.Equal(0, (await daemon.Cli("start", unit)).ExitCode);
        var pod = await daemon.WaitForPhase("pair.pod", "exited", TimeSpan.FromSeconds(60));

        Assert.Equal(4, pod.GetProperty("exitCode").GetInt32());
    }

    [RequiresFact(Requires.Root)]
    public async Task Rm_refuses_a_running_pod()
    {
        var unit = Path.Combine(work, "runner.pod");
        File.WriteAllText(unit, $"[Pod]\nImage={BusyboxImage.Name}\nExec=/bin/sleep 1000\n");
        Assert.Equal(0, (await daemon.Cli("start", unit)).ExitCode);
        var pod = (await daemon.WaitForPhase("runner.pod", "running", TimeSpan.FromSeconds(60))).GetProperty("id").GetString()!;

        var result = await daemon.Cli("rm", pod);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("is running; stop it first", result.Stderr, StringComparison.Ordinal);
    }
}
