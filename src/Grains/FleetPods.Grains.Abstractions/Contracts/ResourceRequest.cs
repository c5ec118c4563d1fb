namespace FleetPods.Grains;

/// <summary>Memory and CPU that a pod reserves on its node.</summary>
[GenerateSerializer, Immutable]
public sealed record ResourceRequest([property: Id(0)] long MemoryBytes, [property: Id(1)] int CpuMillis);
