namespace FleetPods.NodeRuntime;

/// <summary>What the runtime observes of a pod on this node.</summary>
public enum PodPhase
{
    Preparing,
    Running,
    Exited,
    Failed,
}
