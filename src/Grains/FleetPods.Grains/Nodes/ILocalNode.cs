namespace FleetPods.Grains.Nodes;

/// <summary>
/// The narrow boundary between a node grain and the machine under it (containerd's task API, in spirit):
/// the silo implements it over NodeRuntime, so the grains never touch the kernel and test without it.
/// </summary>
public interface ILocalNode
{
    /// <summary>The node name this silo announced; its node grain is placed here.</summary>
    string NodeName { get; }

    /// <summary>Starts preparing and launching a pod; returns once accepted. State arrives as reports.</summary>
    Task RunPod(string podId, PodSpec spec);

    /// <summary>Stops a pod and returns its final state.</summary>
    Task<PodStateReport> StopPod(string podId, TimeSpan grace);

    /// <summary>Stops a pod if needed and deletes its tree.</summary>
    Task RemovePod(string podId, TimeSpan grace);

    Task<PodLog> ReadPodLog(string podId, long offset, int maxBytes);

    /// <summary>The pod manifest this machine wrote for the pod (appc's JSON), or null when it has none.</summary>
    Task<string?> ReadPodManifest(string podId);

    /// <summary>Hands input to a pod's app, or to an enter session's command, in order, waiting while it does not read; <paramref name="endOfInput"/> closes its stdin after.</summary>
    Task WritePodInput(string podId, string? session, ReadOnlyMemory<byte> data, bool endOfInput);

    /// <summary>Gives a pod's terminal, or an enter session's, a new size.</summary>
    Task ResizePodTerminal(string podId, string? session, TerminalSize size);

    /// <summary>Starts a command inside a running app of a pod; returns its session's id once it has its console.</summary>
    Task<string> StartPodSession(string podId, PodEnterRequest request);

    /// <summary>Reads an enter session's output; the exit code comes with its end.</summary>
    Task<PodSessionOutput> ReadPodSessionOutput(string podId, string session, long offset, int maxBytes);

    /// <summary>Ends an enter session's command.</summary>
    Task EndPodSession(string podId, string session);

    /// <summary>Removes the trees of pods that ended longer than <paramref name="gracePeriod"/> ago; returns their ids.</summary>
    Task<IReadOnlyList<string>> CollectPodGarbage(TimeSpan gracePeriod);
}
