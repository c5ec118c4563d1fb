using System.Text.RegularExpressions;

namespace FleetPods.EndToEnd.Tests;

/// <summary>
/// <c>fleetpods run</c> composes with other writers as any Unix command does: its output lands at the offset the file
/// shares with the shell, in a file, a pipe and a terminal, given one endpoint or several (probed, the first that
/// answers used).
/// </summary>
public sealed partial class RunOutputTests(BusyboxDaemon fixture) : IClassFixture<BusyboxDaemon>
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(90);

    public static TheoryData<string> Paths => ["one endpoint", "several endpoints"];

    [RequiresTheory(Requires.Root)]
    [MemberData(nameof(Paths))]
    public async Task Output_lands_between_what_the_commands_before_and_after_wrote_to_the_same_file(string path)
    {
        var file = Path.Combine(fixture.Daemon.DataDirectory, $"out-{path.Replace(' ', '-')}.txt");

        var result = await Shell($"( echo header; {Run(path)} -- /bin/sh -c 'echo body; echo more'; echo footer ) > \"$0\"", file);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("header\nbody\nmore\nfooter\n", await File.ReadAllTextAsync(file));
    }

    [RequiresTheory(Requires.Root)]
    [MemberData(nameof(Paths))]
    public async Task Output_lands_in_order_in_a_pipe(string path)
    {
        var result = await Shell($"( echo header; {Run(path)} -- /bin/echo body; echo footer ) | cat");

        Assert.Equal((0, "header\nbody\nfooter\n"), (result.ExitCode, result.Stdout));
    }

    [RequiresTheory(Requires.Root)]
    [MemberData(nameof(Paths))]
    public async Task Output_reaches_a_terminal(string path)
    {
        // util-linux script gives the commands a real pty; the terminal turns each \n into \r\n.
        var commands = $"test -t 1 && echo terminal; {Run(path)} -- /bin/echo body; echo footer";

        var result = await Processes.Run("script", ["-qec", commands, "/dev/null"], Within);

        // .NET's console may put the terminal's keypad in application mode first: not output.
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("terminal\r\nbody\r\nfooter\r\n", TerminalControl().Replace(result.Stdout, ""));
    }

    [RequiresTheory(Requires.Root)]
    [MemberData(nameof(Paths))]
    public async Task A_run_whose_reader_has_gone_exits_141_and_stops_its_pod(string path)
    {
        var result = await Shell($"{{ {Run(path)} -- /bin/yes; echo \"exit $?\" >&2; }} | head -n 2");

        Assert.Equal(("y\ny\n", "exit 141\n"), (result.Stdout, result.Stderr));
        var deadline = DateTime.UtcNow + Within;
        while ((await fixture.Daemon.CliJson("list-pods")).EnumerateArray().Any(p => p.GetProperty("phase").GetString() == "running"))
        {
            Assert.True(DateTime.UtcNow < deadline, "the pod outlived its run command");
            await Task.Delay(200);
        }
    }

    // Given several endpoints, the command probes them all and runs through the first that answers.
    private string Run(string path) =>
        path == "one endpoint"
            ? $"'{RepositoryLayout.Cli}' --endpoint {fixture.Endpoint} run {BusyboxImage.Name}"
            : $"'{RepositoryLayout.Cli}' --endpoint {fixture.Endpoint} --endpoint {fixture.Endpoint} run {BusyboxImage.Name}";

    private static Task<CommandResult> Shell(string script, params string[] arguments) =>
        Processes.Run("/bin/sh", ["-c", script, .. arguments], Within);

    [GeneratedRegex(@"\e(\[[?0-9;]*[A-Za-z]|[=>])")]
    private static partial Regex TerminalControl();
}
