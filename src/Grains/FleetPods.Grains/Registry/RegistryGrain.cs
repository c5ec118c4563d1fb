using FleetPods.Grains.Storage;

namespace FleetPods.Grains.Registry;

public sealed class RegistryGrain(
    [PersistentState("registry", GrainStorage.Name)] IPersistentState<RegistryState> state) : Grain, IRegistryGrain
{
    async Task IRegistryGrain.Add(string key)
    {
        if (state.State.Keys.Add(key))
        {
            await state.Save(this);
        }
    }

    async Task IRegistryGrain.Remove(string key)
    {
        if (state.State.Keys.Remove(key))
        {
            await state.Save(this);
        }
    }

    Task<IReadOnlyList<string>> IRegistryGrain.List() =>
        Task.FromResult<IReadOnlyList<string>>([.. state.State.Keys.Order(StringComparer.Ordinal)]);
}
