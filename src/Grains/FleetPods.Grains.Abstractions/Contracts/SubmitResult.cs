using FleetPods.Grains.UnitFiles;

namespace FleetPods.Grains;

/// <summary>The outcome of submitting a unit file: stored, or every error found (then nothing was stored).</summary>
[GenerateSerializer, Immutable]
public sealed record SubmitResult(
    [property: Id(0)] string UnitName,
    [property: Id(1)] IReadOnlyList<UnitFileError> Errors)
{
    public bool Succeeded => Errors.Count == 0;
}
