namespace FleetPods.NodeRuntime.Pods;

/// <summary>What was launched (the request, its image digest and the resolved command), kept in the pod's directory so a restarted daemon can say what each pod it finds is.</summary>
internal sealed record PodRecord(PodLaunchRequest Request, IReadOnlyList<string> Exec, DateTimeOffset CreatedAt);
