namespace FleetPods.Grains.Nodes;

/// <summary>
/// A node grain's machine: a silo's own (<see cref="SiloNodeDriver"/>) or an attached agent's (<see cref="AgentNodeDriver"/>).
/// A launch is handed over in two steps, so a node grain answers its caller once the machine took the pod, not once
/// the pod runs: <see cref="Take"/>, then the answer it returns. Not an <see cref="INodeAgent"/> itself: Orleans takes
/// every interface that derives from one for a grain interface.
/// </summary>
internal interface INodeDriver
{
    /// <summary>The machine's calls other than a launch, which goes through <see cref="Take"/>.</summary>
    INodeAgent Machine { get; }

    /// <summary>
    /// Hands a pod to the machine; returns once the machine took it, or throws why it did not, with the machine's answer
    /// to come as <see cref="INodeAgent.RunPod"/> gives it. How soon a refusal is known is the machine's own.
    /// </summary>
    Task<Task<RuntimePod>> Take(string podId, PodSpec spec);
}
