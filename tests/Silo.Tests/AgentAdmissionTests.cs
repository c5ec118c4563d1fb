using FleetPods.Grains;
using FleetPods.Grains.Security;
using FleetPods.Grains.UnitFiles;
using FleetPods.NodeRuntime;
using FleetPods.Security;
using Microsoft.Extensions.Logging.Abstractions;

namespace FleetPods.Silo.Tests;

/// <summary>
/// An agent's node grain runs on a server, under the server's policy file and file system; the agent's machine says
/// the node's last word again, under its own, before it launches anything. A silo's machine leaves it to its node
/// grain, which runs in its own process.
/// </summary>
public sealed class AgentAdmissionTests : IDisposable
{
    private readonly string data = Directory.CreateTempSubdirectory("fleetpods-agent-admission-").FullName;

    public void Dispose() => Directory.Delete(data, recursive: true);

    [Fact]
    public async Task An_agent_refuses_a_privileged_pod_an_operator_admitted_before_it_launches_anything()
    {
        await using var runtime = new PodRuntime(new NodeRuntimeOptions(data), NullLogger<PodRuntime>.Instance);
        var parsed = UnitFileParser.Parse("host.pod", "[Pod]\nImage=example.com/busybox\nExec=/bin/true\nVolume=h,kind=host,source=/etc\n");
        Assert.True(parsed.Succeeded, string.Join("; ", parsed.Errors));
        var spec = new PodSpec(null, parsed.Unit!.Pod) { Admission = new PodAdmission("eve", Role.Operator) };

        var agent = Machine(DaemonMode.Agent, runtime);
        var refused = await Assert.ThrowsAsync<AccessDeniedException>(() => agent.RunPod("pod-1", spec));
        var silo = Machine(DaemonMode.Node, runtime);
        var notChecked = await Assert.ThrowsAsync<FleetPodsException>(() => silo.RunPod("pod-2", spec));

        Assert.Equal("node agent-t refuses the pod: Volume=h kind=host needs an admin's admission (privileged pod); it was admitted by eve (operator)", refused.Message);
        Assert.Equal("image 'example.com/busybox' is not in the store of node agent-t; import it with 'fleetpods image import'", notChecked.Message);
        Assert.False(runtime.Knows("pod-1"));
    }

    private LocalNodeRuntime Machine(DaemonMode mode, PodRuntime runtime) =>
        new(new DaemonOptions(data, "agent-t", new Dictionary<string, string>(), DaemonOptions.DefaultSiloPort, DaemonOptions.DefaultGatewayPort) { Mode = mode }, runtime, new LaunchAnswers(), NullLogger<LocalNodeRuntime>.Instance);
}
