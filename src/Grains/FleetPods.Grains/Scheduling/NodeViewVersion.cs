namespace FleetPods.Grains.Scheduling;

/// <summary>Which changes of the <see cref="INodeViewGrain"/> a copy holds: its activation and the last change seen.</summary>
[GenerateSerializer, Immutable]
internal readonly record struct NodeViewVersion([property: Id(0)] Guid Epoch, [property: Id(1)] long Version)
{
    /// <summary>A copy that holds nothing yet.</summary>
    public static NodeViewVersion None => default;
}
