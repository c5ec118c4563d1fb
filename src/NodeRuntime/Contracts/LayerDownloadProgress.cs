namespace FleetPods.NodeRuntime;

/// <summary>How far one layer of a registry pull has come.</summary>
/// <param name="Digest">The layer's digest (<c>sha256:…</c>).</param>
public sealed record LayerDownloadProgress(string Digest, long ReceivedBytes, long? TotalBytes, int Attempt);
