namespace FleetPods.NodeRuntime;

/// <summary>An image in this node's store.</summary>
public sealed record ImageRecord(
    string Digest,
    string Name,
    IReadOnlyDictionary<string, string> Labels,
    long SizeBytes,
    ImageApp? App,
    DateTimeOffset ImportedAt);
