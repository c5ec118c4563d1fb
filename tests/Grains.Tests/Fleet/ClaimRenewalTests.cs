using FleetPods.Grains.Tests.Cluster;
using FleetPods.Grains.UnitFiles;

namespace FleetPods.Grains.Tests.Fleet;

/// <summary>
/// A server killed for real (its silo gone without a goodbye) with the node grain of an agent that died with it: a pod
/// of that agent whose grain lived on the other server stays active and would stay listed running for ever, as no agent
/// attaches to bring its node grain back. It claims its room again after the death (PodClaimRenewal), which brings the
/// node's grain back on the surviving server; that grain hears from no agent, declares the node down, and the pod is lost.
/// </summary>
public sealed class ClaimRenewalTests
{
    private const int Agents = 8;
    private const int Tries = 16;

    [Fact]
    public async Task A_pod_of_an_agent_that_died_with_the_server_holding_its_node_grain_is_lost()
    {
        await using var fleet = await FleetCluster.Start("role=server", "role=server");
        // The first silo holds the test cluster's membership, so the second is the one killed.
        var survivor = fleet.Cluster.Silos[0].SiloAddress;
        var victim = fleet.Cluster.Silos[1];
        var management = fleet.Client.GetGrain<IManagementGrain>(0);
        var agents = new List<FakeNodeAgent>();
        try
        {
            for (var i = 0; i < Agents; i++)
            {
                agents.Add(await FakeNodeAgent.Attach(fleet.Client, $"agent-{i}", "role=agent"));
            }

            // Node grains of agents go to the servers by a hash of their name: eight on one server is 1 in 128.
            FakeNodeAgent? doomed = null;
            foreach (var agent in agents)
            {
                if (victim.SiloAddress.Equals(await management.GetActivationAddress(fleet.Client.GetGrain<INodeGrain>(agent.Name))))
                {
                    doomed = agent;
                    break;
                }
            }

            Assert.True(doomed is not null, $"none of {Agents} agents' node grains is on the server to be killed");
            var stranded = await PodOn(fleet, management, doomed.Name, survivor);

            await doomed.Silence();
            await fleet.Cluster.KillSiloAsync(victim);

            var lost = await Eventually.Until(() => stranded.GetStatus(), s => s!.HasEnded, $"the pod on {doomed.Name} lost");
            Assert.Equal((PodPhase.Failed, $"lost: node {doomed.Name} stopped answering"), (lost!.Phase, lost.Reason));
        }
        finally
        {
            foreach (var agent in agents)
            {
                await agent.DisposeAsync();
            }
        }
    }

    // A one-off pod bound to the node, running there, whose grain is on `server` (a pod made by a client goes to either).
    private static async Task<IPodGrain> PodOn(FleetCluster fleet, IManagementGrain management, string node, SiloAddress server)
    {
        var parsed = UnitFileParser.Parse("run.pod", "[Pod]\nImage=example.com/busybox\nExec=/bin/sleep 1000\n");
        Assert.True(parsed.Succeeded, string.Join("; ", parsed.Errors));
        for (var attempt = 0; attempt < Tries; attempt++)
        {
            var pod = fleet.Client.GetGrain<IPodGrain>(Guid.NewGuid().ToString());
            await pod.Create(new PodSpec(null, parsed.Unit!.Pod), null, start: true, requiredNode: node);
            await Eventually.Until(() => pod.GetStatus(), s => s!.Phase == PodPhase.Running, $"a pod running on {node}");
            if (server.Equals(await management.GetActivationAddress(pod)))
            {
                return pod;
            }
        }

        throw new InvalidOperationException($"none of {Tries} pods' grains went to the surviving server");
    }
}
