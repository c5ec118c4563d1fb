namespace FleetPods.Grains;

/// <summary>
/// One machine, keyed by node name. It is the single place that decides whether a reservation fits; the scheduler
/// only proposes. A machine that is a silo has its node grain on that silo, driving the silo's own runtime; any other
/// machine is an agent whose node grain lives on any server and drives it through the <see cref="INodeAgent"/> it
/// attached, and which is down while the agent's heartbeats do not arrive.
/// </summary>
public interface INodeGrain : IGrainWithStringKey
{
    /// <summary>The most pod reports one <see cref="ReportPods"/> takes.</summary>
    const int MaxPodReports = 256;

    /// <summary>Called by the node's own daemon at start: its address, metadata and capacity.</summary>
    Task Announce(NodeAnnouncement announcement);

    /// <summary>The node as last announced, with its current reservations; null if it never announced, or if it is an agent's node and no agent is attached.</summary>
    Task<NodeInfo?> GetInfo();

    /// <summary>Whether the node is up (a silo's node always is while its grain answers; an agent's while attached and heartbeating), with what it holds.</summary>
    Task<NodeStatus> GetStatus();

    /// <summary>
    /// A fresh challenge for an agent's <see cref="Attach"/>: 32 random bytes, good for one attach within 30 s. Only
    /// the last few handed out are outstanding (an older one is dropped), so asking for many cannot fill the grain.
    /// </summary>
    Task<byte[]> Challenge();

    /// <summary>
    /// Called by an agent (a machine that is not a silo) when it starts and whenever <see cref="Heartbeat"/> says it is
    /// not attached: its announcement, the object this grain drives it through, and every pod its runtime knows, which
    /// are reconciled as <see cref="ReconcilePods"/> does (pods moved away while it was gone are stopped on it).
    /// <paramref name="proof"/> shows it is this node: the node certificate of this grain's name, of the cluster CA,
    /// neither expired nor revoked, and its signature over a challenge from <see cref="Challenge"/> (used up by this call).
    /// Returns the session <see cref="Heartbeat"/> takes (it replaces any earlier agent's) and when to beat first.
    /// </summary>
    /// <exception cref="AttachRefusedException">The proof does not show it, or the node is a silo of the cluster.</exception>
    Task<AgentSession> Attach(INodeAgent agent, NodeAnnouncement announcement, IReadOnlyList<RuntimePod> pods, AttachProof proof);

    /// <summary>
    /// An attached agent's sign of life, with the session token its <see cref="Attach"/> returned, sent when the last
    /// answer said (the server paces its agents by their number). Without one for the period it was told plus a grace
    /// the node is down and its pods are lost (their units place them elsewhere). Not accepted for any session but the
    /// current one, nor when this grain holds no agent (a server restarted, or the node was declared down): the agent
    /// then attaches again.
    /// </summary>
    Task<HeartbeatAnswer> Heartbeat(string session);

    /// <summary>
    /// Reserves resources for a pod if they fit and no <c>Conflicts=</c> rule forbids it, either way; idempotent per pod.
    /// Given <paramref name="run"/>, a pod that holds its reservation is then run as <see cref="RunPod"/> runs it, so
    /// placing and starting a pod is one call: the answer says whether its machine took it (an agent's takes it as the
    /// call leaves, and says why not with its answer to the launch).
    /// </summary>
    Task<ReservationAnswer> Reserve(PlacementRequest request, PodSpec? run);

    /// <summary>Frees a pod's reservation.</summary>
    Task Release(string podId);

    /// <summary>The ids of the pods reserved on this node.</summary>
    Task<IReadOnlyList<string>> ListPods();

    /// <summary>
    /// Starts a reserved pod on this machine. Returns once the machine took it, which prepares it; the machine's answer
    /// (the pod running or ended, or why it did not take it) and the pod's progress after it reach the pod's grain from
    /// this node, as its state reports do (<see cref="IPodGrain.ReportState"/>).
    /// </summary>
    Task RunPod(string podId, PodSpec spec);

    /// <summary>Stops a pod on this machine, waits until it has ended and returns its final state. A pod still being launched is stopped once its machine answered the launch.</summary>
    Task<PodStateReport> StopPod(string podId, TimeSpan grace);

    /// <summary>Stops and removes a pod's tree on this machine and frees its reservation.</summary>
    Task RemovePod(string podId, TimeSpan grace);

    /// <summary>Reads a pod's output on this machine.</summary>
    Task<PodLog> ReadPodLog(string podId, long offset, int maxBytes);

    /// <summary>The pod manifest this machine wrote for a pod it launched (appc's JSON), or null when it has none.</summary>
    Task<string?> ReadPodManifest(string podId);

    /// <summary>Hands input to the app of a pod on this machine, or to an enter session's command (<see cref="IPodGrain.WriteInput"/>); waits while it does not read, without holding up the node.</summary>
    [Orleans.Concurrency.AlwaysInterleave]
    Task WritePodInput(string podId, string? session, byte[] data, bool endOfInput);

    /// <summary>Resizes the terminal of a pod on this machine, or of an enter session (<see cref="IPodGrain.ResizeTerminal"/>).</summary>
    [Orleans.Concurrency.AlwaysInterleave]
    Task ResizePodTerminal(string podId, string? session, TerminalSize size);

    /// <summary>Starts a command inside a running app of a pod on this machine (<see cref="IPodGrain.Enter"/>); returns its session's id.</summary>
    [Orleans.Concurrency.AlwaysInterleave]
    Task<string> StartPodSession(string podId, PodEnterRequest request);

    /// <summary>Reads an enter session's output on this machine (<see cref="IPodGrain.ReadSessionOutput"/>).</summary>
    [Orleans.Concurrency.AlwaysInterleave]
    Task<PodSessionOutput> ReadPodSessionOutput(string podId, string session, long offset, int maxBytes);

    /// <summary>Ends an enter session's command on this machine.</summary>
    [Orleans.Concurrency.AlwaysInterleave]
    Task EndPodSession(string podId, string session);

    /// <summary>
    /// Called by the node's own daemon, periodically and whenever it (re)connects, with every pod its runtime knows.
    /// The cluster's record yields to the machine: a pod the cluster lists as preparing or running on this node that
    /// the runtime does not know is marked lost (and so replaced by its unit); a pod whose record lags the runtime
    /// (a report that never arrived) is brought up to date; a pod the runtime runs that the cluster lists as ended,
    /// placed elsewhere or gone is stopped here; and reservations of pods that ended, moved or are gone are freed.
    /// The list is judged as of when this call is taken, so a caller sends no report (<see cref="ReportPods"/>) while
    /// its round is under way: a pod launched after the list was made and reported running before the round arrived
    /// would be missing from it and taken for lost. (A preparing pod is not, for 30 s from its launch.)
    /// </summary>
    Task ReconcilePods(IReadOnlyList<RuntimePod> pods);

    /// <summary>
    /// An attached agent's reports of its pods' states, many in one call, with the session its <see cref="Attach"/>
    /// returned: each is handed to its pod's grain as <see cref="IPodGrain.ReportState"/> from this node. False, and
    /// nothing handed on, for any session but the current one (as <see cref="Heartbeat"/>): the agent's next attach
    /// carries its pods instead. A report of a pod this node holds no reservation for is dropped, so an agent speaks
    /// only for its own node's pods. At most <see cref="MaxPodReports"/> reports, the last of a pod counting; returns
    /// once every pod's grain took its report.
    /// </summary>
    /// <exception cref="FleetPodsException">More than <see cref="MaxPodReports"/> reports.</exception>
    [Orleans.Concurrency.AlwaysInterleave]
    Task<bool> ReportPods(string session, RuntimePod[] pods);

    /// <summary>rkt's gc: removes the trees of pods on this machine that ended longer than <paramref name="gracePeriod"/> ago; returns their ids.</summary>
    Task<IReadOnlyList<string>> CollectPodGarbage(TimeSpan gracePeriod);
}
