using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using FleetPods.Grains.UnitFiles;

namespace FleetPods.Grains.Tests.Fleet;

/// <summary>
/// A machine attached as an agent through the test cluster's client, as fleetpodsd's agent mode would: it attaches
/// with the pods it holds, proving it is its node with a node certificate (its own from <see cref="TestClusterPki"/>,
/// or the one it is given), beats with the session its attach returned when the server's last answer says, attaches
/// again when a beat says the grain lost it, and reports its pods' states to its node grain with that session.
/// <see cref="Silence"/> cuts it off.
/// </summary>
public sealed class FakeNodeAgent : INodeAgent, IAsyncDisposable
{
    /// <summary>The [X-Fleet] rule that keeps a unit on agents attached with the default metadata (role=agent).</summary>
    public const string OnAgents = "MachineMetadata=role=agent";

    private static readonly TimeSpan BeatTimeout = TimeSpan.FromSeconds(1);

    private readonly IClusterClient client;
    private readonly INodeAgent reference;
    private readonly string metadata;
    private readonly X509Certificate2 certificate;
    private CancellationTokenSource? beating;
    private Task? loop;
    private AgentSession? session;
    private TimeSpan nextBeat;
    private int reports;

    private FakeNodeAgent(string name, string metadata, IClusterClient client, X509Certificate2 certificate)
    {
        Name = name;
        this.metadata = metadata;
        this.client = client;
        this.certificate = certificate;
        reference = client.CreateObjectReference<INodeAgent>(this);
    }

    public string Name { get; }

    /// <summary>The object its node grain drives it through.</summary>
    public INodeAgent Reference => reference;

    /// <summary>What it announces when it attaches.</summary>
    public NodeAnnouncement Announcement => new(Name, Metadata(metadata), FleetCluster.NodeCapacity, Enum.GetValues<Stage1Flavor>());

    /// <summary>The pods this machine runs, by id.</summary>
    public ConcurrentDictionary<string, PodSpec> Pods { get; } = new();

    /// <summary>The session its last attach returned.</summary>
    public string? Session => session?.Token;

    /// <summary>Takes the session of an attach a test made for it by hand: its reports go with it.</summary>
    public void Attached(AgentSession byHand) => session = byHand;

    /// <summary>How many times it attached.</summary>
    public int Attachments { get; private set; }

    /// <summary>The period its last attach or accepted beat was told to wait before the next beat.</summary>
    public TimeSpan NextBeat => nextBeat;

    /// <summary>An agent attached as <paramref name="name"/>, proving it with <paramref name="certificate"/> (by default its own).</summary>
    /// <exception cref="AttachRefusedException">The node grain refused the attach.</exception>
    public static async Task<FakeNodeAgent> Attach(IClusterClient client, string name, string metadata, X509Certificate2? certificate = null)
    {
        var agent = Unattached(client, name, metadata, certificate);
        try
        {
            await agent.AttachNow();
        }
        catch
        {
            await agent.DisposeAsync();
            throw;
        }

        agent.Resume();
        return agent;
    }

    /// <summary>An agent that has not attached yet (a test attaches it by hand with <see cref="Reference"/>).</summary>
    public static FakeNodeAgent Unattached(IClusterClient client, string name, string metadata = "role=agent", X509Certificate2? certificate = null) =>
        new(name, metadata, client, certificate ?? TestClusterPki.Shared.Node(name));

    /// <summary>Stops beating, as a machine cut off from the servers (its pods keep running).</summary>
    public async Task Silence()
    {
        beating?.Cancel();
        await (loop ?? Task.CompletedTask);
        beating?.Dispose();
        beating = null;
    }

    /// <summary>Beats again; the first beat a grain does not recognise makes it attach again with its pods.</summary>
    public void Resume()
    {
        beating = new CancellationTokenSource();
        loop = Beat(beating.Token);
    }

    /// <summary>Whether its pods reach running; false: a runtime still preparing every pod it takes.</summary>
    public bool StartsPods { get; set; } = true;

    /// <summary>
    /// Whether its launches answer once their pods run, as fleetpodsd's agent's do within its wait; false: they answer
    /// preparing, as a launch that outlasts the wait, and the pod's running is reported after.
    /// </summary>
    public bool AnswersRunning { get; set; } = true;

    /// <summary>Whether it fails every launch, as a machine whose runtime is broken.</summary>
    public bool FailsLaunches { get; set; }

    /// <summary>While set and not completed, its launches wait for it before they answer.</summary>
    public TaskCompletionSource? LaunchGate { get; set; }

    /// <summary>While set and not completed, input for its pods waits for it, as an app that does not read.</summary>
    public TaskCompletionSource? InputGate { get; set; }

    /// <summary>Every call its node grain made of it, in the order they came: the method and the pod.</summary>
    public ConcurrentQueue<(string Call, string PodId)> Calls { get; } = new();

    /// <summary>How many reports of pods it sent its node grain.</summary>
    public int Reports => reports;

    public async Task<RuntimePod> RunPod(string podId, PodSpec spec)
    {
        Calls.Enqueue((nameof(RunPod), podId));
        if (FailsLaunches)
        {
            throw new FleetPodsException($"{Name} cannot launch pod {podId}");
        }

        Pods[podId] = spec;
        await (LaunchGate?.Task ?? Task.CompletedTask);
        if (StartsPods && !AnswersRunning)
        {
            _ = Task.Run(() => Report(podId, PodPhase.Running));
        }

        return new RuntimePod(podId, StartsPods && AnswersRunning ? PodPhase.Running : PodPhase.Preparing, null, null, DateTimeOffset.UtcNow);
    }

    public Task<PodStateReport> StopPod(string podId, TimeSpan grace)
    {
        Calls.Enqueue((nameof(StopPod), podId));
        return Task.FromResult(new PodStateReport(Name, PodPhase.Exited, 143, null, DateTimeOffset.UtcNow));
    }

    public Task RemovePod(string podId, TimeSpan grace)
    {
        Pods.TryRemove(podId, out _);
        return Task.CompletedTask;
    }

    public Task<PodLog> ReadPodLog(string podId, long offset, int maxBytes) => Task.FromResult(new PodLog(offset, [], offset, true));

    public Task<string?> ReadPodManifest(string podId) => Task.FromResult<string?>(null);

    public Task WritePodInput(string podId, string? session, byte[] data, bool endOfInput)
    {
        Calls.Enqueue((nameof(WritePodInput), podId));
        return InputGate?.Task ?? Task.CompletedTask;
    }

    public Task ResizePodTerminal(string podId, string? session, TerminalSize size) => Task.CompletedTask;

    public Task<string> StartPodSession(string podId, PodEnterRequest request) => Task.FromResult("session");

    public Task<PodSessionOutput> ReadPodSessionOutput(string podId, string session, long offset, int maxBytes) =>
        Task.FromResult(new PodSessionOutput(offset, [], offset, 0));

    public Task EndPodSession(string podId, string session) => Task.CompletedTask;

    public Task<IReadOnlyList<string>> CollectPodGarbage(TimeSpan gracePeriod) => Task.FromResult<IReadOnlyList<string>>([]);

    public async ValueTask DisposeAsync()
    {
        await Silence();
        client.DeleteObjectReference<INodeAgent>(reference);
    }

    private async Task AttachNow()
    {
        var node = client.GetGrain<INodeGrain>(Name);
        var proof = AttachProof.Sign(Name, await node.Challenge(), certificate);
        session = await node.Attach(reference, Announcement, [.. Pods.Keys.Select(id => new RuntimePod(id, PodPhase.Running, null, null, DateTimeOffset.UtcNow))], proof);
        nextBeat = session.NextBeat;
        Attachments++;
    }

    // Each beat when the last answer said, as fleetpodsd's agent beats. A beat toward a server that died goes unanswered
    // until the client's 30 s timeout, so, as that agent's, it is given up sooner, and the next beat reaches the node
    // grain's next activation (which, not knowing the session, has it attach again).
    private async Task Beat(CancellationToken stop)
    {
        try
        {
            while (true)
            {
                await Task.Delay(nextBeat, stop);
                try
                {
                    if (session is not null && await client.GetGrain<INodeGrain>(Name).Heartbeat(session.Token).WaitAsync(BeatTimeout, stop) is { Accepted: true } answer)
                    {
                        nextBeat = answer.NextBeat;
                    }
                    else
                    {
                        await AttachNow();
                    }
                }
                catch (Exception ex) when (ex is TimeoutException or OrleansException)
                {
                    // Unanswered: beat again after the shortest period.
                    nextBeat = FleetCluster.AgentMinHeartbeatPeriod;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Silenced.
        }
    }

    // A report its node grain refuses (a stale session) is carried by its next attach, as fleetpodsd's agent does.
    private Task<bool> Report(string podId, PodPhase phase)
    {
        Interlocked.Increment(ref reports);
        return client.GetGrain<INodeGrain>(Name).ReportPods(session!.Token, [new RuntimePod(podId, phase, null, null, DateTimeOffset.UtcNow)]);
    }

    private static Dictionary<string, string> Metadata(string text) =>
        text.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=')).ToDictionary(p => p[0], p => p[1]);
}
