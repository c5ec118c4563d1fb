namespace FleetPods.NodeRuntime.Pods;

/// <summary>What was launched, kept in the pod's directory so a restarted daemon can find its pods again.</summary>
public sealed record PodRecord(PodLaunchRequest Request, IReadOnlyList<string> Exec, DateTimeOffset CreatedAt);
