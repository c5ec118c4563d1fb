namespace FleetPods.Grains;

/// <summary>
/// Why a pod ended, as a value to decide on; the pod's reason keeps the words for people. A unit restarts a pod by its
/// cause: a lost pod is replaced, one stopped before it ran is left alone.
/// </summary>
public enum PodEndCause
{
    /// <summary>It has not ended.</summary>
    None,

    /// <summary>Its app ended; <see cref="PodStatus.ExitCode"/> holds the code.</summary>
    Exited,

    /// <summary>It could not run, or failed while running (its node says why in <see cref="PodStatus.Reason"/>).</summary>
    Failed,

    /// <summary>Its node left the cluster, or reported that it does not run it.</summary>
    Lost,

    /// <summary>It was stopped before it was sent to a node: nothing of it ever ran.</summary>
    NeverRan,

    /// <summary>Its node killed one of its processes for going over its <c>Memory=</c> (as Kubernetes' OOMKilled).</summary>
    OutOfMemory,
}
