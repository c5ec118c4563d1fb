namespace FleetPods.Grains;

/// <summary>A submitted unit: what was asked of it and what its pod does.</summary>
/// <param name="Pod">Its first current pod, if it has one (a unit with <c>Count=</c> above 1 or <c>Global=true</c> has several: see <see cref="Pods"/>).</param>
[GenerateSerializer, Immutable]
public sealed record UnitStatus(
    [property: Id(0)] string Name,
    [property: Id(1)] string? Description,
    [property: Id(2)] bool IsTemplate,
    [property: Id(3)] UnitDesiredState DesiredState,
    [property: Id(4)] PodStatus? Pod,
    [property: Id(5)] DateTimeOffset SubmittedAt)
{
    /// <summary>Every current pod of the unit.</summary>
    [Id(6)]
    public IReadOnlyList<PodStatus> Pods { get; init; } = [];

    /// <summary>
    /// How many pods the unit asks for: <c>Count=</c>, or one per matching node for <c>Global=true</c>; 0 for an
    /// inactive unit or a template. <see cref="Pods"/> may hold fewer (being replaced) or more (rolling out).
    /// </summary>
    [Id(7)]
    public int DesiredPods { get; init; }
}
