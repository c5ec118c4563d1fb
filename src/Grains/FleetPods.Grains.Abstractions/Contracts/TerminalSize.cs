namespace FleetPods.Grains;

/// <summary>A terminal's size in characters, as <c>TIOCGWINSZ</c> reports it.</summary>
[GenerateSerializer, Immutable]
public sealed record TerminalSize([property: Id(0)] ushort Rows, [property: Id(1)] ushort Columns)
{
    /// <summary>What a terminal is taken to be when its caller does not say: the VT100's 24 by 80.</summary>
    public static TerminalSize Default { get; } = new(24, 80);
}
