namespace FleetPods.Grains;

/// <summary>
/// What the nodes present to one registry when they pull a unit's <c>docker://</c> image (Kubernetes'
/// imagePullSecrets): a user name and password, and how to reach it. Its ToString hides the password.
/// </summary>
/// <param name="Host">The registry's host and port, as in the image reference (<c>registry.example.com:5000</c>).</param>
/// <param name="CaCertificates">PEM certificates the registry's must chain to, instead of the system's; null for the system's.</param>
/// <param name="Insecure">Whether the registry is reached over plain HTTP.</param>
[GenerateSerializer, Immutable]
public sealed record RegistryPullSecret(
    [property: Id(0)] string Host,
    [property: Id(1)] string Username,
    [property: Id(2)] string Password,
    [property: Id(3)] string? CaCertificates,
    [property: Id(4)] bool Insecure,
    [property: Id(5)] string AddedBy,
    [property: Id(6)] DateTimeOffset AddedAt)
{
    public override string ToString() => $"{Host}: {Username}:********";

    /// <summary>This secret as it may be shown: everything but the password.</summary>
    public RegistryPullSecretInfo Describe() => new(Host, Username, CaCertificates is not null, Insecure, AddedBy, AddedAt);
}
