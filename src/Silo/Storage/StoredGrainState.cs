namespace FleetPods.Silo.Storage;

/// <summary>A grain's row as read: its serialized state (null once cleared) and its version, the grain's ETag.</summary>
internal sealed record StoredGrainState(byte[]? Payload, int Version);
