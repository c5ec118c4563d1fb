using FleetPods.Grains.UnitFiles;

namespace FleetPods.Grains.Units;

/// <summary>
/// A unit without Exec= runs its image's own exec, so submit refuses it unless the cluster knows
/// an image by that reference that defines one.
/// </summary>
public static class ImageExecCheck
{
    public static async Task<UnitFileError?> Check(IGrainFactory grains, string fileName, UnitFile unit)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(unit);
        if (unit.Pod.Exec is not null)
        {
            return null;
        }

        var digests = await new KeyRegistry(grains, RegistryKind.Images).List();
        var images = await Task.WhenAll(digests.Select(d => grains.GetGrain<IImageGrain>(d).GetInfo()));
        var image = images.FirstOrDefault(i => i is not null && i.IsNamedBy(unit.Pod.Image));
        var problem = image switch
        {
            null => $"no Exec= given and image '{unit.Pod.Image}' is not in the cluster to supply one (import it first, or set Exec=)",
            { Exec: null or [] } => $"no Exec= given and image '{unit.Pod.Image}' defines no exec of its own",
            _ => null,
        };
        return problem is null ? null : new UnitFileError(fileName, unit.Pod.SectionLine, "Exec", problem);
    }
}
