namespace FleetPods.Grains.Cluster;

/// <summary>
/// Which failures of a grain call mean it went unanswered for now, so the step that made it is tried again, or goes on
/// without it as the caller says (a reservation leaves the node out, a removal forgets the pod): FleetPods' own
/// refusals, Orleans' (a silo that died, one not yet placed elsewhere), a timeout, and the
/// <see cref="OperationCanceledException"/> Orleans answers a call with when its message expired before its grain could
/// be placed, right after a server died. Only for steps that take no cancellation token, where no cancellation of the
/// caller's own can be meant.
/// </summary>
internal static class UnansweredCall
{
    public static bool Is(Exception exception) =>
        exception is FleetPodsException or OrleansException or TimeoutException or OperationCanceledException;
}
