using FleetPods.Security;

namespace FleetPods.Grains.Security;

/// <summary>
/// Who let a pod's content into the cluster: the caller that submitted its unit (or ran it), stored with the unit and
/// the pod and handed to the node, which runs a privileged pod only when an admin admitted it.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record PodAdmission([property: Id(0)] string CallerName, [property: Id(1)] Role Role)
{
    /// <summary>Units stored before the pod policy existed, when every caller was root: an admin's.</summary>
    public static PodAdmission BeforePolicy { get; } = new("fleetpodsd (stored before the pod policy)", Role.Admin);

    public static PodAdmission Of(Caller caller)
    {
        ArgumentNullException.ThrowIfNull(caller);
        return new(caller.Name, caller.Role);
    }

    public override string ToString() => $"{CallerName} ({Role.ToString().ToLowerInvariant()})";
}
