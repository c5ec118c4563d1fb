using FleetPods.Grains.Images;
using FleetPods.Grains.Nodes;
using FleetPods.Grains.Security;
using FleetPods.Grains.Tests.Cluster;
using FleetPods.Grains.UnitFiles;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace FleetPods.Grains.Tests.Security;

/// <summary>
/// One in-process silo and node whose pod policy lets operators mount <see cref="DataDirectory"/> (as <c>data</c>)
/// and <see cref="ConfigDirectory"/> read-only; both are real directories, which the node resolves.
/// </summary>
public sealed class PolicyClusterFixture : IAsyncLifetime
{
    private readonly string root = Directory.CreateTempSubdirectory("fleetpods-policy-").FullName;

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IClusterClient Client => Cluster.Client;

    public string NodeName => Cluster.Silos[0].Name;

    public string DataDirectory => Path.Combine(root, "srv/data");

    public string ConfigDirectory => Path.Combine(root, "srv/config");

    /// <summary>A link to <see cref="DataDirectory"/>, as an admin may make one.</summary>
    public string DataLink => Path.Combine(root, "srv/data-link");

    public FakeLocalNode Node =>
        (FakeLocalNode)Cluster.Silos[0].ServiceProvider.GetRequiredService<LocalNode>().Machine;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(DataDirectory);
        Directory.CreateDirectory(ConfigDirectory);
        File.CreateSymbolicLink(DataLink, DataDirectory);
        var policy = new PodPolicy(new Dictionary<string, HostVolumePolicy>
        {
            ["data"] = new(DataDirectory, ReadOnly: false),
            ["config"] = new(ConfigDirectory, ReadOnly: true),
        });
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((options, silo) =>
        {
            silo.AddMemoryGrainStorage(GrainStorage.Name);
            silo.AddFleetPodsGrains();
            silo.Services.AddSingleton(policy);
            silo.Services.AddSingleton(services => new LocalNode(options.SiloName, new FakeLocalNode(options.SiloName, services.GetRequiredService<IGrainFactory>(), services.GetRequiredService<TimeProvider>())));
            silo.Services.AddSingleton<ILocalImageStore>(_ => new FakeLocalImageStore(options.SiloName));
        });
        Cluster = builder.Build();
        await Cluster.DeployAsync();
        await Client.GetGrain<INodeGrain>(NodeName).Announce(new NodeAnnouncement(NodeName, new Dictionary<string, string>(), ClusterFixture.NodeCapacity, Enum.GetValues<Stage1Flavor>()));
    }

    public async Task DisposeAsync()
    {
        await Cluster.DisposeAsync();
        Directory.Delete(root, recursive: true);
    }
}

[CollectionDefinition(Name)]
public sealed class PolicyCluster : ICollectionFixture<PolicyClusterFixture>
{
    public const string Name = "policy cluster";
}
