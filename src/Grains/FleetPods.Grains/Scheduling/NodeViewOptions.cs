namespace FleetPods.Grains.Scheduling;

/// <summary>How stale a view of the nodes a placement may use (Orleans options: <c>Configure&lt;NodeViewOptions&gt;</c>).</summary>
public sealed class NodeViewOptions
{
    /// <summary>
    /// The oldest copy of the node view a silo's scheduler places from. Its own reservations are in its copy at once;
    /// another silo's are seen within about this, so for that long two silos may rank a node alike (the node still
    /// refuses what does not fit). Zero asks the view before every placement, which costs a call per pod.
    /// </summary>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromMilliseconds(250);
}
