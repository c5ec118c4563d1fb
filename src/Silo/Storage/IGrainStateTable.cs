namespace FleetPods.Silo.Storage;

/// <summary>The OrleansStorage table of one database engine, reached a batch at a time.</summary>
internal interface IGrainStateTable
{
    /// <summary>
    /// Applies every change in one transaction. Each answer is the row's new version, or null where the row was not at
    /// the version the change expected (nothing of that change is stored; the others are).
    /// </summary>
    /// <param name="changes">At most one change per key.</param>
    Task<int?[]> Apply(IReadOnlyList<GrainStateChange> changes);

    /// <summary>Each key's row, or null where there is none.</summary>
    Task<StoredGrainState?[]> Read(IReadOnlyList<GrainStateKey> keys);
}
