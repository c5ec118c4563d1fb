namespace FleetPods.Grains.ImageRegistries;

/// <summary>
/// The side of the pull secret grain that hands out a password. It is an interface of the silo's own assembly, not
/// of the client API: only grains of the cluster (the nodes' image stores, the unit that pins a tag) can call it;
/// the HTTP API has no way to it and the .NET client API does not hold it.
/// </summary>
internal interface IPullSecretSource : IGrainWithIntegerKey
{
    Task<RegistryPullSecret?> Find(string host);
}
