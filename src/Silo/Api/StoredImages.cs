using FleetPods.Grains;

namespace FleetPods.Silo.Api;

/// <summary>Finds an image in a node's list as its store does: by digest, else the newest of that name, else name:version.</summary>
public static class StoredImages
{
    public static StoredImage? Find(IReadOnlyList<StoredImage> images, string reference)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(reference);
        var colon = reference.LastIndexOf(':');
        return images.FirstOrDefault(i => i.Digest == reference)
            ?? images.Where(i => i.Name == reference).MaxBy(i => i.ImportedAt)
            ?? (colon > 0
                ? images.Where(i => i.Name == reference[..colon] && i.Labels.GetValueOrDefault("version") == reference[(colon + 1)..]).MaxBy(i => i.ImportedAt)
                : null);
    }
}
