namespace FleetPods.Grains.Tests.Storage;

/// <summary>A grain's persistent state whose next writes fail with the given exceptions, in order; reads load what was stored.</summary>
internal sealed class FailingState(string stored, params Exception[] failures) : IPersistentState<string>
{
    private readonly Queue<Exception> failures = new(failures);

    public Queue<Exception> ReadFailures { get; } = new();

    public string State { get; set; } = stored;

    public string Stored { get; private set; } = stored;

    public int Writes { get; private set; }

    public int Reads { get; private set; }

    public string? Etag => null;

    public bool RecordExists => true;

    public Task ClearStateAsync() => WriteStateAsync();

    public Task WriteStateAsync()
    {
        Writes++;
        if (failures.TryDequeue(out var failure))
        {
            return Task.FromException(failure);
        }

        Stored = State;
        return Task.CompletedTask;
    }

    public Task ReadStateAsync()
    {
        Reads++;
        if (ReadFailures.TryDequeue(out var failure))
        {
            return Task.FromException(failure);
        }

        State = Stored;
        return Task.CompletedTask;
    }
}
