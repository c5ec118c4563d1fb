namespace FleetPods.Grains.Images;

[GenerateSerializer]
public sealed class ImageState
{
    [Id(0)]
    public ImageInfo? Image { get; set; }
}
