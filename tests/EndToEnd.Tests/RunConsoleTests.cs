namespace FleetPods.EndToEnd.Tests;

/// <summary>
/// <c>fleetpods run -i</c> and <c>-t</c> against a real fleetpodsd, as people use them: input piped in, and a shell at a
/// real terminal whose size the pod's terminal follows, whose Ctrl-C reaches the app, and which is as it was afterwards.
/// </summary>
public sealed class RunConsoleTests : IClassFixture<BusyboxImage>, IAsyncLifetime
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(60);
    private readonly BusyboxImage image;
    private readonly FleetPodsDaemon daemon = new();

    public RunConsoleTests(BusyboxImage image) => this.image = image;

    public async Task InitializeAsync() => await daemon.StartWith(image);

    public async Task DisposeAsync() => await daemon.DisposeAsync();

    [RequiresFact(Requires.Root)]
    public async Task Piped_input_reaches_the_app_with_interactive_and_not_without()
    {
        var interactive = await daemon.CliWithInput("echo from stdin\nexit 6\n", "run", "-i", BusyboxImage.Name, "--", "/bin/sh");
        var plain = await daemon.CliWithInput("exit 6\n", "run", BusyboxImage.Name, "--", "/bin/sh");
        var copied = await daemon.CliWithInput("one\ntwo\n", "run", "--interactive", BusyboxImage.Name, "--", "/bin/cat");

        Assert.True(interactive.ExitCode == 6, interactive.ToString());
        Assert.Equal("from stdin\n", interactive.Stdout);
        Assert.True(plain.ExitCode == 0, plain.ToString());
        Assert.True(copied.ExitCode == 0, copied.ToString());
        Assert.Equal("one\ntwo\n", copied.Stdout);
    }

    [RequiresFact(Requires.Root)]
    public async Task A_shell_at_a_terminal_follows_its_size_gets_its_ctrl_c_and_leaves_it_as_it_was()
    {
        using var terminal = new TestTerminal(30, 100);
        terminal.Start(RepositoryLayout.Cli, "--endpoint", daemon.Endpoint, "run", "-it", BusyboxImage.Name, "--", "/bin/sh");
        await terminal.WaitFor("# ", Within);
        Assert.False(terminal.IsCanonical(), "the command's terminal should be raw while the pod's stands in for it");

        terminal.Type("stty size\r");
        await terminal.WaitFor("30 100", Within);

        terminal.Resize(45, 132);
        await AskUntil(terminal, "stty size\r", "45 132");

        // Ctrl-C is a key for the pod's terminal to make SIGINT of: it ends the sleep, not the command.
        terminal.Type("sleep 29.7\r");
        await UntilRunning("29.7");
        var prompts = Prompts(terminal);
        terminal.Type("\u0003");
        await Until(() => Prompts(terminal) > prompts, "the shell's next prompt after Ctrl-C");
        terminal.Type("echo \"after $?\"\r");
        await terminal.WaitFor("after 130", Within);

        terminal.Type("exit 7\r");
        Assert.Equal(7, await terminal.WaitForExit(Within));
        Assert.True(terminal.IsCanonical(), "the command should leave its terminal as it found it");
    }

    [RequiresFact(Requires.Root)]
    public async Task A_console_the_pod_cannot_have_is_refused_in_one_line_before_anything_runs()
    {
        var kvm = await daemon.Cli("run", "-i", "--stage1", "kvm", "--net", "none", BusyboxImage.Name, "--", "/bin/sh");
        var apps = await daemon.Cli("run", "-t", BusyboxImage.Name, BusyboxImage.Name, "--", "/bin/sh");

        Assert.Equal(1, kvm.ExitCode);
        Assert.Equal("fleetpods: --interactive: stage1 kvm does not relay input or a terminal into its VM yet (stage1 ns or fly)\n", kvm.Stderr);
        Assert.Equal(1, apps.ExitCode);
        Assert.Equal("fleetpods: --tty: input and a terminal reach one app, and the pod has 2\n", apps.Stderr);
        Assert.Empty((await daemon.CliJson("list-pods")).EnumerateArray());
    }

    private static int Prompts(TestTerminal terminal) => terminal.Output.Split("/ # ").Length - 1;

    private static async Task Until(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Within;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"no {what} within {Within}");
            await Task.Delay(20);
        }
    }

    // The pod's processes are the node's too: one whose arguments are unique to the test is looked for in /proc.
    private static Task UntilRunning(string argument) =>
        Until(() => Directory.EnumerateDirectories("/proc").Any(d => ReadCommandLine(d).Contains('\0' + argument + '\0', StringComparison.Ordinal)), $"process with argument {argument}");

    private static string ReadCommandLine(string process)
    {
        try
        {
            return File.ReadAllText(Path.Combine(process, "cmdline"));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }

    // A resize reaches the pod a moment after the window changes: asked again until the app sees it.
    private static async Task AskUntil(TestTerminal terminal, string command, string answer)
    {
        var deadline = DateTime.UtcNow + Within;
        while (!terminal.Output.Contains(answer, StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, $"'{answer}' did not appear within {Within}; the terminal shows:\n{terminal.Output}");
            terminal.Type(command);
            await Task.Delay(200);
        }
    }
}
