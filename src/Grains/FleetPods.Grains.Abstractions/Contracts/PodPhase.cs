namespace FleetPods.Grains;

/// <summary>Where a pod is in its life: pending → preparing → running → exited | failed.</summary>
public enum PodPhase
{
    /// <summary>Created, not yet placed on a node or not yet started there.</summary>
    Pending,

    /// <summary>Its node is fetching the image and rendering the root filesystem.</summary>
    Preparing,

    /// <summary>Its apps run.</summary>
    Running,

    /// <summary>Its app ended; <see cref="PodStatus.ExitCode"/> holds the code.</summary>
    Exited,

    /// <summary>It could not run, or was lost; <see cref="PodStatus.Reason"/> says why.</summary>
    Failed,
}
