using Microsoft.Extensions.Hosting;
using FleetPods.Grains.Scheduling;
using Microsoft.Extensions.Logging;

namespace FleetPods.Grains.Cluster;

/// <summary>
/// Turns Orleans membership changes into unit reconciliation: when a silo is declared dead (its node's pods
/// are lost) or becomes active (a cluster that starts, pending pods that may fit; global units hear of every node that
/// comes up, a silo's or an agent's, from the node view), every unit is asked to
/// reconcile; after a death every pod also claims its room on its node again (<see cref="PodClaimRenewal"/>).
/// Every silo watches; only the active silo with the lowest address acts, so one death causes one round. The round runs twice, the second a few seconds later, for unit grains on silos that learned of
/// the change after the first round reached them. Its waits go through the silo's <see cref="TimeProvider"/>,
/// as the grains' timers do, so a test's clock drives both.
/// </summary>
public sealed class MembershipReconciler(
    IClusterMembershipService membership,
    ILocalSiloDetails self,
    IGrainFactory grains,
    TimeProvider time,
    ILogger<MembershipReconciler> logger) : BackgroundService
{
    private const int MaxAttempts = 20;
    private static readonly TimeSpan SecondRound = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(250);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        ClusterMembershipSnapshot? previous = null;
        try
        {
            await foreach (var snapshot in membership.MembershipUpdates.WithCancellation(stoppingToken))
            {
                // The first snapshot counts too: a silo that joins may itself be the one to act.
                var changes = Changes(previous, snapshot);
                previous = snapshot;
                if (changes.Count > 0 && IsLeader(snapshot))
                {
                    logger.LogInformation("Cluster membership changed ({Changes}); reconciling every unit", string.Join(", ", changes.Select(m => $"{m.Name} {m.Status.ToString().ToLowerInvariant()}")));
                    await ForgetDead(changes, stoppingToken);
                    _ = ReconcileTwice(stoppingToken);
                    if (changes.Any(m => m.Status == SiloStatus.Dead))
                    {
                        _ = RenewClaims(stoppingToken);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The silo is stopping.
        }
    }

    private static List<ClusterMember> Changes(ClusterMembershipSnapshot? before, ClusterMembershipSnapshot after) =>
        [.. after.Members.Values
            .Where(m => m.Status is SiloStatus.Dead or SiloStatus.Active
                && (before is null || !before.Members.TryGetValue(m.SiloAddress, out var old) || old.Status != m.Status))];

    // A dead silo's node grain cannot say it is down, so placement hears it from here (before the units re-place its pods).
    private async Task ForgetDead(List<ClusterMember> changes, CancellationToken stoppingToken)
    {
        NodeReport[] dead = [.. changes.Where(m => m.Status == SiloStatus.Dead).Select(m => new NodeReport(m.Name, null, NodeReport.Now))];
        if (dead.Length == 0)
        {
            return;
        }

        try
        {
            await grains.GetGrain<INodeViewGrain>(0).Report(dead).WaitAsync(stoppingToken);
        }
        catch (Exception ex) when (ex is OrleansException or TimeoutException)
        {
            // The view's own silo may be the dead one: its next activation asks the live nodes afresh.
            logger.LogInformation("The node view did not hear that nodes {Nodes} are down: {Reason}", string.Join(", ", dead.Select(d => d.Name)), ex.Message);
        }
    }

    private async Task RenewClaims(CancellationToken stoppingToken)
    {
        try
        {
            await Retried("Renewing every pod's claim after a server died", () => PodClaimRenewal.RenewAll(grains, logger, stoppingToken), stoppingToken);
        }
        catch (OperationCanceledException)
        {
            // The silo is stopping.
        }
    }

    private bool IsLeader(ClusterMembershipSnapshot snapshot) =>
        snapshot.Members.Values.Where(m => m.Status == SiloStatus.Active)
            .OrderBy(m => m.SiloAddress.ToParsableString(), StringComparer.Ordinal)
            .FirstOrDefault()?.SiloAddress.Equals(self.SiloAddress) == true;

    private async Task ReconcileTwice(CancellationToken stoppingToken)
    {
        try
        {
            await ReconcileAll(stoppingToken);
            await Task.Delay(SecondRound, time, stoppingToken);
            await ReconcileAll(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            // The silo is stopping.
        }
    }

    private Task ReconcileAll(CancellationToken stoppingToken) => Retried(
        "Reconciling units after a membership change",
        async () =>
        {
            foreach (var unit in await new KeyRegistry(grains, RegistryKind.Units).List())
            {
                await grains.GetGrain<IUnitGrain>(unit).Reconcile();
            }
        },
        stoppingToken);

    // Right after a death, grains that lived on the dead silo (the unit and pod registries among them) may fail to
    // reactivate until the grain directory has caught up; a step is tried again rather than lost.
    private async Task Retried(string what, Func<Task> step, CancellationToken stoppingToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await step();
                return;
            }
            catch (Exception) when (stoppingToken.IsCancellationRequested)
            {
                // The silo is stopping: whatever the step met, no one is left to try it again for.
                return;
            }
            catch (Exception ex) when (attempt < MaxAttempts)
            {
                logger.LogInformation("{What} failed (attempt {Attempt}), trying again: {Reason}", what, attempt, ex.Message);
                await Task.Delay(RetryDelay, time, stoppingToken);
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "{What} failed {Attempts} times", what, attempt);
                return;
            }
        }
    }
}
