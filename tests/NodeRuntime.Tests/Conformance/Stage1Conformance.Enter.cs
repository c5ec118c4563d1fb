namespace FleetPods.NodeRuntime.Tests.Conformance;

/// <summary>
/// <c>fleetpods enter</c>, which every flavor offers: ns and fly join the app's namespaces on the node, kvm asks the
/// guest's init to run the command beside the app; either way it runs in the app's root and ends with its code.
/// </summary>
public abstract partial class Stage1Conformance
{
    [RequiresFact(Requires.Root)]
    public async Task Enter_runs_a_command_in_the_running_apps_root_and_returns_its_code()
    {
        await using var node = await StartNode();
        var request = Request(node, "/bin/sh", "-c", "echo inside > /tmp/marker; echo ready; sleep 30");
        await node.Runtime.StartPodAsync(request);
        await WaitForLog(node, request.PodId, "ready");

        var (code, output) = Enter(node.Runtime.EnterCommand(request.PodId, null), "/bin/sh", "-c", "cat /tmp/marker; id -u; echo $AC_APP_NAME; exit 7");

        Assert.Equal((7, "inside\n0\napp\n"), (code, output));
        Assert.Throws<PodLaunchException>(() => node.Runtime.EnterCommand(request.PodId, "no-such-app"));
    }

    [RequiresFact(Requires.Root)]
    public async Task An_enter_session_reads_its_input_writes_its_output_in_the_apps_root_and_ends_with_its_code()
    {
        await using var node = await StartNode();
        var request = Request(node, "/bin/sh", "-c", "echo inside > /tmp/marker; echo ready; sleep 30");
        await node.Runtime.StartPodAsync(request);
        await WaitForLog(node, request.PodId, "ready");

        var session = await node.Runtime.StartSessionAsync(request.PodId, new EnterSessionRequest(
            null, ["/bin/sh", "-c", "read -r line; echo \"got $line\"; cat /tmp/marker; echo \"$GREETING\" >&2; [ -t 0 ] || echo pipes; exit 4"],
            Input: true, Terminal: null, [KeyValuePair.Create("GREETING", "hi")]));
        await node.Runtime.WriteInputAsync(request.PodId, session, "typed\n"u8.ToArray(), endOfInput: true);
        var (code, output) = await node.SessionEnd(request.PodId, session, Within);
        await node.Runtime.StopPodAsync(request.PodId, TimeSpan.Zero);

        Assert.Equal((4, "got typed\ninside\nhi\npipes\n"), (code, output));
    }

    [RequiresFact(Requires.Root)]
    public async Task An_enter_session_at_a_terminal_has_its_size_and_a_missing_program_ends_it_with_125_and_why()
    {
        await using var node = await StartNode();
        var request = Request(node, "/bin/sh", "-c", "echo ready; sleep 30");
        await node.Runtime.StartPodAsync(request);
        await WaitForLog(node, request.PodId, "ready");

        var terminal = await node.Runtime.StartSessionAsync(request.PodId, new EnterSessionRequest(
            null, ["/bin/sh", "-c", "stty size; [ -t 0 ] && [ -t 1 ] && echo terminal; exit 2"], Input: false, new PodTerminalSize(25, 81), []));
        var missing = await node.Runtime.StartSessionAsync(request.PodId, new EnterSessionRequest(null, ["/no/such/program"], Input: false, Terminal: null, []));
        var (code, output) = await node.SessionEnd(request.PodId, terminal, Within);
        var (missingCode, why) = await node.SessionEnd(request.PodId, missing, Within);
        await node.Runtime.StopPodAsync(request.PodId, TimeSpan.Zero);

        Assert.Equal((2, "25 81\r\nterminal\r\n"), (code, output));
        Assert.Equal((125, "fleetpods-shim: exec /no/such/program: No such file or directory\n"), (missingCode, why));
    }

    /// <summary>Runs an enter command line with <paramref name="command"/> after <c>--</c>; its exit code and stdout.</summary>
    protected static (int Code, string Output) Enter(IReadOnlyList<string> enter, params string[] command)
    {
        ArgumentNullException.ThrowIfNull(enter);
        var start = new System.Diagnostics.ProcessStartInfo(enter[0]) { RedirectStandardOutput = true, RedirectStandardInput = true };
        foreach (var argument in enter.Skip(1).Append("--").Concat(command))
        {
            start.ArgumentList.Add(argument);
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output);
    }
}
