using System.Collections.Concurrent;
using System.Globalization;
using Orleans.Serialization;
using Orleans.Storage;

namespace FleetPods.Grains.Tests.Fleet;

/// <summary>
/// Grain storage shared by every silo of one test process, kept as serialized bytes with ETags. Orleans'
/// memory storage keeps state in grains of the silos themselves, so a killed silo would take state with it;
/// real deployments keep it in PostgreSQL (proven in the Silo suite), which no silo death touches.
/// </summary>
public sealed class ProcessGrainStorage(ConcurrentDictionary<string, (byte[] Data, int Version)> store, Serializer serializer, StorageFaults faults) : IGrainStorage
{
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        // A state never stored reads as a new one, as the daemon's storage reads it: a grain that reloads after its
        // first write failed must not keep what it failed to write.
        var found = store.TryGetValue(Key(stateName, grainId), out var stored);
        grainState.State = found ? serializer.Deserialize<T>(stored.Data) : Activator.CreateInstance<T>();
        grainState.ETag = found ? stored.Version.ToString(CultureInfo.InvariantCulture) : null;
        grainState.RecordExists = found;
        return Task.CompletedTask;
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var key = Key(stateName, grainId);

        // As Orleans' ADO.NET storage does (it opens a connection first), the state is serialized after an await, off
        // the grain's turn: a grain whose calls interleave must not change what it handed over.
        await Task.Delay(1).ConfigureAwait(false);
        faults.Check(key);
        var data = serializer.SerializeToArray(grainState.State);
        while (true)
        {
            if (store.TryGetValue(key, out var stored))
            {
                CheckETag(grainState.ETag, stored.Version);
                if (store.TryUpdate(key, (data, stored.Version + 1), stored))
                {
                    grainState.ETag = (stored.Version + 1).ToString(CultureInfo.InvariantCulture);
                    break;
                }
            }
            else if (store.TryAdd(key, (data, 1)))
            {
                grainState.ETag = "1";
                break;
            }
        }

        grainState.RecordExists = true;
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        faults.Check(Key(stateName, grainId));
        store.TryRemove(Key(stateName, grainId), out _);
        grainState.ETag = null;
        grainState.RecordExists = false;
        return Task.CompletedTask;
    }

    private static string Key(string stateName, GrainId grainId) => $"{stateName}/{grainId}";

    private static void CheckETag(string? etag, int version)
    {
        if (etag != version.ToString(CultureInfo.InvariantCulture))
        {
            throw new InconsistentStateException($"stale etag {etag}, stored {version}");
        }
    }
}
