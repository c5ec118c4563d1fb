namespace FleetPods.Grains.Tests.Fleet;

/// <summary>Writes a test makes <see cref="ProcessGrainStorage"/> refuse, as a database that refuses a statement would.</summary>
public sealed class StorageFaults
{
    private volatile Func<string, bool>? refused;

    /// <summary>Refuses every write and clear of a state whose key (<c>stateName/grainId</c>) matches, until <see cref="Heal"/>.</summary>
    public void RefuseWrites(Func<string, bool> key) => refused = key;

    public void Heal() => refused = null;

    internal void Check(string key)
    {
        if (refused is { } refuses && refuses(key))
        {
            throw new InvalidOperationException($"the test's storage refused to write {key}");
        }
    }
}
