namespace FleetPods.Grains;

/// <summary>The name of the grain storage provider every FleetPods grain persists through.</summary>
public static class GrainStorage
{
    public const string Name = "fleetpods";
}
