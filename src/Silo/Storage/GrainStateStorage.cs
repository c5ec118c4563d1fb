using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Runtime.Hosting;
using Orleans.Serialization.Serializers;

namespace FleetPods.Silo.Storage;

/// <summary>Registers <see cref="BatchedGrainStorage"/> as the storage every FleetPods grain persists through.</summary>
internal static class GrainStateStorage
{
    /// <param name="table">The database's table, given the cluster's service id.</param>
    public static ISiloBuilder AddFleetPodsGrainStorage(this ISiloBuilder silo, Func<string, IGrainStateTable> table)
    {
        silo.Services.AddGrainStorage(Grains.GrainStorage.Name, (services, name) =>
        {
            var serviceId = services.GetRequiredService<IOptions<ClusterOptions>>().Value.ServiceId;

            // Orleans' own version-tolerant serializer (the contracts are [GenerateSerializer] types), as the rows
            // already stored were written with, not a JSON that records .NET type names a later build may not have.
            return new BatchedGrainStorage(table(serviceId), services.GetRequiredService<Orleans.Serialization.Serializer>(), services.GetRequiredService<IActivatorProvider>(), serviceId, name);
        });
        return silo;
    }
}
