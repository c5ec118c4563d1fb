using FleetPods.Grains.Storage;

namespace FleetPods.Grains.Images;

public sealed class ImageGrain(
    [PersistentState("image", GrainStorage.Name)] IPersistentState<ImageState> state) : Grain, IImageGrain
{
    async Task<ImageInfo> IImageGrain.RecordHolder(ImageInfo image, string nodeName)
    {
        var known = state.State.Image ?? image with { Nodes = [] };
        if (!known.Nodes.Contains(nodeName))
        {
            state.State.Image = known with { Nodes = [.. known.Nodes, nodeName] };
            await state.Save(this);
        }

        return state.State.Image!;
    }

    async Task IImageGrain.RemoveHolder(string nodeName)
    {
        if (state.State.Image is { } known && known.Nodes.Contains(nodeName))
        {
            state.State.Image = known with { Nodes = [.. known.Nodes.Where(n => n != nodeName)] };
            await state.Save(this);
        }
    }

    Task<ImageInfo?> IImageGrain.GetInfo() => Task.FromResult(state.State.Image);
}
