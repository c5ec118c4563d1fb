namespace FleetPods.Grains.UnitFiles;

/// <summary><c>[Name]</c>.</summary>
internal sealed record SectionHeader(int Line, string Name) : UnitFileStatement(Line);
