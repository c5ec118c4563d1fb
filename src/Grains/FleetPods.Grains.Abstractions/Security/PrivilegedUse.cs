namespace FleetPods.Grains.Security;

/// <summary>One setting that makes a pod privileged.</summary>
/// <param name="Key">The unit-file key that gives it (<c>Volume</c>, <c>Stage1</c>, <c>Network</c>, <c>Port</c>, <c>PrivateUsers</c>).</param>
/// <param name="Name">The volume's or port's name for <c>Volume</c> and <c>Port</c>, else null.</param>
/// <param name="Description">The setting as a user wrote it, for refusals: <c>Volume=data kind=host</c>.</param>
[GenerateSerializer, Immutable]
public sealed record PrivilegedUse(
    [property: Id(0)] PrivilegedSetting Setting,
    [property: Id(1)] string Key,
    [property: Id(2)] string? Name,
    [property: Id(3)] string Description);
