namespace FleetPods.Grains.ImageRegistries;

/// <summary>Pins a <c>docker://</c> image to the digest its tag names now, on the silo that asks (a stateless worker).</summary>
internal interface IRegistryPinGrain : IGrainWithIntegerKey
{
    /// <summary><c>docker://HOST/REPO:TAG@sha256:…</c>, asked of the registry with the cluster's pull secret for its host.</summary>
    Task<string> Pin(string reference);
}
