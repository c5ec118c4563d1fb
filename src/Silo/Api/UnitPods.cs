using FleetPods.Grains;

namespace FleetPods.Silo.Api;

/// <summary>Every current pod of a unit: <see cref="UnitStatus.Pods"/>, or its one pod where only that is given.</summary>
public static class UnitPods
{
    public static IReadOnlyList<PodStatus> Of(UnitStatus unit)
    {
        ArgumentNullException.ThrowIfNull(unit);
        return unit.Pods.Count > 0 ? unit.Pods : unit.Pod is { } only ? [only] : [];
    }
}
