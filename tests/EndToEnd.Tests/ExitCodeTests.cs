using System.Diagnostics;

namespace FleetPods.EndToEnd.Tests;

/// <summary>
/// Every row of the exit-code table in docs/cli.md, against a real daemon: 0 done, 1 refused or failed (a pod that could not
/// start included), 130 interrupted, <c>run</c> and <c>enter</c> the code of what they ran.
/// </summary>
public sealed class ExitCodeTests(BusyboxDaemon fixture) : IClassFixture<BusyboxDaemon>, IDisposable
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(90);
    private readonly string units = Directory.CreateTempSubdirectory("fleetpods-exit-").FullName;

    private FleetPodsDaemon Daemon => fixture.Daemon;

    public void Dispose() => Directory.Delete(units, recursive: true);

    [RequiresFact(Requires.Root)]
    public async Task Submit_is_0_for_a_valid_file_and_1_for_a_refused_one()
    {
        var good = await Daemon.Cli("submit", Unit("submitted.pod", "Exec=/bin/true"));
        var bad = await Daemon.Cli("submit", Unit("refused.pod", "Exec=/bin/true\nMemory=lots"));

        Assert.True(good.ExitCode == 0, good.ToString());
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("refused.pod:4: Memory=", bad.Stderr, StringComparison.Ordinal);
    }

    [RequiresFact(Requires.Root)]
    public async Task Unit_transitions_are_0_when_done_and_1_for_a_unit_that_does_not_exist()
    {
        Assert.Equal(0, (await Daemon.Cli("submit", Unit("cycle.pod", "Exec=/bin/sleep 1000\nNetwork=none"))).ExitCode);

        foreach (var command in new[] { "load", "start", "stop", "unload", "destroy" })
        {
            var done = await Daemon.Cli(command, "cycle");
            var missing = await Daemon.Cli(command, "no-such-unit");

            Assert.True(done.ExitCode == 0, $"{command}: {done}");
            Assert.True(missing.ExitCode == 1, $"{command}: {missing}");
            Assert.NotEmpty(missing.Stderr.Trim());
        }
    }

    [RequiresFact(Requires.Root)]
    public async Task Start_of_a_unit_whose_pod_could_not_start_is_1()
    {
        var file = Unit("unstartable.pod", "Exec=/bin/true", image: "example.com/on-no-node");

        var result = await Daemon.Cli("start", file);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("failed", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("example.com/on-no-node", result.Stdout, StringComparison.Ordinal);
    }

    [RequiresFact(Requires.Root)]
    public async Task Status_is_0_when_shown_and_1_for_nothing_of_that_name()
    {
        Assert.Equal(0, (await Daemon.Cli("submit", Unit("shown.pod", "Exec=/bin/true"))).ExitCode);

        var shown = await Daemon.Cli("status", "shown");
        var missing = await Daemon.Cli("status", "no-such-unit-or-pod");
        var inactive = await Daemon.Cli("status", "shown", "--wait");

        Assert.True(shown.ExitCode == 0, shown.ToString());
        Assert.Equal(1, missing.ExitCode);
        Assert.Equal(1, inactive.ExitCode);
        Assert.Contains("inactive and has no pod to wait for", inactive.Stderr, StringComparison.Ordinal);
    }

    [RequiresFact(Requires.Root)]
    public async Task Status_of_a_unit_with_wait_waits_for_its_pod_to_end_and_is_0_whatever_the_pods_code()
    {
        Assert.Equal(0, (await Daemon.Cli("start", Unit("waited.pod", "Exec=/bin/sh -c \"trap 'exit 5' TERM; while true; do sleep 0.1; done\"\nNetwork=none"))).ExitCode);
        await Daemon.WaitForPhase("waited.pod", "running", Within);
        using var status = Start("status", "waited", "--wait");
        await WaitUntilConnected(status);

        Assert.Equal(0, (await Daemon.Cli("stop", "waited")).ExitCode);
        await status.WaitForExitAsync().WaitAsync(Within);

        // Had it not waited, it would have shown the pod running.
        Assert.Equal(0, status.ExitCode);
        var output = await status.StandardOutput.ReadToEndAsync();
        Assert.Contains("Phase: exited", output, StringComparison.Ordinal);
        Assert.Contains("Exit code: 5", output, StringComparison.Ordinal);
    }

    [RequiresFact(Requires.Root)]
    public async Task A_waiting_status_interrupted_by_sigint_is_130_and_leaves_the_pod_running()
    {
        Assert.Equal(0, (await Daemon.Cli("start", Unit("interrupted.pod", "Exec=/bin/sleep 1000\nNetwork=none"))).ExitCode);
        var pod = await Daemon.WaitForPhase("interrupted.pod", "running", Within);
        using var status = Start("status", pod.GetProperty("id").GetString()!, "--wait");
        await WaitUntilConnected(status);

        Assert.Equal(0, (await Processes.Run("kill", ["-INT", $"{status.Id}"], Within)).ExitCode);
        await status.WaitForExitAsync().WaitAsync(Within);

        Assert.Equal(130, status.ExitCode);
        Assert.DoesNotContain("   at ", await status.StandardError.ReadToEndAsync(), StringComparison.Ordinal);
        Assert.Equal("running", (await Daemon.PodOf("interrupted.pod")).GetProperty("phase").GetString());
    }

    [RequiresFact(Requires.Root)]
    public async Task Enter_is_the_commands_code_and_1_for_a_pod_that_does_not_run()
    {
        Assert.Equal(0, (await Daemon.Cli("start", Unit("entered.pod", "Exec=/bin/sleep 1000\nNetwork=none"))).ExitCode);
        var id = (await Daemon.WaitForPhase("entered.pod", "running", Within)).GetProperty("id").GetString()!;

        var entered = await Daemon.Cli("enter", id, "--", "/bin/sh", "-c", "exit 7");
        Assert.Equal(0, (await Daemon.Cli("stop", id, "--force")).ExitCode);
        var ended = await Daemon.Cli("enter", id, "--", "/bin/true");

        Assert.True(entered.ExitCode == 7, entered.ToString());
        Assert.Equal(1, ended.ExitCode);
    }

    [RequiresFact(Requires.Root)]
    public async Task Rm_is_0_for_an_ended_pod_and_1_for_a_running_one()
    {
        Assert.Equal(0, (await Daemon.Cli("start", Unit("removed.pod", "Exec=/bin/sleep 1000\nNetwork=none"))).ExitCode);
        var id = (await Daemon.WaitForPhase("removed.pod", "running", Within)).GetProperty("id").GetString()!;

        var running = await Daemon.Cli("rm", id);
        Assert.Equal(0, (await Daemon.Cli("stop", id, "--force")).ExitCode);
        var ended = await Daemon.Cli("rm", id);

        Assert.Equal(1, running.ExitCode);
        Assert.True(ended.ExitCode == 0, ended.ToString());
    }

    [RequiresFact(Requires.Root)]
    public async Task Cat_listings_images_and_gc_are_0_and_a_refused_request_is_1()
    {
        Assert.Equal(0, (await Daemon.Cli("submit", Unit("listed.pod", "Exec=/bin/true"))).ExitCode);

        string[][] commands = [["cat", "listed"], ["list-units"], ["list-unit-files"], ["list-pods"], ["list-machines"], ["image", "list"], ["image", "cat-manifest", BusyboxImage.Name], ["gc"]];
        foreach (var command in commands)
        {
            var result = await Daemon.Cli(command);
            Assert.True(result.ExitCode == 0, $"{string.Join(' ', command)}: {result}");
        }

        Assert.Equal(1, (await Daemon.Cli("cat", "no-such-unit")).ExitCode);
        Assert.Equal(1, (await Daemon.Cli("cat-manifest", "no-such-pod")).ExitCode);
        Assert.Equal(1, (await Daemon.Cli("image", "rm", "example.com/no-such-image")).ExitCode);
    }

    [RequiresFact(Requires.Root)]
    public async Task Bad_arguments_are_1()
    {
        Assert.Equal(1, (await Daemon.Cli("frobnicate")).ExitCode);
        Assert.Equal(1, (await Daemon.Cli("stop", "--grace", "soon", "web")).ExitCode);
        Assert.Equal(1, (await Daemon.Cli("run", "--memory", "lots", BusyboxImage.Name)).ExitCode);
    }

    [RequiresFact(Requires.Root)]
    public async Task Run_is_the_apps_code_and_1_for_a_pod_that_could_not_start()
    {
        var exited = await Run(BusyboxImage.Name, "--", "/bin/sh", "-c", "exit 3");
        var unstartable = await Run("example.com/on-no-node", "--", "/bin/true");

        Assert.True(exited.ExitCode == 3, exited.ToString());
        Assert.Equal(1, unstartable.ExitCode);
        Assert.Contains("example.com/on-no-node", unstartable.Stderr, StringComparison.Ordinal);
    }

    [RequiresFact(Requires.Root)]
    public async Task Every_word_before_the_double_dash_is_an_image_and_a_command_without_it_fails_with_a_hint()
    {
        var twoApps = await Run(BusyboxImage.Name, BusyboxImage.Name);
        var commandWithoutDash = await Run(BusyboxImage.Name, "/bin/echo", "hi");

        Assert.True(twoApps.ExitCode == 0, twoApps.ToString());
        Assert.Equal("hello from busybox\nhello from busybox\n", twoApps.Stdout);
        Assert.Equal(1, commandWithoutDash.ExitCode);
        var line = Assert.Single(commandWithoutDash.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.EndsWith($"(run took {BusyboxImage.Name}, /bin/echo, hi as images; a command goes after --)", line, StringComparison.Ordinal);
    }

    [RequiresFact(Requires.Root)]
    public async Task A_flag_the_flavor_cannot_honour_is_1_and_runs_nothing()
    {
        var before = (await Daemon.CliJson("list-pods")).GetArrayLength();

        var result = await Run("--stage1", "kvm", "--net", "host", BusyboxImage.Name, "--", "/bin/true");

        Assert.Equal((1, "fleetpods: --net host: stage1 kvm runs the pod on its own kernel, which cannot share the node's network (default or none only)\n"), (result.ExitCode, result.Stderr));
        Assert.Equal(before, (await Daemon.CliJson("list-pods")).GetArrayLength());
    }

    private Task<CommandResult> Run(params string[] words) =>
        Processes.Run(RepositoryLayout.Cli, ["--endpoint", fixture.Endpoint, "run", .. words], Within);

    private string Unit(string name, string podLines, string image = BusyboxImage.Name)
    {
        var path = Path.Combine(units, name);
        File.WriteAllText(path, $"[Pod]\nImage={image}\n{podLines}\n");
        return path;
    }

    private Process Start(params string[] arguments) =>
        Processes.StartInterruptible(RepositoryLayout.Cli, ["--endpoint", fixture.Endpoint, .. arguments]);

    // Connected to the API's socket, the command is past its start-up and waiting, with its Ctrl-C handler in place.
    private static async Task WaitUntilConnected(Process process)
    {
        var deadline = DateTime.UtcNow + Within;
        while (!(await Processes.Run("ss", ["-Hxp", "state", "established"], Within)).Stdout.Contains($"pid={process.Id},", StringComparison.Ordinal))
        {
            if (process.HasExited)
            {
                Assert.Fail($"the command ended before it waited: {await process.StandardError.ReadToEndAsync()}");
            }

            Assert.True(DateTime.UtcNow < deadline, "the command never connected to the daemon");
            await Task.Delay(100);
        }
    }
}
