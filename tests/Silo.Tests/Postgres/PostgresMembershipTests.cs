using System.Globalization;
using System.Net;
using FleetPods.Grains;
using FleetPods.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;

namespace FleetPods.Silo.Tests.Postgres;

/// <summary>Our membership queries under Orleans' own ADO.NET clustering provider, with real silos on a real PostgreSQL.</summary>
public sealed class PostgresMembershipTests : IAsyncLifetime
{
    private readonly PostgresDatabase database = new();
    private readonly string clusterId = $"c{Guid.NewGuid():N}";

    public Task InitializeAsync() => database.InitializeAsync();

    public Task DisposeAsync() => database.DisposeAsync();

    [RequiresFact(Requires.Postgres)]
    public async Task Silos_join_through_the_table_a_client_finds_the_gateways_and_a_stopped_silo_is_dead()
    {
        await using var a = await PostgresSilo.Start(database.ConnectionString, clusterId, "node-a");
        await using var b = await PostgresSilo.Start(database.ConnectionString, clusterId, "node-b");
        await Eventually(() => ActiveNames(a).SequenceEqual(["node-a", "node-b"]));

        // A client that knows only the database: GatewaysQueryKey, then calls that store grain state.
        using (var client = await StartClient())
        {
            var registry = client.Services.GetRequiredService<IClusterClient>().GetGrain<IRegistryGrain>("postgres");
            await registry.Add("x");
            Assert.Equal(["x"], await registry.List());
        }

        await b.Stop();
        await Eventually(() => ActiveNames(a).SequenceEqual(["node-a"]));

        Assert.Equal(["3 node-a", "6 node-b"], await database.Column(
            $"SELECT Status || ' ' || SiloName FROM OrleansMembershipTable WHERE DeploymentId = '{clusterId}' ORDER BY SiloName"));
        Assert.True(await database.Scalar<int>($"SELECT Version FROM OrleansMembershipVersionTable WHERE DeploymentId = '{clusterId}'") >= 4);
    }

    [RequiresFact(Requires.Postgres)]
    public async Task Heartbeats_move_a_silos_i_am_alive_time_forward()
    {
        await using var a = await PostgresSilo.Start(database.ConnectionString, clusterId, "node-a");
        var table = a.Get<IMembershipTable>();
        var before = (await table.ReadAllAsync(CancellationToken.None)).Members.Single().Item1;

        await table.UpdateIAmAliveAsync(new MembershipEntry { SiloAddress = before.SiloAddress, IAmAliveTime = before.IAmAliveTime.AddMinutes(5) }, CancellationToken.None);

        var after = (await table.ReadRowAsync(before.SiloAddress, CancellationToken.None)).Members.Single().Item1;
        Assert.Equal(before.IAmAliveTime.AddMinutes(5), after.IAmAliveTime, TimeSpan.FromMilliseconds(1));
    }

    [RequiresFact(Requires.Postgres)]
    public async Task A_membership_write_against_a_stale_table_version_changes_nothing()
    {
        await using var a = await PostgresSilo.Start(database.ConnectionString, clusterId, "node-a");
        var table = a.Get<IMembershipTable>();
        var snapshot = await table.ReadAllAsync(CancellationToken.None);
        // The provider guards with the version it read (the etag), as another silo's earlier read would hold it.
        var stale = new TableVersion(snapshot.Version.Version + 1, (snapshot.Version.Version - 1).ToString(CultureInfo.InvariantCulture));
        var (entry, etag) = snapshot.Members.Single();
        var ghost = DeadEntry(generation: 1, alive: DateTime.UtcNow);

        Assert.False(await table.InsertRowAsync(ghost, stale, CancellationToken.None));
        Assert.False(await table.UpdateRowAsync(entry, etag, stale, CancellationToken.None));
        Assert.True(await table.InsertRowAsync(ghost, snapshot.Version.Next(), CancellationToken.None));
        Assert.False(await table.InsertRowAsync(ghost, (await table.ReadAllAsync(CancellationToken.None)).Version.Next(), CancellationToken.None));

        var now = await table.ReadAllAsync(CancellationToken.None);
        Assert.Equal(snapshot.Version.Version + 1, now.Version.Version);
        Assert.Equal(2, now.Members.Count);
    }

    [RequiresFact(Requires.Postgres)]
    public async Task Dead_silos_rows_are_cleaned_up_by_both_cleanup_queries_and_the_cluster_can_be_deleted()
    {
        await using var a = await PostgresSilo.Start(database.ConnectionString, clusterId, "node-a");
        var table = a.Get<IMembershipTable>();
        var old = DateTime.UtcNow.AddHours(-2);
        foreach (var generation in new[] { 1, 2 })
        {
            Assert.True(await table.InsertRowAsync(DeadEntry(generation, old), (await table.ReadAllAsync(CancellationToken.None)).Version.Next(), CancellationToken.None));
        }

        // The per-row query (CleanupDefunctSiloEntryKey) behind the current API…
        await table.CleanupDefunctSiloEntriesAsync(DateTimeOffset.UtcNow.AddHours(-1), CancellationToken.None);
        var afterOne = await database.Scalar<long>($"SELECT count(*) FROM OrleansMembershipTable WHERE DeploymentId = '{clusterId}' AND Status = 6");

        // …and the bulk one (CleanupDefunctSiloEntriesKey) behind the older API, which removes them by age alone.
        Assert.True(await table.InsertRowAsync(DeadEntry(3, old), (await table.ReadAllAsync(CancellationToken.None)).Version.Next(), CancellationToken.None));
#pragma warning disable CS0618 // The obsolete API is the only caller of CleanupDefunctSiloEntriesKey, which the provider still requires.
        await table.CleanupDefunctSiloEntries(DateTimeOffset.UtcNow.AddHours(-1));
#pragma warning restore CS0618
        var afterBulk = await database.Scalar<long>($"SELECT count(*) FROM OrleansMembershipTable WHERE DeploymentId = '{clusterId}' AND Status = 6");

        // Once no silo of the cluster runs (a running one would keep retrying to write its vanished row).
        await a.Stop();
        await table.DeleteMembershipTableEntriesAsync(clusterId, CancellationToken.None);

        Assert.Equal((0L, 0L), (afterOne, afterBulk));
        Assert.Equal(0L, await database.Scalar<long>($"SELECT count(*) FROM OrleansMembershipVersionTable WHERE DeploymentId = '{clusterId}'"));
    }

    private static MembershipEntry DeadEntry(int generation, DateTime alive) => new()
    {
        SiloAddress = SiloAddress.New(IPAddress.Parse("192.0.2.99"), 11111, generation),
        SiloName = $"ghost-{generation}",
        HostName = "ghost",
        Status = SiloStatus.Dead,
        ProxyPort = 30000,
        StartTime = alive.AddMinutes(-1),
        IAmAliveTime = alive,
        SuspectTimes = [],
    };

    private static IEnumerable<string> ActiveNames(PostgresSilo silo) =>
        silo.Get<IClusterMembershipService>().CurrentSnapshot.Members.Values
            .Where(m => m.Status == SiloStatus.Active).Select(m => m.Name).Order(StringComparer.Ordinal);

    private async Task<IHost> StartClient()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        // The gateway admits admin certificates only, and proves itself with a node certificate of the same CA.
        var credentials = TestCredentials.Node;
        var admin = CertificateProfile.ReadCertificate(credentials.Directory.AdminCertificate, credentials.Directory.AdminKey);
        builder.UseOrleansClient(client => client
            .UseTls(admin, tls => tls.RemoteCertificateValidation = (server, _, _) => credentials.Trust.Identify(server, out _)?.Kind == CertificateKind.Node)
            .Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (clusterId, clusterId))
            .UseAdoNetClustering(o => (o.Invariant, o.ConnectionString) = (PostgresClusterDatabase.Invariant, database.ConnectionString)));
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    private static async Task Eventually(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within 30 s");
            await Task.Delay(100);
        }
    }
}
