namespace FleetPods.EndToEnd.Tests;

/// <summary>
/// <c>fleetpods enter</c> into a stage1 kvm pod through the real CLI and fleetpodsd: the command runs in the pod's VM
/// (TCG on these machines) with the exit code, stdin and terminal of the caller, as for an ns pod.
/// </summary>
[Trait("Category", "kvm")]
[Requires(Requires.Qemu)]
public sealed class KvmEnterTests : IClassFixture<BusyboxImage>, IAsyncLifetime
{
    // A kvm pod boots under TCG on a machine shared with other builds: its start takes seconds, more when loaded.
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(120);

    private readonly BusyboxImage image;
    private readonly FleetPodsDaemon daemon = new();
    private readonly string work = Directory.CreateTempSubdirectory("fleetpods-e2e-").FullName;

    public KvmEnterTests(BusyboxImage image) => this.image = image;

    public async Task InitializeAsync()
    {
        await daemon.Start();
        var imported = await daemon.Cli("image", "import", image.Path);
        Assert.True(imported.ExitCode == 0, imported.ToString());
    }

    public async Task DisposeAsync()
    {
        await daemon.DisposeAsync();
        Directory.Delete(work, recursive: true);
    }

    [RequiresFact(Requires.Root)]
    public async Task Enter_a_kvm_pod_from_the_cli_with_a_pipe_and_a_terminal_then_not_once_it_has_stopped()
    {
        var unit = Path.Combine(work, "vm.pod");
        File.WriteAllText(unit, $"[Pod]\nImage={BusyboxImage.Name}\nStage1=kvm\nEnvironment=GREETING=hello\nExec=/bin/sh -c \"echo inside > /tmp/mark; sleep 1000\"\n");
        Assert.Equal(0, (await daemon.Cli("start", unit)).ExitCode);
        var pod = (await daemon.WaitForPhase("vm.pod", "running", Within)).GetProperty("id").GetString()!;

        var entered = await daemon.Cli("enter", pod[..8], "--", "/bin/sh", "-c", "cat /tmp/mark; echo \"$GREETING\"; uname -r; exit 7");
        var piped = await daemon.CliWithInput("hi\nthere\n", "enter", pod, "--", "cat");
        var both = await Task.WhenAll(
            daemon.Cli("enter", pod, "--", "/bin/sh", "-c", "sleep 1; echo first"),
            daemon.Cli("enter", pod, "--", "/bin/sh", "-c", "sleep 1; echo second; exit 2"));
        using var terminal = new TestTerminal(30, 100);
        terminal.Start(RepositoryLayout.Cli, "--endpoint", daemon.Endpoint, "enter", pod);
        await terminal.WaitFor("# ", Within);
        terminal.Type("stty size\r");
        await terminal.WaitFor("30 100", Within);
        terminal.Resize(45, 132);
        await AskUntil(terminal, "stty size\r", "45 132");
        terminal.Type("exit 3\r");
        var terminalCode = await terminal.WaitForExit(Within);
        var stopped = await daemon.Cli("stop", pod);
        var late = await daemon.Cli("enter", pod, "--", "/bin/true");

        Assert.True(entered.ExitCode == 7, entered.ToString() + daemon.Log);
        var lines = entered.Stdout.Split('\n');
        Assert.Equal(("inside", "hello"), (lines[0], lines[1]));
        Assert.NotEqual(File.ReadAllText("/proc/sys/kernel/osrelease").Trim(), lines[2]);
        Assert.True(piped.ExitCode == 0, piped.ToString());
        Assert.Equal("hi\nthere\n", piped.Stdout);
        Assert.Equal((0, "first\n", 2, "second\n"), (both[0].ExitCode, both[0].Stdout, both[1].ExitCode, both[1].Stdout));
        Assert.Equal(3, terminalCode);
        Assert.True(stopped.ExitCode == 0, stopped.ToString());
        Assert.NotEqual(0, late.ExitCode);
        Assert.Single(late.Stderr.Trim().Split('\n'));
        Assert.StartsWith("fleetpods: ", late.Stderr, StringComparison.Ordinal);
        Assert.Contains("not running", late.Stderr, StringComparison.Ordinal);
    }

    // A resize reaches the guest a moment after the window changes: asked again until the command sees it.
    private static async Task AskUntil(TestTerminal terminal, string command, string answer)
    {
        var deadline = DateTime.UtcNow + Within;
        while (!terminal.Output.Contains(answer, StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, $"'{answer}' did not appear within {Within}; the terminal shows:\n{terminal.Output}");
            terminal.Type(command);
            await Task.Delay(500);
        }
    }
}
