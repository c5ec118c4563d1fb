namespace FleetPods.Grains.ImageRegistries;

[GenerateSerializer]
public sealed class PullSecretState
{
    [Id(0)]
    public RegistryPullSecret[] Secrets { get; set; } = [];
}
