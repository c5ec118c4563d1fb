namespace FleetPods.NodeRuntime;

/// <summary>How to reach the registry of a <c>docker://</c> (or <c>oci://</c>) image.</summary>
public sealed record RegistryPullOptions
{
    /// <summary>The caller's credentials for that registry; sent to it (or to the token service it names) only.</summary>
    public RegistryCredentials? Credentials { get; init; }

    /// <summary>PEM certificates of the CA(s) the registry's certificate must chain to, instead of the system's.</summary>
    public string? CaCertificatesPem { get; init; }

    /// <summary>Plain HTTP: only on request, for registries without TLS.</summary>
    public bool Insecure { get; init; }

    /// <summary>How long a blob's connection may send nothing before it is given up and the rest asked for again.</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Mirrors by registry host (<c>host[:port]</c>), tried in order before the registry itself; they get no credentials.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<Uri>> Mirrors { get; init; } = new Dictionary<string, IReadOnlyList<Uri>>();
}
