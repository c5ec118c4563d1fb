namespace FleetPods.Grains.Nodes;

/// <summary>
/// How a node grain reaches its machine: the runtime of its own silo (<see cref="SiloNodeDriver"/>) or an attached
/// agent (<see cref="AgentNodeDriver"/>). The grain decides; the driver only carries the call there.
/// </summary>
internal interface INodeDriver
{
    /// <summary>Whether liveness is the agent's heartbeat (true) or the silo's membership (false).</summary>
    bool IsAgent { get; }

    Task RunPod(string podId, PodSpec spec);

    Task<PodStateReport> StopPod(string podId, TimeSpan grace);

    Task RemovePod(string podId, TimeSpan grace);

    Task<PodLog> ReadPodLog(string podId, long offset, int maxBytes);

    Task<string?> ReadPodManifest(string podId);

    Task WritePodInput(string podId, string? session, byte[] data, bool endOfInput);

    Task ResizePodTerminal(string podId, string? session, TerminalSize size);

    Task<string> StartPodSession(string podId, PodEnterRequest request);

    Task<PodSessionOutput> ReadPodSessionOutput(string podId, string session, long offset, int maxBytes);

    Task EndPodSession(string podId, string session);

    Task<IReadOnlyList<string>> CollectPodGarbage(TimeSpan gracePeriod);
}
