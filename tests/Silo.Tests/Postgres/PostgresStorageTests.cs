using FleetPods.Grains;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace FleetPods.Silo.Tests.Postgres;

/// <summary>Our grain-state and reminder queries under Orleans' own ADO.NET providers, on a real PostgreSQL.</summary>
public sealed class PostgresStorageTests : IAsyncLifetime
{
    private readonly PostgresDatabase database = new();
    private readonly string clusterId = $"c{Guid.NewGuid():N}";

    public Task InitializeAsync() => database.InitializeAsync();

    public Task DisposeAsync() => database.DisposeAsync();

    [RequiresFact(Requires.Postgres)]
    public async Task Grain_state_outlives_the_silo_that_wrote_it_and_stale_etags_are_refused()
    {
        var grainId = GrainId.Create("test", "etag");
        var first = new GrainState<Note>(new Note("one"));
        var second = new GrainState<Note>(new Note("two"));
        await using (var a = await PostgresSilo.Start(database.ConnectionString, clusterId, "node-a"))
        {
            var storage = a.Services.GetRequiredKeyedService<IGrainStorage>(GrainStorage.Name);
            await storage.WriteStateAsync("test", grainId, first);
            second.ETag = first.ETag;
            await storage.WriteStateAsync("test", grainId, second);
            await Assert.ThrowsAsync<InconsistentStateException>(() =>
                storage.WriteStateAsync("test", grainId, new GrainState<Note>(new Note("stale")) { ETag = first.ETag }));
            await Assert.ThrowsAsync<InconsistentStateException>(() =>
                storage.WriteStateAsync("test", grainId, new GrainState<Note>(new Note("blind"))));
        }

        await using var b = await PostgresSilo.Start(database.ConnectionString, clusterId, "node-b");
        var read = new GrainState<Note>();
        await b.Services.GetRequiredKeyedService<IGrainStorage>(GrainStorage.Name).ReadStateAsync("test", grainId, read);
        Assert.Equal(("two", second.ETag, true), (read.State!.Text, read.ETag, read.RecordExists));
    }

    [RequiresFact(Requires.Postgres)]
    public async Task Clear_forgets_the_state_refuses_a_stale_etag_and_a_later_write_goes_on()
    {
        await using var a = await PostgresSilo.Start(database.ConnectionString, clusterId, "node-a");
        var storage = a.Services.GetRequiredKeyedService<IGrainStorage>(GrainStorage.Name);
        var grainId = GrainId.Create("test", "clear");
        var state = new GrainState<Note>(new Note("kept"));
        await storage.WriteStateAsync("test", grainId, state);
        var stale = new GrainState<Note>(new Note("x")) { ETag = "0" };

        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearStateAsync("test", grainId, stale));
        await storage.ClearStateAsync("test", grainId, state);
        var cleared = new GrainState<Note>();
        await storage.ReadStateAsync("test", grainId, cleared);
        state.State = new Note("again");
        await storage.WriteStateAsync("test", grainId, state);
        var reread = new GrainState<Note>();
        await storage.ReadStateAsync("test", grainId, reread);

        Assert.NotEqual("kept", cleared.State?.Text);
        Assert.Equal("again", reread.State!.Text);
    }

    [RequiresFact(Requires.Postgres)]
    public async Task Reminders_are_stored_read_by_grain_and_by_ring_range_and_removed_only_at_their_etag()
    {
        await using var a = await PostgresSilo.Start(database.ConnectionString, clusterId, "node-a");
        var table = a.Get<IReminderTable>();
        var grain = GrainId.Create("test", "reminded");
        var hash = grain.GetUniformHashCode();
        var start = DateTime.UtcNow;

        var etag = Assert.IsType<string>(await table.UpsertRow(new ReminderEntry { GrainId = grain, ReminderName = "tick", StartAt = start, Period = TimeSpan.FromMinutes(1) }));
        var updated = Assert.IsType<string>(await table.UpsertRow(new ReminderEntry { GrainId = grain, ReminderName = "tick", StartAt = start, Period = TimeSpan.FromMinutes(2) }));
        await table.UpsertRow(new ReminderEntry { GrainId = grain, ReminderName = "tock", StartAt = start, Period = TimeSpan.FromMinutes(3) });

        var one = Assert.IsType<ReminderEntry>(await table.ReadRow(grain, "tick"));
        var byGrain = await table.ReadRows(grain);
        var inRange = await table.ReadRows(hash - 1, hash);
        var wrapping = await table.ReadRows(unchecked(hash + 10), hash);
        var outside = await table.ReadRows(hash, hash + 1 == 0 ? 1 : hash + 1);

        Assert.NotEqual(etag, updated);
        Assert.Equal((TimeSpan.FromMinutes(2), updated), (one.Period, one.ETag));
        Assert.Equal(["tick", "tock"], byGrain.Reminders.Select(r => r.ReminderName).Order(StringComparer.Ordinal));
        Assert.Equal(2, inRange.Reminders.Count);
        Assert.Equal(2, wrapping.Reminders.Count);
        Assert.Empty(outside.Reminders);

        Assert.False(await table.RemoveRow(grain, "tick", etag));
        Assert.True(await table.RemoveRow(grain, "tick", updated));
        Assert.Equal(["tock"], (await table.ReadRows(grain)).Reminders.Select(r => r.ReminderName));

        await table.TestOnlyClearTable();
        Assert.Empty((await table.ReadRows(grain)).Reminders);
    }
}
