using FleetPods.Grains.Addressing;
using FleetPods.Grains.Cluster;
using FleetPods.Grains.Nodes;
using FleetPods.Grains.Placement;
using FleetPods.Grains.Registry;
using FleetPods.Grains.Scheduling;
using FleetPods.Grains.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FleetPods.Grains;

public static class FleetPodsSiloBuilderExtensions
{
    /// <summary>Registers what FleetPods grains need beyond storage: node placement, a clock, heartbeat pacing, the pod policy, the scheduler, the node reports' sender, the membership watcher, the registries' upgrade and a cache of grain interface types.</summary>
    public static ISiloBuilder AddFleetPodsGrains(this ISiloBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddPlacementDirector<NodePlacementStrategy, NodePlacementDirector>();
        builder.Services.TryAddSingleton<NodePlacementDirector>();
        builder.AddPlacementDirector<NodeGrainPlacementStrategy, NodeGrainPlacementDirector>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<LiveAgents>();
        builder.Services.TryAddSingleton(services => new HeartbeatPacing(services.GetRequiredService<IOptions<NodeLivenessOptions>>().Value));

        // One sender per silo, so its node grains' reports reach the node view together.
        builder.Services.TryAddSingleton(services => new NodeReportSender(
            services.GetRequiredService<IGrainFactory>().GetGrain<INodeViewGrain>(0), services.GetRequiredService<ILogger<NodeReportSender>>()));

        // One per silo, so a silo's placements share its copy of the node view.
        builder.Services.TryAddSingleton<Scheduler>();

        // No pod policy file: no exceptions (the daemon registers the one it read).
        builder.Services.TryAddSingleton(PodPolicy.None);
        builder.Services.AddHostedService<MembershipReconciler>();
        builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, ShardedRegistryUpgrade>();

        // First among the interface type providers, so Orleans asks it before any other.
        builder.Services.Insert(0, ServiceDescriptor.Singleton<IGrainInterfaceTypeProvider, CachedGrainInterfaceTypes>());
        return builder;
    }
}
