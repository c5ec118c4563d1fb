namespace FleetPods.Grains;

/// <summary>Whether a node can answer now, as Orleans membership sees it from the silo that was asked.</summary>
public enum NodeLiveness
{
    /// <summary>Its silo is active in the cluster and it answered.</summary>
    Up,

    /// <summary>Its silo is not active: declared dead, stopping, or gone from membership.</summary>
    Down,

    /// <summary>Its silo is active in membership, but the node did not answer in time (it may have just died).</summary>
    Unreachable,
}
