using System.Collections.Concurrent;
using FleetPods.Grains.Images;
using FleetPods.Grains.Nodes;
using FleetPods.Grains.Scheduling;
using FleetPods.Grains.Tests.Cluster;
using FleetPods.Grains.UnitFiles;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Storage;
using Orleans.TestingHost;

namespace FleetPods.Grains.Tests.Fleet;

/// <summary>
/// Several in-process silos, each a node of 4 CPUs and 8 GiB with the metadata given, a test double for the
/// machine under each, and grain state that outlives any one silo.
/// </summary>
public sealed class FleetCluster : IAsyncDisposable
{
    public static readonly ResourceRequest NodeCapacity = new(8L << 30, 4000);

    /// <summary>The shortest period between an agent's beats here: short, so a test sees an agent go down quickly.</summary>
    public static readonly TimeSpan AgentMinHeartbeatPeriod = TimeSpan.FromMilliseconds(500);

    /// <summary>How long past the period it was told an agent's node waits for a beat here.</summary>
    public static readonly TimeSpan AgentHeartbeatGrace = TimeSpan.FromMilliseconds(1500);

    /// <summary>The most beats a second a server takes here: past 10 agents on a silo their period grows.</summary>
    public const int AgentMaxHeartbeatsPerSecond = 20;

    /// <summary>How long, and how many, down agents' nodes are listed here.</summary>
    public static readonly TimeSpan DownNodeRetention = TimeSpan.FromHours(1);

    public const int MaxDownNodes = 3;

    private readonly ConcurrentDictionary<string, (byte[] Data, int Version)> store = new();

    private FleetCluster()
    {
    }

    /// <summary>The writes the shared storage refuses while a test says so.</summary>
    public StorageFaults StorageFaults { get; } = new();

    /// <summary>The grain calls the silos answer as expired while a test says so.</summary>
    public CallFaults CallFaults { get; } = new();

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IClusterClient Client => Cluster.Client;

    /// <summary>The node names, in the order of the metadata they were started with.</summary>
    public List<string> Nodes { get; } = [];

    public static Task<FleetCluster> Start(params string[] metadata) => Start(clock: null, metadata);

    /// <summary>
    /// Starts the nodes with <paramref name="clock"/> as every silo's TimeProvider: the grains' clock, their timers
    /// and the membership reconciler's waits follow it, while Orleans' own membership, messaging and activation
    /// loops stay on real time (so advancing it cannot make a silo look dead or a call time out).
    /// </summary>
    public static async Task<FleetCluster> Start(TimeProvider? clock, params string[] metadata)
    {
        var fleet = new FleetCluster();
        var builder = new InProcessTestClusterBuilder((short)metadata.Length);
        builder.ConfigureSilo((options, silo) =>
        {
            if (clock is not null)
            {
                silo.Services.AddSingleton(clock);
                silo.Services.UseTimeProviderForBackgroundAreas(TimeProvider.System);
            }

            silo.Services.AddKeyedSingleton<IGrainStorage>(GrainStorage.Name, (services, _) =>
                new ProcessGrainStorage(fleet.store, services.GetRequiredService<Serializer>(), fleet.StorageFaults));
            silo.AddFleetPodsGrains();
            silo.AddIncomingGrainCallFilter(fleet.CallFaults.Invoke);
            // A server checks an agent's attach with the cluster's trust, as fleetpodsd's TLS setup registers it.
            silo.Services.AddSingleton(TestClusterPki.Shared.Trust);
            // Every placement sees the reservations made before it, on whichever silo, as the spread tests assert.
            silo.Services.Configure<NodeViewOptions>(o => o.MaxAge = TimeSpan.Zero);
            silo.Services.Configure<NodeLivenessOptions>(o => (o.MinHeartbeatPeriod, o.HeartbeatGrace, o.MaxHeartbeatsPerSecond, o.DownNodeRetention, o.MaxDownNodes) =
                (AgentMinHeartbeatPeriod, AgentHeartbeatGrace, AgentMaxHeartbeatsPerSecond, DownNodeRetention, MaxDownNodes));
            silo.Services.AddSingleton(services => new LocalNode(options.SiloName, new FakeLocalNode(options.SiloName, services.GetRequiredService<IGrainFactory>(), services.GetRequiredService<TimeProvider>())));
            silo.Services.AddSingleton<ILocalImageStore>(_ => new FakeLocalImageStore(options.SiloName));
        });
        fleet.Cluster = builder.Build();
        await fleet.Cluster.DeployAsync();
        for (var i = 0; i < metadata.Length; i++)
        {
            await fleet.Announce(fleet.Cluster.Silos[i].Name, metadata[i]);
        }

        return fleet;
    }

    /// <summary>Starts one more silo and announces it as a node.</summary>
    public async Task<string> AddNode(string metadata)
    {
        var silo = await Cluster.StartAdditionalSiloAsync();
        await Announce(silo.Name, metadata);
        return silo.Name;
    }

    /// <summary>Kills a node's silo without a goodbye, as SIGKILL would.</summary>
    public async Task Kill(string node) => await Cluster.KillSiloAsync(Cluster.Silos.Single(s => s.Name == node));

    public FakeLocalNode Machine(string node) =>
        (FakeLocalNode)Cluster.Silos.Single(s => s.Name == node).ServiceProvider.GetRequiredService<LocalNode>().Machine;

    public IUnitGrain Unit(string name) => Client.GetGrain<IUnitGrain>(name);

    /// <summary>Submits and starts a unit made of [Pod] and [X-Fleet] lines.</summary>
    public async Task<IUnitGrain> Start(string name, string pod = "", string fleet = "")
    {
        var text = $"[Pod]\nImage=example.com/busybox\nExec=/bin/sleep 1000\n{pod}\n" + (fleet.Length > 0 ? $"[X-Fleet]\n{fleet}\n" : "");
        var unit = Unit(name);
        var submitted = await unit.Submit(name, text);
        Assert.True(submitted.Succeeded, string.Join("; ", submitted.Errors));
        await unit.Start();
        return unit;
    }

    /// <summary>Waits until the unit's pods satisfy <paramref name="done"/>.</summary>
    public static Task<UnitStatus> Until(IUnitGrain unit, Func<IReadOnlyList<PodStatus>, bool> done, string what) =>
        Eventually.Until(async () => (await unit.GetStatus())!, s => done(s.Pods), what);

    public static IReadOnlyList<PodStatus> Running(IReadOnlyList<PodStatus> pods) => [.. pods.Where(p => p.Phase == PodPhase.Running)];

    public async ValueTask DisposeAsync() => await Cluster.DisposeAsync();

    /// <summary>Announces the node again, as its daemon does when it starts: with these stage1 flavors (default: every one).</summary>
    public Task Reannounce(string node, string metadata, params Stage1Flavor[] flavors) =>
        Client.GetGrain<INodeGrain>(node).Announce(Announcement(node, metadata, flavors));

    private static NodeAnnouncement Announcement(string node, string metadata, Stage1Flavor[] flavors) =>
        new(node, Metadata(metadata), NodeCapacity, flavors.Length > 0 ? flavors : Enum.GetValues<Stage1Flavor>());

    private static Dictionary<string, string> Metadata(string text) =>
        text.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=')).ToDictionary(p => p[0], p => p[1]);

    private async Task Announce(string node, string metadata)
    {
        await NodeAnnouncer.AnnounceOnceKnown(Client, node, Announcement(node, metadata, []));
        Nodes.Add(node);
    }
}
