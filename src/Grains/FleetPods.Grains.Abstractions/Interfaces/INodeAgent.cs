namespace FleetPods.Grains;

/// <summary>
/// A machine that is not a silo, as its node grain on a server drives it: an agent (an Orleans client) attaches an
/// object of this type with <see cref="INodeGrain.Attach"/>, and the node grain calls it as it calls its own silo's
/// runtime. It mirrors the silo's local node boundary; pod states come back as the agent's own
/// <see cref="IPodGrain.ReportState"/> calls.
/// </summary>
public interface INodeAgent : IGrainObserver
{
    /// <summary>Starts preparing and launching a pod (its images are the agent's to fetch); returns once accepted.</summary>
    Task RunPod(string podId, PodSpec spec);

    /// <summary>Stops a pod and returns its final state.</summary>
    Task<PodStateReport> StopPod(string podId, TimeSpan grace);

    /// <summary>Stops a pod if needed and deletes its tree.</summary>
    Task RemovePod(string podId, TimeSpan grace);

    Task<PodLog> ReadPodLog(string podId, long offset, int maxBytes);

    /// <summary>The pod manifest the machine wrote for the pod (appc's JSON), or null when it has none.</summary>
    Task<string?> ReadPodManifest(string podId);

    /// <summary>Hands input to a pod's app, or to an enter session's command; <paramref name="endOfInput"/> closes its stdin after.</summary>
    Task WritePodInput(string podId, string? session, byte[] data, bool endOfInput);

    /// <summary>Gives a pod's terminal, or an enter session's, a new size.</summary>
    Task ResizePodTerminal(string podId, string? session, TerminalSize size);

    /// <summary>Starts a command inside a running app of a pod; returns its session's id.</summary>
    Task<string> StartPodSession(string podId, PodEnterRequest request);

    /// <summary>Reads an enter session's output; the exit code comes with its end.</summary>
    Task<PodSessionOutput> ReadPodSessionOutput(string podId, string session, long offset, int maxBytes);

    /// <summary>Ends an enter session's command.</summary>
    Task EndPodSession(string podId, string session);

    /// <summary>Removes the trees of pods that ended longer than <paramref name="gracePeriod"/> ago; returns their ids.</summary>
    Task<IReadOnlyList<string>> CollectPodGarbage(TimeSpan gracePeriod);
}
