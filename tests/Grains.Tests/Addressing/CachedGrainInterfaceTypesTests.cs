using FleetPods.Grains.Addressing;
using FleetPods.Grains.Tests.Cluster;
using FleetPods.Grains.Units;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Metadata;

namespace FleetPods.Grains.Tests.Addressing;

[Collection(SharedCluster.Name)]
public sealed class CachedGrainInterfaceTypesTests(ClusterFixture fixture)
{
    [Fact]
    public void A_silo_asks_the_cache_first_and_it_names_each_grain_interface_as_Orleans_does()
    {
        var silo = fixture.Cluster.Silos[0].ServiceProvider;
        Assert.IsType<CachedGrainInterfaceTypes>(silo.GetServices<IGrainInterfaceTypeProvider>().First());

        var resolver = silo.GetRequiredService<GrainInterfaceTypeResolver>();
        foreach (var type in new[] { typeof(IPodGrain), typeof(INodeGrain), typeof(IUnitGrain), typeof(IRegistryGrain), typeof(ISchedulerGrain), typeof(IUnitPodChanges) })
        {
            // Asked twice: the second answer is the cache's.
            Assert.Equal(resolver.GetGrainInterfaceTypeByConvention(type), resolver.GetGrainInterfaceType(type));
            Assert.Equal(resolver.GetGrainInterfaceTypeByConvention(type), resolver.GetGrainInterfaceType(type));
        }
    }
}
