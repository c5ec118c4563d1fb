using FleetPods.Grains;
using FleetPods.Security;
using FleetPods.Silo.FrontDoor;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace FleetPods.Silo.Api;

/// <summary><c>POST /v1/gc</c>, rkt's gc: removes the trees of pods that ended longer than the grace period ago, on every node that is up.</summary>
public static class GcApi
{
    // How long each node may take to remove its ended pods' trees.
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(25);
    private static readonly TimeSpan DefaultGracePeriod = TimeSpan.FromMinutes(30);

    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapPost("/v1/gc", Collect).Requires(Role.Operator, "collecting pod garbage");
    }

    private static async Task<PodGarbage> Collect([FromQuery] string? gracePeriod, [FromQuery] string? node, [FromServices] IGrainFactory grains, CancellationToken cancellationToken)
    {
        var grace = Durations.Parse("gracePeriod", gracePeriod, DefaultGracePeriod);
        var answers = await EveryNode.Ask(grains, node, Within, n => grains.GetGrain<INodeGrain>(n).CollectPodGarbage(grace), cancellationToken);
        return new PodGarbage([.. answers.Answers.SelectMany(a => a.Answer.Select(pod => new RemovedPod(pod, a.Node)))], answers.Skipped);
    }
}

/// <summary>The answer of <c>POST /v1/gc</c>: the pods whose trees were removed, and the nodes that could not be asked.</summary>
public sealed record PodGarbage(IReadOnlyList<RemovedPod> Removed, IReadOnlyList<SkippedNode> Skipped);

/// <summary>A pod whose tree <c>POST /v1/gc</c> removed, and its node.</summary>
public sealed record RemovedPod(string Pod, string Node);
