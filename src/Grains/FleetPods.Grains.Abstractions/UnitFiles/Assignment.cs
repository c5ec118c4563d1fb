namespace FleetPods.Grains.UnitFiles;

/// <summary><c>Key=Value</c>, both trimmed.</summary>
internal sealed record Assignment(int Line, string Key, string Value) : UnitFileStatement(Line)
{
    /// <summary>systemd's empty assignment (<c>Key=</c>): resets the key to its default, or empties a list.</summary>
    public bool IsReset => Value.Length == 0;
}
