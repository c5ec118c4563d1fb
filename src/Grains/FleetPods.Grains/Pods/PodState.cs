using FleetPods.Grains.UnitFiles;

namespace FleetPods.Grains.Pods;

[GenerateSerializer]
public sealed class PodState
{
    /// <summary>The name the pod grain's state is stored under.</summary>
    public const string StateName = "pod";

    [Id(0)]
    public bool Exists { get; set; }

    [Id(1)]
    public PodSpec? Spec { get; set; }

    /// <summary>A unit's pod's unit file, specifiers not yet expanded, until the pod is placed (then null).</summary>
    [Id(2)]
    public UnitFile? Unit { get; set; }

    [Id(3)]
    public PodPhase Phase { get; set; }

    [Id(4)]
    public string? NodeName { get; set; }

    [Id(5)]
    public int? ExitCode { get; set; }

    [Id(6)]
    public string? Reason { get; set; }

    [Id(7)]
    public DateTimeOffset CreatedAt { get; set; }

    [Id(8)]
    public DateTimeOffset? StartedAt { get; set; }

    [Id(9)]
    public DateTimeOffset? FinishedAt { get; set; }

    [Id(10)]
    public bool StartRequested { get; set; }

    /// <summary>The only node this pod may run on (a global unit's node, a restart's own node), or null.</summary>
    [Id(11)]
    public string? RequiredNode { get; set; }

    /// <summary>Failed because its node left or does not run it; its unit replaces it rather than restart it.</summary>
    [Id(12)]
    public bool Lost { get; set; }

    /// <summary>Stopped before it was sent to a node; its unit does not restart it.</summary>
    [Id(13)]
    public bool NeverRan { get; set; }

    /// <summary>Its node's memory cgroup killed one of its processes.</summary>
    [Id(14)]
    public bool OutOfMemory { get; set; }

    /// <summary>Its unit's <c>Conflicts=</c> globs, expanded, once it is placed: what its node holds of it, and is told again.</summary>
    [Id(15)]
    public IReadOnlyList<string> Conflicts { get; set; } = [];

    /// <summary>
    /// Its unit hears of its end and not that it runs: set when the unit made it outside a rolling update, the only time
    /// a unit waits for its pods to run. Off in a state stored before it was, which tells both, as before.
    /// </summary>
    [Id(16)]
    public bool TellsUnitOnlyOfEnd { get; set; }

    public bool HasEnded => Phase is PodPhase.Exited or PodPhase.Failed;
}
