using FleetPods.Grains.Pods;
using Microsoft.Extensions.Logging;

namespace FleetPods.Grains.Cluster;

/// <summary>
/// After a server died, every pod claims its room on its node again. A node's reservations are not stored, so a node
/// grain that lived on that server lost them, while the pods whose grains lived elsewhere stayed active and claimed
/// nothing. Its agent's next attach or round hands them back; an agent that died too never will, and those pods would
/// stay listed running for ever. Their claims activate the node's new grain, which hears from no agent and declares
/// the node down with them, so they are lost and replaced.
/// </summary>
internal static class PodClaimRenewal
{
    // Pods asked at once: each answer is immediate (the claim itself is one-way), and the asking must not crowd out the
    // placements a server's death sets off.
    private const int Parallelism = 256;

    /// <summary>Asks every registered pod to claim its room again; pods whose grain cannot be reached now are left out.</summary>
    public static async Task RenewAll(IGrainFactory grains, ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(logger);
        var pods = await new KeyRegistry(grains, RegistryKind.Pods).List();
        var unreached = 0;
        await Parallel.ForEachAsync(pods, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (pod, _) =>
        {
            try
            {
                await grains.GetGrain<IPodClaimant>(pod).Reclaim();
            }
            catch (Exception ex) when (UnansweredCall.Is(ex))
            {
                Interlocked.Increment(ref unreached);
            }
        });

        logger.LogInformation("{Pods} pods claimed their room on their nodes again after a server died ({Unreached} could not be asked)", pods.Count - unreached, unreached);
    }
}
