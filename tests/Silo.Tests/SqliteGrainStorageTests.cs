using FleetPods.Grains;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Orleans.TestingHost;

namespace FleetPods.Silo.Tests;

/// <summary>
/// Our SQLite schema and named queries, driven by Orleans' own ADO.NET grain storage provider on a real
/// SQLite file, exactly as fleetpodsd configures it.
/// </summary>
public sealed class SqliteGrainStorageTests : IAsyncLifetime
{
    private readonly string directory = Directory.CreateTempSubdirectory("fleetpods-sqlite-").FullName;

    private string DatabasePath => Path.Combine(directory, "state.db");

    public Task InitializeAsync()
    {
        SqliteStateDatabase.EnsureCreated(DatabasePath);
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(directory, recursive: true);
        return Task.CompletedTask;
    }

    private async Task<InProcessTestCluster> StartCluster()
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.Options.ServiceId = "fleetpods-storage-test";
        builder.ConfigureSilo((_, silo) => silo.AddFleetPodsSqliteStorage(DatabasePath));
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    [Fact]
    public void The_schema_applies_again_without_harm_and_holds_every_query_the_provider_reads()
    {
        SqliteStateDatabase.EnsureCreated(DatabasePath);

        using var connection = new SqliteConnection(SqliteStateDatabase.ConnectionString(DatabasePath));
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT QueryKey FROM OrleansQuery ORDER BY QueryKey";
        using var reader = command.ExecuteReader();
        var keys = new List<string>();
        while (reader.Read())
        {
            keys.Add(reader.GetString(0));
        }

        Assert.Equal(["ClearStorageKey", "ReadFromStorageKey", "WriteToStorageKey"], keys);
    }

    [Fact]
    public async Task Grain_state_written_by_one_silo_is_read_by_the_next_one_on_the_same_file()
    {
        await using (var first = await StartCluster())
        {
            var registry = first.Client.GetGrain<IRegistryGrain>("survives");
            await registry.Add("a");
            await registry.Add("b");
            await registry.Remove("a");
        }

        await using var second = await StartCluster();
        Assert.Equal(["b"], await second.Client.GetGrain<IRegistryGrain>("survives").List());
    }

    // A registry shard stores its changes and, every so often, its whole set: both read back as one set.
    [Fact]
    public async Task A_registry_changed_hundreds_of_times_is_read_by_the_next_silo_as_it_was_left()
    {
        var keys = Enumerable.Range(0, 300).Select(i => $"key-{i:D3}").ToList();
        await using (var first = await StartCluster())
        {
            var registry = first.Client.GetGrain<IRegistryGrain>("many-changes");
            await Task.WhenAll(keys.Select(registry.Add));
            foreach (var key in keys.Where((_, i) => i % 4 == 0))
            {
                await registry.Remove(key);
            }
        }

        await using var second = await StartCluster();
        Assert.Equal(keys.Where((_, i) => i % 4 != 0), await second.Client.GetGrain<IRegistryGrain>("many-changes").List());
    }

    // Contracts hold lists made by collection expressions, whose runtime types are compiler-generated;
    // state must come back from a later process all the same.
    [Fact]
    public async Task State_with_compiler_generated_collections_reads_back_in_a_new_silo()
    {
        var grainId = GrainId.Create("test", "collections");
        await using (var first = await StartCluster())
        {
            var storage = first.Silos[0].ServiceProvider.GetRequiredKeyedService<IGrainStorage>(GrainStorage.Name);
            await storage.WriteStateAsync("test", grainId, new GrainState<Note>(new Note("tagged") { Tags = ["ns"] }));
        }

        await using var second = await StartCluster();
        var read = new GrainState<Note>();
        await second.Silos[0].ServiceProvider.GetRequiredKeyedService<IGrainStorage>(GrainStorage.Name).ReadStateAsync("test", grainId, read);
        Assert.Equal(["ns"], read.State!.Tags);
    }

    [Fact]
    public async Task A_write_with_a_stale_etag_is_refused_and_changes_nothing()
    {
        await using var cluster = await StartCluster();
        var storage = cluster.Silos[0].ServiceProvider.GetRequiredKeyedService<IGrainStorage>(GrainStorage.Name);
        var grainId = GrainId.Create("test", "etag");
        var first = new GrainState<Note>(new Note("one"));
        await storage.WriteStateAsync("test", grainId, first);
        var stale = new GrainState<Note>(new Note("stale")) { ETag = first.ETag };
        var second = new GrainState<Note>(new Note("two")) { ETag = first.ETag };
        await storage.WriteStateAsync("test", grainId, second);

        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("test", grainId, stale));
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("test", grainId, new GrainState<Note>(new Note("blind"))));

        var read = new GrainState<Note>();
        await storage.ReadStateAsync("test", grainId, read);
        Assert.Equal(("two", second.ETag), (read.State!.Text, read.ETag));
        Assert.True(read.RecordExists);
    }

    [Fact]
    public async Task Clear_forgets_the_state_and_a_later_write_starts_from_the_cleared_version()
    {
        await using var cluster = await StartCluster();
        var storage = cluster.Silos[0].ServiceProvider.GetRequiredKeyedService<IGrainStorage>(GrainStorage.Name);
        var grainId = GrainId.Create("test", "clear");
        var state = new GrainState<Note>(new Note("kept"));
        await storage.WriteStateAsync("test", grainId, state);

        await storage.ClearStateAsync("test", grainId, state);
        var read = new GrainState<Note>();
        await storage.ReadStateAsync("test", grainId, read);
        state.State = new Note("again");
        await storage.WriteStateAsync("test", grainId, state);

        Assert.False(read.RecordExists && read.State?.Text == "kept");
        var reread = new GrainState<Note>();
        await storage.ReadStateAsync("test", grainId, reread);
        Assert.Equal("again", reread.State!.Text);
    }
}

[GenerateSerializer]
public sealed record Note([property: Id(0)] string Text)
{
    public Note()
        : this("")
    {
    }

    [Id(1)]
    public IReadOnlyList<string> Tags { get; init; } = [];
}
