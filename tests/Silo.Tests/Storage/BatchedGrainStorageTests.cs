using Orleans.Storage;

namespace FleetPods.Silo.Tests.Storage;

/// <summary>Many grains' writes at once, on a real database of each engine: each is kept or refused on its own.</summary>
public sealed class BatchedGrainStorageTests
{
    public static IEnumerable<object[]> Engines => StateStorages.Engines;

    [RequiresTheory(Requires.Postgres)]
    [MemberData(nameof(Engines))]
    public async Task A_burst_of_writes_from_many_grains_is_stored_whole_and_read_back_in_a_burst(string engine)
    {
        await using var storages = await StateStorages.Open(engine);
        var keys = Enumerable.Range(0, 600).Select(i => GrainId.Create("pod", $"pod-{i}")).ToArray();
        var states = keys.Select(k => new GrainState<Note>(new Note(k.ToString()))).ToArray();

        await Task.WhenAll(keys.Select((k, i) => storages.Batched.WriteStateAsync("pod", k, states[i])));
        var read = keys.Select(_ => new GrainState<Note>()).ToArray();
        await Task.WhenAll(keys.Select((k, i) => storages.Batched.ReadStateAsync("pod", k, read[i])));

        Assert.All(states, s => Assert.Equal("1", s.ETag));
        Assert.Equal(keys.Select(k => k.ToString()), read.Select(r => r.State!.Text));
        Assert.All(read, r => Assert.Equal(("1", true), (r.ETag, r.RecordExists)));
    }

    [RequiresTheory(Requires.Postgres)]
    [MemberData(nameof(Engines))]
    public async Task A_stale_write_among_good_ones_is_refused_alone(string engine)
    {
        await using var storages = await StateStorages.Open(engine);
        var keys = Enumerable.Range(0, 50).Select(i => GrainId.Create("unit", $"u{i}.pod")).ToArray();
        var states = keys.Select(k => new GrainState<Note>(new Note("first"))).ToArray();
        await Task.WhenAll(keys.Select((k, i) => storages.Batched.WriteStateAsync("unit", k, states[i])));
        foreach (var state in states)
        {
            state.State = new Note("second");
        }

        // Grain 7 is written by an activation that still holds the version before; a grain new to storage as well.
        var stale = new GrainState<Note>(new Note("stale")) { ETag = "0" };
        var writes = keys.Select((k, i) => storages.Batched.WriteStateAsync("unit", k, states[i]))
            .Append(storages.Batched.WriteStateAsync("unit", keys[7], stale))
            .ToArray();
        var failures = 0;
        foreach (var write in writes)
        {
            try
            {
                await write;
            }
            catch (InconsistentStateException)
            {
                failures++;
            }
        }

        var read = keys.Select(_ => new GrainState<Note>()).ToArray();
        await Task.WhenAll(keys.Select((k, i) => storages.Batched.ReadStateAsync("unit", k, read[i])));
        Assert.Equal(1, failures);
        Assert.All(read, r => Assert.Equal(("second", "2"), (r.State!.Text, r.ETag)));
    }

    [RequiresTheory(Requires.Postgres)]
    [MemberData(nameof(Engines))]
    public async Task Two_activations_writing_one_new_grain_at_once_keep_one_write_and_refuse_the_other(string engine)
    {
        await using var storages = await StateStorages.Open(engine);
        var key = GrainId.Create("pod", "twice");
        var one = new GrainState<Note>(new Note("one"));
        var two = new GrainState<Note>(new Note("two"));

        var outcomes = await Task.WhenAll(Outcome(storages.Batched.WriteStateAsync("pod", key, one)), Outcome(storages.Batched.WriteStateAsync("pod", key, two)));
        var read = new GrainState<Note>();
        await storages.Batched.ReadStateAsync("pod", key, read);

        Assert.Equal([false, true], outcomes.Order());
        Assert.Equal(outcomes[0] ? "one" : "two", read.State!.Text);
    }

    [RequiresTheory(Requires.Postgres)]
    [MemberData(nameof(Engines))]
    public async Task A_cleared_grain_reads_as_no_record_and_clearing_a_never_written_one_changes_nothing(string engine)
    {
        await using var storages = await StateStorages.Open(engine);
        var key = GrainId.Create("pod", "cleared");
        var state = new GrainState<Note>(new Note("kept"));
        await storages.Batched.WriteStateAsync("pod", key, state);

        await storages.Batched.ClearStateAsync("pod", key, state);
        await storages.Batched.ClearStateAsync("pod", GrainId.Create("pod", "never"), new GrainState<Note>());
        var read = new GrainState<Note>();
        await storages.Batched.ReadStateAsync("pod", key, read);
        var never = new GrainState<Note>();
        await storages.Batched.ReadStateAsync("pod", GrainId.Create("pod", "never"), never);

        Assert.Equal(("", "2"), (read.State!.Text, read.ETag));
        Assert.Equal((false, null), (never.RecordExists, never.ETag));
        await Assert.ThrowsAsync<InconsistentStateException>(() => storages.Batched.WriteStateAsync("pod", key, new GrainState<Note>(new Note("old")) { ETag = "1" }));
    }

    private static async Task<bool> Outcome(Task write)
    {
        try
        {
            await write;
            return true;
        }
        catch (InconsistentStateException)
        {
            return false;
        }
    }
}
