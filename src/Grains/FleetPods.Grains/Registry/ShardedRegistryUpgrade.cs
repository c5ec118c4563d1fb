using FleetPods.Grains.Cluster;
using Microsoft.Extensions.Logging;

namespace FleetPods.Grains.Registry;

/// <summary>
/// Moves the keys a cluster stored before pods and nodes were sharded (one registry grain named by the kind) into
/// their shards, once the silo is active, so no pod or node stored then goes missing from a listing. Every silo
/// does it at start; when the old grain is empty, as it is after the first, that is one read.
/// </summary>
internal sealed class ShardedRegistryUpgrade(IGrainFactory grains, ILogger<ShardedRegistryUpgrade> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(ShardedRegistryUpgrade), ServiceLifecycleStage.Active, Move, _ => Task.CompletedTask);

    private async Task Move(CancellationToken cancellationToken)
    {
        foreach (var kind in new[] { RegistryKind.Pods, RegistryKind.Nodes })
        {
            try
            {
                var old = grains.GetGrain<IRegistryGrain>(kind);
                var keys = await old.List();
                var shards = new KeyRegistry(grains, kind);
                foreach (var key in keys)
                {
                    await shards.Add(key);
                    await old.Remove(key);
                }

                if (keys.Count > 0)
                {
                    logger.LogInformation("Moved {Count} {Kind} keys into the registry's shards", keys.Count, kind);
                }
            }
            catch (Exception ex) when (UnansweredCall.Is(ex))
            {
                // What is left stays in the old grain and moves at the next start; until then it is missing from listings.
                logger.LogWarning("Moving the {Kind} registry into its shards failed, tried again at the next start: {Reason}", kind, ex.Message);
            }
        }
    }
}
