namespace FleetPods.NodeRuntime;

/// <summary>How far a download has come; <see cref="Attempt"/> counts tries, each resuming where the last stopped if the server allows.</summary>
public sealed record ImageDownloadProgress(long ReceivedBytes, long? TotalBytes, int Attempt)
{
    /// <summary>A registry pull's layers one by one (those the store lacks), in manifest order; empty for a single download.</summary>
    public IReadOnlyList<LayerDownloadProgress> Layers { get; init; } = [];
}
