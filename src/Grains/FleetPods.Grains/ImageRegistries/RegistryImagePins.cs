using FleetPods.Grains.UnitFiles;

namespace FleetPods.Grains.ImageRegistries;

/// <summary>
/// A unit's <c>docker://</c> images named by tag are pinned to a digest once, when the unit's file is submitted, and
/// every pod of the unit runs the pinned image: every node pulls the same bytes however the tag moves later (a new
/// submit of a changed file pins again). Images given by digest, and all other images, are left as they are.
/// </summary>
internal static class RegistryImagePins
{
    /// <summary>Each tag-named registry image of the unit and its pinned reference, or the error that refuses the file.</summary>
    public static async Task<(Dictionary<string, string> Pins, UnitFileError? Error)> Resolve(IGrainFactory grains, string fileName, UnitFile unit)
    {
        var pins = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var image in unit.Pod.Apps.Select(a => a.Image).Prepend(unit.Pod.Image).Distinct(StringComparer.Ordinal))
        {
            if (RegistryHost.Of(image) is null || RegistryHost.IsPinned(image))
            {
                continue;
            }

            try
            {
                pins[image] = await grains.GetGrain<IRegistryPinGrain>(0).Pin(image);
            }
            catch (FleetPodsException ex)
            {
                return (pins, new UnitFileError(fileName, unit.Pod.SectionLine, "Image", $"cannot pin {image} to a digest: {ex.Message}"));
            }
        }

        return (pins, null);
    }

    /// <summary>
    /// The unit with each pinned image in place of its tag: what its pods are made from, so that the pod grain, which
    /// expands the unit again once its node is known, keeps the pinned image.
    /// </summary>
    public static UnitFile Apply(UnitFile unit, IReadOnlyDictionary<string, string> pins) => pins.Count == 0 ? unit : unit with
    {
        Pod = unit.Pod with
        {
            Image = pins.GetValueOrDefault(unit.Pod.Image, unit.Pod.Image),
            Apps = [.. unit.Pod.Apps.Select(a => a with { Image = pins.GetValueOrDefault(a.Image, a.Image) })],
        },
    };
}
