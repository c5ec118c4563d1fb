namespace FleetPods.Grains.Registry;

[GenerateSerializer]
public sealed class DownNodesState
{
    /// <summary>When each node went down, by name.</summary>
    [Id(0)]
    public Dictionary<string, DateTimeOffset> Since { get; set; } = new(StringComparer.Ordinal);
}
