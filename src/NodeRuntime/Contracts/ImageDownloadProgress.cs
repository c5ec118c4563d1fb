namespace FleetPods.NodeRuntime;

/// <summary>How far a download has come; <see cref="Attempt"/> counts tries, each resuming where the last stopped if the server allows.</summary>
public sealed record ImageDownloadProgress(long ReceivedBytes, long? TotalBytes, int Attempt);
