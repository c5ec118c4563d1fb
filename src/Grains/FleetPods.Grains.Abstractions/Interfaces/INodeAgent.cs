using Orleans.Concurrency;

namespace FleetPods.Grains;

/// <summary>
/// A machine that is not a silo, as its node grain on a server drives it: an agent (an Orleans client) attaches an
/// object of this type with <see cref="INodeGrain.Attach"/>, and the node grain calls it as it calls its own silo's
/// runtime. It mirrors the silo's local node boundary. A pod's first state past preparing is the answer to the
/// <see cref="RunPod"/> that launched it, when it comes in time; the others come back as the agent's
/// <see cref="INodeGrain.ReportPods"/>. Every call may run beside the others (each is always interleaved): a stop
/// waiting out its grace, an input its app does not read or a run waiting for its pod must not hold up the machine's
/// other pods.
/// </summary>
public interface INodeAgent : IGrainObserver
{
    /// <summary>
    /// Starts preparing and launching a pod (its images are the agent's to fetch). Answers with the pod's state once it
    /// runs or has ended, or as preparing once the machine stops waiting for it (fleetpodsd waits 5 s, well within a
    /// call's timeout): the state it answers with it does not report again. Throws when the machine does not take the pod.
    /// </summary>
    [AlwaysInterleave]
    Task<RuntimePod> RunPod(string podId, PodSpec spec);

    /// <summary>Stops a pod and returns its final state.</summary>
    [AlwaysInterleave]
    Task<PodStateReport> StopPod(string podId, TimeSpan grace);

    /// <summary>Stops a pod if needed and deletes its tree.</summary>
    [AlwaysInterleave]
    Task RemovePod(string podId, TimeSpan grace);

    [AlwaysInterleave]
    Task<PodLog> ReadPodLog(string podId, long offset, int maxBytes);

    /// <summary>The pod manifest the machine wrote for the pod (appc's JSON), or null when it has none.</summary>
    [AlwaysInterleave]
    Task<string?> ReadPodManifest(string podId);

    /// <summary>Hands input to a pod's app, or to an enter session's command; <paramref name="endOfInput"/> closes its stdin after.</summary>
    [AlwaysInterleave]
    Task WritePodInput(string podId, string? session, byte[] data, bool endOfInput);

    /// <summary>Gives a pod's terminal, or an enter session's, a new size.</summary>
    [AlwaysInterleave]
    Task ResizePodTerminal(string podId, string? session, TerminalSize size);

    /// <summary>Starts a command inside a running app of a pod; returns its session's id.</summary>
    [AlwaysInterleave]
    Task<string> StartPodSession(string podId, PodEnterRequest request);

    /// <summary>Reads an enter session's output; the exit code comes with its end.</summary>
    [AlwaysInterleave]
    Task<PodSessionOutput> ReadPodSessionOutput(string podId, string session, long offset, int maxBytes);

    /// <summary>Ends an enter session's command.</summary>
    [AlwaysInterleave]
    Task EndPodSession(string podId, string session);

    /// <summary>Removes the trees of pods that ended longer than <paramref name="gracePeriod"/> ago; returns their ids.</summary>
    [AlwaysInterleave]
    Task<IReadOnlyList<string>> CollectPodGarbage(TimeSpan gracePeriod);
}
