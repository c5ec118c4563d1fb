namespace FleetPods.Grains;

/// <summary>One pod instance, keyed by its id (a UUID, as rkt named pods): its placement and lifecycle.</summary>
public interface IPodGrain : IGrainWithStringKey
{
    /// <summary>Creates the pod and asks the scheduler to place it. Returns once it is placed or known to be unplaceable.</summary>
    /// <param name="spec">What to run. For a unit's pod, the unit file with specifiers not yet expanded travels in <paramref name="unit"/>.</param>
    /// <param name="unit">The unit file to expand once the node is known (for <c>%m</c>), or null.</param>
    /// <param name="start">False to only place and reserve (a loaded unit), true to run as well.</param>
    /// <param name="requiredNode">The only node the pod may run on (a global unit's node, a restart's own node), or null.</param>
    Task<PodStatus> Create(PodSpec spec, UnitFiles.UnitFile? unit, bool start, string? requiredNode);

    /// <summary>Tries again to place a pod that is still pending; a pod already placed is left as it is.</summary>
    Task<PodStatus> RetryPlacement();

    /// <summary>
    /// Marks a pod as failed and lost (<see cref="PodStatus.IsLost"/>): its node left the cluster, or reported that it
    /// does not run it. Frees nothing on the node; a node that is gone cannot be asked, and one that reported frees it itself.
    /// </summary>
    Task MarkLost(string reason);

    /// <summary>Runs a pod that was created without starting it.</summary>
    Task<PodStatus> Start();

    /// <summary>The pod's state, or null when no such pod exists. Answers at once, even while the pod is busy (e.g. stopping).</summary>
    [Orleans.Concurrency.AlwaysInterleave]
    Task<PodStatus?> GetStatus();

    /// <summary>Stops the pod: SIGTERM to its apps, SIGKILL after <paramref name="grace"/>. Returns once it has ended.</summary>
    Task<PodStatus> Stop(TimeSpan grace);

    /// <summary>Stops the pod if needed, removes its tree from its node, frees its reservation and forgets it.</summary>
    Task Destroy(TimeSpan grace);

    /// <summary>Reads the pod's output (its apps' stdout and stderr) from <paramref name="offset"/>.</summary>
    Task<PodLog> ReadLog(long offset, int maxBytes);

    /// <summary>
    /// The pod manifest its node wrote when it launched the pod (<c>fleetpods cat-manifest</c>): appc's pod manifest with
    /// the node's rendering in its <c>fleetpods</c> extension; null before a node launched it, or once its tree is gone.
    /// </summary>
    Task<string?> ReadManifest();

    /// <summary>
    /// Starts a command inside one of the pod's running apps on its node (<c>fleetpods enter</c>) and returns its
    /// session's id once the command has its console; its output is read with <see cref="ReadSessionOutput"/>.
    /// </summary>
    /// <exception cref="FleetPodsException">The pod is not running, has no such app, or runs in a VM.</exception>
    Task<string> Enter(PodEnterRequest request);

    /// <summary>Reads an enter session's output from <paramref name="offset"/>; its exit code comes with its end. Answers at once.</summary>
    [Orleans.Concurrency.AlwaysInterleave]
    Task<PodSessionOutput> ReadSessionOutput(string session, long offset, int maxBytes);

    /// <summary>Ends an enter session's command, as when its caller goes away.</summary>
    [Orleans.Concurrency.AlwaysInterleave]
    Task EndSession(string session);

    /// <summary>
    /// Hands <paramref name="data"/> to the app of a pod run with input (<see cref="PodConsole.Input"/>), or to the
    /// command of an enter <paramref name="session"/>, in order of the calls; waits while it does not read.
    /// <paramref name="endOfInput"/> closes its stdin after the data (a terminal's end is the app's to decide:
    /// Ctrl-D). Answers at once, even while the pod is busy.
    /// </summary>
    /// <exception cref="FleetPodsException">The pod or session takes no input, or has ended.</exception>
    [Orleans.Concurrency.AlwaysInterleave]
    Task WriteInput(string? session, byte[] data, bool endOfInput);

    /// <summary>Gives the terminal of a pod run with one (<see cref="PodConsole.Terminal"/>), or of an enter session, a new size; its foreground process gets SIGWINCH.</summary>
    /// <exception cref="FleetPodsException">The pod or session has no terminal, or has ended.</exception>
    [Orleans.Concurrency.AlwaysInterleave]
    Task ResizeTerminal(string? session, TerminalSize size);

    /// <summary>Called by the pod's node when its runtime observes a state change.</summary>
    Task ReportState(PodStateReport report);
}
