namespace FleetPods.Grains;

/// <summary>An image by digest: what it is and which nodes hold it.</summary>
public interface IImageGrain : IGrainWithStringKey
{
    /// <summary>Records that <paramref name="nodeName"/> holds this image.</summary>
    Task<ImageInfo> RecordHolder(ImageInfo image, string nodeName);

    /// <summary>Records that <paramref name="nodeName"/> no longer holds this image.</summary>
    Task RemoveHolder(string nodeName);

    /// <summary>The image, or null when no node ever recorded it.</summary>
    Task<ImageInfo?> GetInfo();
}
