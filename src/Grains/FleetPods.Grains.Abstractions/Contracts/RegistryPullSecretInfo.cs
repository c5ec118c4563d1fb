namespace FleetPods.Grains;

/// <summary>A registry pull secret as it is shown: never its password.</summary>
[GenerateSerializer, Immutable]
public sealed record RegistryPullSecretInfo(
    [property: Id(0)] string Host,
    [property: Id(1)] string Username,
    [property: Id(2)] bool HasCaCertificates,
    [property: Id(3)] bool Insecure,
    [property: Id(4)] string AddedBy,
    [property: Id(5)] DateTimeOffset AddedAt);
