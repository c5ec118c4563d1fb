namespace FleetPods.Grains.UnitFiles;

/// <summary>One logical line of a unit file (continuations joined), at the line where it began.</summary>
internal abstract record UnitFileStatement(int Line);
