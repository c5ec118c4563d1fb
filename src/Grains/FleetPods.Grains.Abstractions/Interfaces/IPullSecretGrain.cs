namespace FleetPods.Grains;

/// <summary>
/// The cluster's registry pull secrets, one per registry host (Kubernetes' imagePullSecrets); one grain, key
/// <see cref="Cluster"/>. Only an admin sets, lists and removes them, and no call of this interface returns a
/// password: the nodes read them inside the cluster to pull the <c>docker://</c> images of units.
/// </summary>
public interface IPullSecretGrain : IGrainWithIntegerKey
{
    /// <summary>The key of the cluster's one pull secret grain.</summary>
    const long Cluster = 0;

    /// <summary>Sets the credentials (and CA, or plain HTTP) for a registry host; replaces what it had.</summary>
    Task<RegistryPullSecretInfo> Set(string host, string username, string password, string? caCertificates, bool insecure);

    /// <summary>Every registry with a pull secret, without the passwords.</summary>
    Task<IReadOnlyList<RegistryPullSecretInfo>> List();

    /// <summary>Removes a registry's pull secret; an error when it had none.</summary>
    Task<RegistryPullSecretInfo> Remove(string host);
}
