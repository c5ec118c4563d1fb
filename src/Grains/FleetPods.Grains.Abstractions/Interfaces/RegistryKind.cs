namespace FleetPods.Grains;

/// <summary>The keys of the registries that back cluster-wide listings.</summary>
public static class RegistryKind
{
    public const string Units = "units";
    public const string Pods = "pods";
    public const string Nodes = "nodes";
    public const string Images = "images";
}
