namespace FleetPods.Grains.UnitFiles;

/// <summary>A parsed unit, or every error found in its file (then <see cref="Unit"/> is null).</summary>
[GenerateSerializer, Immutable]
public sealed record UnitFileParseResult(
    [property: Id(0)] UnitFile? Unit,
    [property: Id(1)] IReadOnlyList<UnitFileError> Errors)
{
    public bool Succeeded => Unit is not null && Errors.Count == 0;
}
