using FleetPods.Grains;
using FleetPods.Security;
using FleetPods.Silo.FrontDoor;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace FleetPods.Silo.Api;

/// <summary>Pods, of units and of runs: list (a page at a time), status by id or unique prefix, the manifest, waiting for the end, stop, remove.</summary>
public static class PodsApi
{
    private static readonly TimeSpan WaitPoll = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan DefaultGrace = TimeSpan.FromSeconds(10);

    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapGet("/v1/pods", List).Requires(Role.Reader, "listing pods");
        api.MapGet("/v1/pods/{id}", Get).Requires(Role.Reader, "showing a pod");
        api.MapGet("/v1/pods/{id}/wait", Wait).Requires(Role.Reader, "waiting for a pod");
        api.MapGet("/v1/pods/{id}/manifest", Manifest).Requires(Role.Reader, "reading a pod's manifest").Produces(StatusCodes.Status200OK, contentType: "application/json");
        api.MapPost("/v1/pods/{id}/stop", Stop).Requires(Role.Operator, "stopping a pod");
        api.MapDelete("/v1/pods/{id}", Remove).Requires(Role.Operator, "removing a pod");
    }

    /// <summary>
    /// One page of pods in id order (<see cref="PageQuery"/>); <c>node</c>, <c>unit</c> and <c>phase</c> keep only the
    /// pods that match, and the page is filled from as many pods as that takes (<see cref="PodListing"/>).
    /// </summary>
    private static async Task<IReadOnlyList<PodStatus>> List(
        [FromQuery] string? node, [FromQuery] string? unit, [FromQuery] string? phase, [FromQuery] string? limit, [FromQuery] string? after,
        HttpContext http, [FromServices] IGrainFactory grains, CancellationToken cancellationToken)
    {
        PodPhase? wanted = phase is null ? null
            : Enum.GetValues<PodPhase>().Cast<PodPhase?>().FirstOrDefault(p => p.ToString()!.Equals(phase, StringComparison.OrdinalIgnoreCase))
                ?? throw new BadRequestException($"phase='{phase}' is not a phase ({string.Join(", ", Enum.GetNames<PodPhase>().Select(n => n.ToLowerInvariant()))})");
        var page = await PodListing.Read(grains, node, unit is null ? null : UnitNames.Of(unit), wanted, PageQuery.Parse(limit, after), cancellationToken);
        if (page.Next is { } last)
        {
            PageQuery.LinkNext(http, last);
        }

        return page.Pods;
    }

    private static async Task<PodStatus> Get(string id, [FromServices] IGrainFactory grains)
    {
        var podId = await PodReferences.Resolve(grains, id);
        return await Existing(grains, podId);
    }

    /// <summary>The pod manifest the pod's node wrote (<c>fleetpods cat-manifest</c>), as that node wrote it.</summary>
    private static async Task<IResult> Manifest(string id, [FromServices] IGrainFactory grains)
    {
        var podId = await PodReferences.Resolve(grains, id);
        await Existing(grains, podId);
        var manifest = await grains.GetGrain<IPodGrain>(podId).ReadManifest()
            ?? throw new NotFoundException($"pod {podId} has no manifest: no node has launched it, or its node has removed it");
        return Results.Text(manifest, "application/json");
    }

    // The caller going away cancels the wait (RequestAborted).
    private static async Task<PodStatus> Wait(string id, [FromServices] IGrainFactory grains, CancellationToken cancellationToken)
    {
        var podId = await PodReferences.Resolve(grains, id);
        var pod = await Existing(grains, podId);
        while (!pod.HasEnded)
        {
            await Task.Delay(WaitPoll, cancellationToken);
            pod = await grains.GetGrain<IPodGrain>(podId).GetStatus() ?? throw new NotFoundException($"pod {podId} vanished while waiting for it");
        }

        return pod;
    }

    private static async Task<PodStatus> Stop(string id, [FromQuery] string? grace, [FromQuery] string? force, [FromServices] IGrainFactory grains)
    {
        var wait = QueryFlags.Parse("force", force) ? TimeSpan.Zero : Durations.Parse("grace", grace, DefaultGrace);
        var podId = await PodReferences.Resolve(grains, id);
        return await grains.GetGrain<IPodGrain>(podId).Stop(wait);
    }

    private static async Task<IResult> Remove(string id, [FromServices] IGrainFactory grains)
    {
        var podId = await PodReferences.Resolve(grains, id);
        var pod = grains.GetGrain<IPodGrain>(podId);
        var status = await Existing(grains, podId);
        if (!status.HasEnded && status.Phase != PodPhase.Pending)
        {
            throw new ConflictException($"pod {podId} is {status.Phase.ToString().ToLowerInvariant()}; stop it first");
        }

        await pod.Destroy(TimeSpan.Zero);
        return Results.NoContent();
    }

    private static async Task<PodStatus> Existing(IGrainFactory grains, string podId) =>
        await grains.GetGrain<IPodGrain>(podId).GetStatus() ?? throw new NotFoundException($"pod {podId} not found");
}
