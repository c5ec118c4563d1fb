namespace FleetPods.NodeRuntime;

/// <summary>A pod's terminal size in characters.</summary>
public sealed record PodTerminalSize(ushort Rows, ushort Columns);
