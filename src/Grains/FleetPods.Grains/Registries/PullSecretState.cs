namespace FleetPods.Grains.Registries;

[GenerateSerializer]
public sealed class PullSecretState
{
    [Id(0)]
    public RegistryPullSecret[] Secrets { get; set; } = [];
}
