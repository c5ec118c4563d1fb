namespace FleetPods.Grains.Tests.Fleet;

/// <summary>
/// Grain calls the test cluster's silos answer as Orleans answers a call whose message expired before its target could
/// be placed (its silo had just died): with an <see cref="OperationCanceledException"/>, while a test says so.
/// </summary>
public sealed class CallFaults
{
    private volatile Func<IIncomingGrainCallContext, bool>? expired;

    /// <summary>Expires every call that matches, until <see cref="Heal"/>.</summary>
    public void Expire(Func<IIncomingGrainCallContext, bool> call) => expired = call;

    public void Heal() => expired = null;

    internal Task Invoke(IIncomingGrainCallContext context) =>
        expired is { } expires && expires(context)
            ? throw new OperationCanceledException($"Message expired before placement could complete for grain {context.TargetId}.")
            : context.Invoke();
}
