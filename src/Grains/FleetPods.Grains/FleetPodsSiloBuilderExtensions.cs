using FleetPods.Grains.Placement;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace FleetPods.Grains;

public static class FleetPodsSiloBuilderExtensions
{
    /// <summary>Registers what FleetPods grains need beyond storage: node placement and a clock.</summary>
    public static ISiloBuilder AddFleetPodsGrains(this ISiloBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddPlacementDirector<NodePlacementStrategy, NodePlacementDirector>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        return builder;
    }
}
