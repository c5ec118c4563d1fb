namespace FleetPods.Grains.Units;

/// <summary>
/// What a unit grain last heard of each of its pods: from the answers of the calls it makes to them and from the
/// changes they tell it, so a reconcile a pod's report set off does not ask every pod of the unit again. Answers and
/// reports cross on the way (a pod may report it runs before its create call has answered), so a status only replaces
/// one that has not got further: a pod only moves forward, from unplaced to placed, preparing, running and ended.
/// </summary>
internal sealed class KnownPodStatuses
{
    private readonly Dictionary<string, PodStatus> statuses = new(StringComparer.Ordinal);

    public bool TryGet(string podId, out PodStatus status) => statuses.TryGetValue(podId, out status!);

    /// <summary>Takes what a pod said (null: it is gone, so the next reconcile asks it) and returns what is known now.</summary>
    public PodStatus? Take(string podId, PodStatus? status)
    {
        if (status is null)
        {
            statuses.Remove(podId);
            return null;
        }

        if (statuses.TryGetValue(podId, out var known) && Progress(known) > Progress(status))
        {
            return known;
        }

        statuses[podId] = status;
        return status;
    }

    public void Forget(string podId) => statuses.Remove(podId);

    private static int Progress(PodStatus status) => status switch
    {
        { HasEnded: true } => 4,
        { Phase: PodPhase.Running } => 3,
        { Phase: PodPhase.Preparing } => 2,
        { NodeName: not null } => 1,
        _ => 0,
    };
}
