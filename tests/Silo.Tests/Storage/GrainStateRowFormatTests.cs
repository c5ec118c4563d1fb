using Orleans.Storage;

namespace FleetPods.Silo.Tests.Storage;

/// <summary>
/// fleetpodsd's batched grain storage and Orleans' ADO.NET provider read each other's rows on both engines, for every
/// form of grain key, so a database written before the batched storage is read unchanged after an upgrade.
/// </summary>
public sealed class GrainStateRowFormatTests
{
    public static IEnumerable<object[]> Engines => StateStorages.Engines;

    // A pod's id (a string), a node whose name reads as hexadecimal (which Orleans keys as an integer), an integer key
    // (the trust grain's), a Guid key, and keys with extensions.
    private static readonly GrainId[] Keys =
    [
        GrainId.Create("pod", Guid.NewGuid().ToString()),
        GrainId.Create("node", "cafe"),
        GrainId.Create(GrainType.Create("trust"), GrainIdKeyExtensions.CreateIntegerKey(0)),
        GrainId.Create(GrainType.Create("image"), GrainIdKeyExtensions.CreateGuidKey(Guid.NewGuid())),
        GrainId.Create(GrainType.Create("unit"), GrainIdKeyExtensions.CreateIntegerKey(7, "x")),
        GrainId.Create(GrainType.Create("unit"), GrainIdKeyExtensions.CreateGuidKey(Guid.NewGuid(), "y")),
    ];

    [RequiresTheory(Requires.Postgres)]
    [MemberData(nameof(Engines))]
    public async Task State_written_by_orleans_provider_is_read_updated_and_cleared_by_the_batched_one(string engine)
    {
        await using var storages = await StateStorages.Open(engine);
        foreach (var key in Keys)
        {
            var written = new GrainState<Note>(new Note($"by orleans {key}"));
            await storages.Orleans.WriteStateAsync("state", key, written);

            var read = new GrainState<Note>();
            await storages.Batched.ReadStateAsync("state", key, read);
            Assert.Equal((written.State!.Text, written.ETag, true), (read.State!.Text, read.ETag, read.RecordExists));

            read.State = new Note($"by fleetpods {key}");
            await storages.Batched.WriteStateAsync("state", key, read);
            var reread = new GrainState<Note>();
            await storages.Orleans.ReadStateAsync("state", key, reread);
            Assert.Equal((read.State!.Text, read.ETag), (reread.State!.Text, reread.ETag));

            // Orleans' provider, holding the version before, is refused: one row, one version, whoever writes.
            await Assert.ThrowsAsync<InconsistentStateException>(() => storages.Orleans.WriteStateAsync("state", key, written));

            await storages.Batched.ClearStateAsync("state", key, read);
            var cleared = new GrainState<Note>();
            await storages.Orleans.ReadStateAsync("state", key, cleared);
            Assert.Equal(("", read.ETag), (cleared.State!.Text, cleared.ETag));
        }
    }

    [RequiresTheory(Requires.Postgres)]
    [MemberData(nameof(Engines))]
    public async Task State_written_by_the_batched_provider_is_read_by_orleans_provider(string engine)
    {
        await using var storages = await StateStorages.Open(engine);
        foreach (var key in Keys)
        {
            var written = new GrainState<Note>(new Note($"by fleetpods {key}") { Tags = ["a", "b"] });
            await storages.Batched.WriteStateAsync("state", key, written);

            var read = new GrainState<Note>();
            await storages.Orleans.ReadStateAsync("state", key, read);
            Assert.Equal((written.State!.Text, written.ETag, true), (read.State!.Text, read.ETag, read.RecordExists));
            Assert.Equal(["a", "b"], read.State!.Tags);
        }
    }
}
