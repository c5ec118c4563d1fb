using FleetPods.Grains;
using FleetPods.Silo.FrontDoor;

namespace FleetPods.Silo.Api;

/// <summary>Pod ids as rkt users typed them: the whole UUID or any prefix that names exactly one pod.</summary>
public static class PodReferences
{
    /// <exception cref="NotFoundException">No pod's id starts so.</exception>
    /// <exception cref="BadRequestException">Several do; the message names them.</exception>
    public static async Task<string> Resolve(IGrainFactory grains, string reference)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(reference);
        var ids = await new KeyRegistry(grains, RegistryKind.Pods).List();
        var matches = ids.Where(id => id.StartsWith(reference, StringComparison.OrdinalIgnoreCase)).Order(StringComparer.Ordinal).ToList();
        return matches.Count switch
        {
            0 => throw new NotFoundException($"no pod named '{reference}'"),
            1 => matches[0],
            _ => throw new BadRequestException($"'{reference}' names {matches.Count} pods ({string.Join(", ", matches)}); give more of the id"),
        };
    }
}
