using FleetPods.Grains;
using Microsoft.Extensions.DependencyInjection;

namespace FleetPods.Silo.Api;

/// <summary>
/// The image store of a node, as this daemon's API reaches it: a node's image store grain, or, on an agent, its own
/// store for itself (<see cref="AgentImageStore"/>). Another agent's store is reached only through that agent's API.
/// </summary>
internal sealed class ImageStores(IGrainFactory grains, DaemonOptions options, IServiceProvider services)
{
    public IImageStoreGrain Of(string node) =>
        options.Mode == DaemonMode.Agent && node == options.NodeName ? services.GetRequiredService<AgentImageStore>() : grains.GetGrain<IImageStoreGrain>(node);

    /// <summary>The node a request means: the one <c>node=</c> names; else an agent itself, another daemon the cluster's only node.</summary>
    public async Task<string> Chosen(string? node) =>
        node ?? (options.Mode == DaemonMode.Agent ? options.NodeName : await ImageNodes.Chosen(grains, null));
}
