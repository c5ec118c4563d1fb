using FleetPods.Grains.Images;
using Orleans.Concurrency;

namespace FleetPods.Grains.ImageRegistries;

[StatelessWorker]
internal sealed class RegistryPinGrain(ILocalImageStore store) : Grain, IRegistryPinGrain
{
    async Task<string> IRegistryPinGrain.Pin(string reference)
    {
        var host = RegistryHost.Of(reference) ?? throw new FleetPodsException($"'{reference}' is not a docker:// or oci:// reference");
        var secret = await GrainFactory.GetGrain<IPullSecretSource>(IPullSecretGrain.Cluster).Find(host);
        return await store.Pin(reference, secret);
    }
}
