namespace FleetPods.Grains.Nodes;

/// <summary>
/// Drives an agent's machine through the observer it attached. An agent that went away (its client disconnected,
/// the call timed out) is a node that cannot be reached: callers that already treat a down node's
/// <see cref="NodeUnavailableException"/> (a pod that fails to launch, a destroy that forgets the pod) do so for it too.
/// </summary>
internal sealed class AgentNodeDriver(string node, INodeAgent agent) : INodeAgent, INodeDriver
{
    public INodeAgent Machine => this;

    // Taken as the call leaves: the agent says why it does not take a pod in its answer, which comes once the pod runs
    // otherwise, and a node grain that waited for that would make its caller wait for a launch.
    public Task<Task<RuntimePod>> Take(string podId, PodSpec spec) => Task.FromResult(RunPod(podId, spec));

    public Task<RuntimePod> RunPod(string podId, PodSpec spec) => Reach(() => agent.RunPod(podId, spec));

    public Task<PodStateReport> StopPod(string podId, TimeSpan grace) => Reach(() => agent.StopPod(podId, grace));

    public Task RemovePod(string podId, TimeSpan grace) => Reach(() => agent.RemovePod(podId, grace));

    public Task<PodLog> ReadPodLog(string podId, long offset, int maxBytes) => Reach(() => agent.ReadPodLog(podId, offset, maxBytes));

    public Task<string?> ReadPodManifest(string podId) => Reach(() => agent.ReadPodManifest(podId));

    public Task WritePodInput(string podId, string? session, byte[] data, bool endOfInput) => Reach(() => agent.WritePodInput(podId, session, data, endOfInput));

    public Task ResizePodTerminal(string podId, string? session, TerminalSize size) => Reach(() => agent.ResizePodTerminal(podId, session, size));

    public Task<string> StartPodSession(string podId, PodEnterRequest request) => Reach(() => agent.StartPodSession(podId, request));

    public Task<PodSessionOutput> ReadPodSessionOutput(string podId, string session, long offset, int maxBytes) =>
        Reach(() => agent.ReadPodSessionOutput(podId, session, offset, maxBytes));

    public Task EndPodSession(string podId, string session) => Reach(() => agent.EndPodSession(podId, session));

    public Task<IReadOnlyList<string>> CollectPodGarbage(TimeSpan gracePeriod) => Reach(() => agent.CollectPodGarbage(gracePeriod));

    private async Task Reach(Func<Task> call) => await Reach(async () =>
    {
        await call();
        return true;
    });

    private async Task<T> Reach<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (Exception ex) when (ex is OrleansException or TimeoutException)
        {
            throw new NodeUnavailableException($"node {node}'s agent did not answer: {ex.Message}", ex);
        }
    }
}
