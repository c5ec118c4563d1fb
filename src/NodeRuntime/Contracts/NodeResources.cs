namespace FleetPods.NodeRuntime;

/// <summary>What this machine offers pods in all.</summary>
public sealed record NodeResources(int CpuMillis, long MemoryBytes);
