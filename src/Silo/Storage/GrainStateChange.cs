namespace FleetPods.Silo.Storage;

/// <summary>
/// One write or clear of a grain's row: stored only if the row is still at <paramref name="ExpectedVersion"/> (absent
/// when null), which is how a second activation of the same grain is caught. A clear stores a null payload.
/// </summary>
internal sealed record GrainStateChange(GrainStateKey Key, int? ExpectedVersion, byte[]? Payload);
