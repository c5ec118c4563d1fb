using System.Globalization;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace FleetPods.Silo.Storage;

/// <summary>
/// Every FleetPods grain's state, in the OrleansStorage table that Orleans' ADO.NET provider used, with the same rows
/// and the same ETag rules (a row's version), but written a batch at a time: the writes and clears of all the silo's
/// grains that arrive while one transaction is in flight go together in the next (<see cref="GroupedCalls{TRequest,TResult}"/>),
/// and so do reads. Orleans' provider makes one statement and one commit per write, which at thousands of pods a
/// second was most of the database's work and a fifth of the server's. A conflict (a second activation, a stale ETag)
/// fails only its own grain's write, with the <see cref="InconsistentStateException"/> Orleans' provider throws; a
/// failed transaction fails every write it carried, with the database's own exception, which
/// <c>StateWriteRule</c> retries when it passes.
/// </summary>
internal sealed class BatchedGrainStorage : IGrainStorage
{
    // Large enough that a burst of placements shares a few commits, small enough that one batch stays a few milliseconds.
    private const int MaxBatch = 256;

    private readonly Serializer serializer;
    private readonly IActivatorProvider activators;
    private readonly string serviceId;
    private readonly string name;
    private readonly GroupedCalls<GrainStateChange, int?> changes;
    private readonly GroupedCalls<GrainStateKey, StoredGrainState?> reads;

    public BatchedGrainStorage(IGrainStateTable table, Serializer serializer, IActivatorProvider activators, string serviceId, string name)
    {
        this.serializer = serializer;
        this.activators = activators;
        this.serviceId = serviceId;
        this.name = name;
        changes = new GroupedCalls<GrainStateChange, int?>(table.Apply, MaxBatch, change => change.Key);
        reads = new GroupedCalls<GrainStateKey, StoredGrainState?>(table.Read, MaxBatch);
    }

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var stored = await reads.Call(GrainStateKey.For(stateName, grainId));
        grainState.State = stored?.Payload is { } payload ? serializer.Deserialize<T>(payload) ?? New<T>() : New<T>();
        grainState.ETag = stored?.Version.ToString(CultureInfo.InvariantCulture);
        grainState.RecordExists = stored is not null;
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        // Serialized now, on the grain's turn: the grain may change its state again before the batch goes. Into a pooled
        // buffer and then one array of its size, where Orleans' storage serializer grows a buffer by doubling and the
        // table needed a copy of it: about a tenth of what a server allocated while placing.
        var payload = serializer.SerializeToArray(grainState.State);
        var version = await changes.Call(new GrainStateChange(GrainStateKey.For(stateName, grainId), Version(grainState.ETag), payload))
            ?? throw Conflict("WriteState", stateName, grainId, grainState.ETag);
        grainState.ETag = version.ToString(CultureInfo.InvariantCulture);
        grainState.RecordExists = true;
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var key = GrainStateKey.For(stateName, grainId);
        var expected = Version(grainState.ETag);
        if (expected is null)
        {
            // Never written by this activation: nothing to clear, unless another activation wrote it meanwhile.
            if (await reads.Call(key) is not null)
            {
                throw Conflict("ClearState", stateName, grainId, grainState.ETag);
            }
        }
        else
        {
            // The row stays, its payload gone and its version moved on, so an older activation's ETag is refused after it.
            var version = await changes.Call(new GrainStateChange(key, expected, null)) ?? throw Conflict("ClearState", stateName, grainId, grainState.ETag);
            grainState.ETag = version.ToString(CultureInfo.InvariantCulture);
        }

        grainState.RecordExists = false;
        grainState.State = New<T>();
    }

    private static int? Version(string? etag) =>
        string.IsNullOrWhiteSpace(etag) ? null : int.Parse(etag, NumberStyles.None, CultureInfo.InvariantCulture);

    private T New<T>() => activators.GetActivator<T>().Create();

    private InconsistentStateException Conflict(string operation, string stateName, GrainId grainId, string? etag) =>
        new($"Version conflict ({operation}): ServiceId={serviceId} ProviderName={name} GrainType={stateName} GrainId={grainId} ETag={etag}.");
}
