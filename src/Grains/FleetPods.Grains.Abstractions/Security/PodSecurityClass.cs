namespace FleetPods.Grains.Security;

/// <summary>A pod's classification under the pod security policy, with every setting that made it privileged.</summary>
[GenerateSerializer, Immutable]
public sealed record PodSecurityClass([property: Id(0)] IReadOnlyList<PrivilegedUse> Uses)
{
    public PodSecurityLevel Level => Uses.Count > 0 ? PodSecurityLevel.Privileged : PodSecurityLevel.Baseline;

    /// <summary>The settings as one list for a refusal: <c>Volume=data kind=host, Network=host</c>.</summary>
    public string Settings => string.Join(", ", Uses.Select(u => u.Description));
}
