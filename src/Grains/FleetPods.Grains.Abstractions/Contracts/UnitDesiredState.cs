namespace FleetPods.Grains;

/// <summary>What the user asked of a unit, as fleet named it: inactive → loaded → launched.</summary>
public enum UnitDesiredState
{
    /// <summary>Submitted and stored; nothing placed.</summary>
    Inactive,

    /// <summary>Its pod is placed and holds a reservation on a node, but does not run.</summary>
    Loaded,

    /// <summary>Its pod runs (or ran and ended).</summary>
    Launched,
}
