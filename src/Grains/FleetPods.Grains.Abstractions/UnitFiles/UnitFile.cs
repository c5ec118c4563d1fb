namespace FleetPods.Grains.UnitFiles;

/// <summary>
/// A parsed <c>.pod</c> unit file. String values are stored with their specifiers (<c>%n</c>, <c>%i</c>, …)
/// unexpanded, so one parsed unit can be expanded per node with <see cref="UnitSpecifiers.Expand"/>.
/// </summary>
/// <param name="Name">The unit's full name, e.g. <c>web.pod</c>, <c>web@1.pod</c> or the template <c>web@.pod</c>.</param>
/// <param name="Description">The <c>[Unit]</c> section's <c>Description=</c>, or null.</param>
[GenerateSerializer, Immutable]
public sealed record UnitFile(
    [property: Id(0)] string Name,
    [property: Id(1)] string? Description,
    [property: Id(2)] PodSection Pod,
    [property: Id(3)] FleetSection Fleet);
