namespace FleetPods.Grains.Trust;

[GenerateSerializer]
public sealed class TrustState
{
    [Id(0)]
    public TrustedKey[] Keys { get; set; } = [];
}
