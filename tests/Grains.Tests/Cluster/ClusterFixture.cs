using FleetPods.Grains.Images;
using FleetPods.Grains.Nodes;
using FleetPods.Grains.UnitFiles;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace FleetPods.Grains.Tests.Cluster;

/// <summary>Two in-process silos, each announced as a node of 4 CPUs and 8 GiB, with in-memory grain storage.</summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public static readonly ResourceRequest NodeCapacity = new(8L << 30, 4000);

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IClusterClient Client => Cluster.Client;

    public IReadOnlyList<string> NodeNames => [.. Cluster.Silos.Select(s => s.Name)];

    public FakeLocalNode Node(string name) =>
        (FakeLocalNode)Cluster.Silos.Single(s => s.Name == name).ServiceProvider.GetRequiredService<LocalNode>().Machine;

    public FakeLocalImageStore Images(string name) =>
        (FakeLocalImageStore)Cluster.Silos.Single(s => s.Name == name).ServiceProvider.GetRequiredService<ILocalImageStore>();

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(2);
        builder.ConfigureSilo((options, silo) =>
        {
            silo.AddMemoryGrainStorage(GrainStorage.Name);
            silo.AddFleetPodsGrains();
            silo.Services.AddSingleton(services => new LocalNode(options.SiloName, new FakeLocalNode(options.SiloName, services.GetRequiredService<IGrainFactory>(), services.GetRequiredService<TimeProvider>())));
            silo.Services.AddSingleton<ILocalImageStore>(_ => new FakeLocalImageStore(options.SiloName));
        });
        Cluster = builder.Build();
        await Cluster.DeployAsync();
        foreach (var name in NodeNames)
        {
            await NodeAnnouncer.AnnounceOnceKnown(Client, name, new NodeAnnouncement(name, new Dictionary<string, string>(), NodeCapacity, Enum.GetValues<Stage1Flavor>()));
        }
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class SharedCluster : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}
