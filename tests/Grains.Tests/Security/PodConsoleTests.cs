using System.Text;
using FleetPods.Grains.Security;
using FleetPods.Grains.Tests.Cluster;
using FleetPods.Grains.UnitFiles;
using FleetPods.Security;

namespace FleetPods.Grains.Tests.Security;

/// <summary>
/// A run's console as the grains carry it: input and sizes reach the pod's node in order, only for a pod run with a
/// console, from the roles that may enter the pod; a pod that cannot have one is refused before anything is stored.
/// </summary>
[Collection(PolicyCluster.Name)]
public sealed class PodConsoleTests(PolicyClusterFixture fixture)
{
    private static readonly Caller Eve = new("eve", Role.Operator);
    private static readonly Caller Root = new("root", Role.Admin);
    private static readonly Caller Rita = new("rita", Role.Reader);
    private static readonly PodConsole Interactive = new(Input: true, TerminalSize.Default);

    [Fact]
    public async Task Input_and_sizes_reach_the_pods_node_in_order()
    {
        var id = await Running(Eve, Pod(), Interactive);
        var pod = fixture.Client.GetGrain<IPodGrain>(id);

        using (CallerContext.Enter(Eve))
        {
            await pod.WriteInput(null, Encoding.UTF8.GetBytes("echo one\n"), endOfInput: false);
            await pod.ResizeTerminal(null, new TerminalSize(40, 120));
            await pod.WriteInput(null, Encoding.UTF8.GetBytes("exit 3\n"), endOfInput: true);
        }

        Assert.Equal([("echo one\n", false), ("exit 3\n", true)], fixture.Node.Input.Where(i => i.PodId == id).Select(i => (i.Data, i.End)));
        Assert.Equal([new TerminalSize(40, 120)], fixture.Node.Resizes.Where(r => r.PodId == id).Select(r => r.Size));
    }

    [Fact]
    public async Task An_operator_enters_a_baseline_pod_and_its_sessions_input_reaches_the_node_with_the_sessions_id()
    {
        var id = await Running(Eve, Pod(), console: null);
        var pod = fixture.Client.GetGrain<IPodGrain>(id);
        var request = new PodEnterRequest("app", ["/bin/sh", "-c", "cat"], new PodConsole(Input: true, new TerminalSize(30, 90)), "xterm");

        string session;
        using (CallerContext.Enter(Eve))
        {
            session = await pod.Enter(request);
            await pod.WriteInput(session, Encoding.UTF8.GetBytes("typed"), endOfInput: true);
            await pod.ResizeTerminal(session, new TerminalSize(31, 91));
        }

        var (podId, received) = fixture.Node.Sessions[session];
        Assert.Equal((id, request.App, request.Console, request.TerminalType), (podId, received.App, received.Console, received.TerminalType));
        Assert.Equal(request.Command, received.Command);
        Assert.Equal([(session, "typed", true)], fixture.Node.Input.Where(i => i.PodId == id).Select(i => (i.Session, i.Data, i.End)));
        Assert.Equal([(session, new TerminalSize(31, 91))], fixture.Node.Resizes.Where(r => r.PodId == id).Select(r => (r.Session, r.Size)));
    }

    [Fact]
    public async Task A_reader_may_not_type_into_a_pod_nor_an_operator_into_a_privileged_one()
    {
        var baseline = await Running(Eve, Pod(), Interactive);
        var privileged = await Running(Root, Pod("Network=host"), Interactive);

        using (CallerContext.Enter(Rita))
        {
            var refused = await Assert.ThrowsAsync<AccessDeniedException>(() => fixture.Client.GetGrain<IPodGrain>(baseline).WriteInput(null, [1], endOfInput: false));
            Assert.Equal($"write to pod {baseline} needs the operator role; you are rita (reader)", refused.Message);
        }

        using (CallerContext.Enter(Eve))
        {
            var refused = await Assert.ThrowsAsync<AccessDeniedException>(() => fixture.Client.GetGrain<IPodGrain>(privileged).ResizeTerminal(null, TerminalSize.Default));
            Assert.Equal($"resize the terminal of privileged pod {privileged} needs the admin role; you are eve (operator)", refused.Message);
        }

        Assert.DoesNotContain(fixture.Node.Input, i => i.PodId == baseline || i.PodId == privileged);
        Assert.DoesNotContain(fixture.Node.Resizes, r => r.PodId == privileged);
    }

    [Fact]
    public async Task A_pod_without_a_console_refuses_input_and_a_size_naming_the_flag()
    {
        var plain = await Running(Eve, Pod(), console: null);
        var piped = await Running(Eve, Pod(), new PodConsole(Input: true, Terminal: null));

        using (CallerContext.Enter(Eve))
        {
            var input = await Assert.ThrowsAsync<FleetPodsException>(() => fixture.Client.GetGrain<IPodGrain>(plain).WriteInput(null, [1], endOfInput: false));
            var size = await Assert.ThrowsAsync<FleetPodsException>(() => fixture.Client.GetGrain<IPodGrain>(piped).ResizeTerminal(null, TerminalSize.Default));
            Assert.Equal($"pod {plain} takes no input (run it with --interactive)", input.Message);
            Assert.Equal($"pod {piped} has no terminal (run it with --tty)", size.Message);
        }
    }

    [Theory]
    [InlineData("Stage1=kvm", "stage1 kvm does not relay input or a terminal into its VM yet (stage1 ns or fly)")]
    [InlineData("\n[App second]\nImage=example.com/busybox", "input and a terminal reach one app, and the pod has 2")]
    public async Task A_pod_that_cannot_have_a_console_is_refused_and_nothing_is_stored(string lines, string reason)
    {
        var id = Guid.NewGuid().ToString();
        var pod = fixture.Client.GetGrain<IPodGrain>(id);

        var refused = await Assert.ThrowsAsync<PodSpecException>(async () =>
        {
            using (CallerContext.Enter(Root))
            {
                await pod.Create(new PodSpec(null, Pod(lines)) { Console = Interactive }, null, start: true, requiredNode: null);
            }
        });

        Assert.Equal($"invalid pod: {reason}", refused.Message);
        Assert.Equal(PodField.Console, Assert.Single(refused.Problems).Field);
        Assert.Null(await pod.GetStatus());
        Assert.DoesNotContain(id, await new KeyRegistry(fixture.Client, RegistryKind.Pods).List());
    }

    private async Task<string> Running(Caller caller, PodSection section, PodConsole? console)
    {
        var id = Guid.NewGuid().ToString();
        using (CallerContext.Enter(caller))
        {
            await fixture.Client.GetGrain<IPodGrain>(id).Create(new PodSpec(null, section) { Console = console }, null, start: true, requiredNode: null);
        }

        await Eventually.Until(() => fixture.Client.GetGrain<IPodGrain>(id).GetStatus(), s => s!.Phase == PodPhase.Running, "the pod to run");
        return id;
    }

    private static PodSection Pod(params string[] lines)
    {
        var text = "[Unit]\nDescription=console test\n\n[Pod]\nImage=example.com/busybox\nExec=/bin/sh\n" + string.Concat(lines.Select(l => l + "\n"));
        var parsed = UnitFileParser.Parse("run.pod", text);
        Assert.True(parsed.Succeeded, string.Join("; ", parsed.Errors));
        return parsed.Unit!.Pod;
    }
}
