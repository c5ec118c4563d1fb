namespace FleetPods.Grains.Registry;

[GenerateSerializer]
public sealed class RegistryState
{
    [Id(0)]
    public HashSet<string> Keys { get; set; } = new(StringComparer.Ordinal);
}
