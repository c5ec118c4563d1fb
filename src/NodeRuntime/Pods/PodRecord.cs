namespace FleetPods.NodeRuntime.Pods;

/// <summary>What was launched (the request, its image digest, the resolved command and its isolation), kept in the pod's directory so a restarted daemon can say what each pod it finds is.</summary>
internal sealed record PodRecord(PodLaunchRequest Request, IReadOnlyList<string> Exec, DateTimeOffset CreatedAt)
{
    /// <summary>What was made and leased for the pod, so a restarted daemon can give it back when the pod ends.</summary>
    public PodIsolation? Isolation { get; init; }
}
