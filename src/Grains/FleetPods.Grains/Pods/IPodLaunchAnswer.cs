namespace FleetPods.Grains.Pods;

/// <summary>
/// What a pod's machine answered to its launch, told by its node grain (NodeGrain.TellAnswer): the pod running or
/// ended, still preparing once the machine's wait was over, or why the machine did not take it. Internal: only a node
/// grain tells it.
/// </summary>
internal interface IPodLaunchAnswer : IGrainWithStringKey
{
    /// <summary>
    /// Takes the answer as <see cref="IPodGrain.ReportState"/> takes a report, except that `preparing` only writes a
    /// pod not yet written and never takes one back from running. One-way: the node does not wait on the
    /// pod, and an answer lost on the way is told again by the machine's next round (a pod listed behind its runtime is
    /// brought up to date, one the machine never took is lost once the launch's grace is over).
    /// </summary>
    [Orleans.Concurrency.OneWay]
    Task Answered(PodStateReport report);
}
