namespace FleetPods.Grains.Scheduling;

/// <summary>What a node lacks for a pod, first in the order <see cref="ResourceFitFilter"/> checks: memory, then CPU.</summary>
public enum ResourceShortage
{
    None,
    Memory,
    Cpu,
}
