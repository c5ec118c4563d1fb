namespace FleetPods.Grains.UnitFiles;

/// <summary>
/// An <c>[App NAME]</c> section: one more app of the pod, as rkt's pods held several. It runs its own image
/// with its own Exec, Environment, User, Group and WorkingDirectory, shares the pod's namespaces, and sees
/// the pod's volumes where its own <c>Mount=</c> lines put them.
/// </summary>
/// <param name="SectionLine">Line of the section's header, for errors about the section as a whole.</param>
/// <param name="Name">The app's name (an AC name), unique in the pod; <c>app</c> is the <c>[Pod]</c> section's own app.</param>
[GenerateSerializer, Immutable]
public sealed record AppSection(
    [property: Id(0)] int SectionLine,
    [property: Id(1)] string Name,
    [property: Id(2)] string Image,
    [property: Id(3)] IReadOnlyList<string>? Exec,
    [property: Id(4)] IReadOnlyList<EnvironmentVariable> Environment,
    [property: Id(5)] string? WorkingDirectory,
    [property: Id(6)] string? User,
    [property: Id(7)] string? Group,
    [property: Id(8)] IReadOnlyList<MountSpec> Mounts)
{
    /// <summary>The app's further groups (<c>SupplementaryGroups=</c>, numeric ids as appc's supplementaryGIDs), beside those its user has.</summary>
    [Id(9)]
    public IReadOnlyList<uint> SupplementaryGroups { get; init; } = [];
}
