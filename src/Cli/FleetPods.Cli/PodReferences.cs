using FleetPods.Grains;

namespace FleetPods.Cli;

/// <summary>Pod ids as rkt users typed them: the whole UUID or any prefix that names exactly one pod.</summary>
public static class PodReferences
{
    public static async Task<string?> Resolve(IClusterClient cluster, string reference)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(reference);
        var ids = await cluster.GetGrain<IRegistryGrain>(RegistryKind.Pods).List();
        var matches = ids.Where(id => id.StartsWith(reference, StringComparison.OrdinalIgnoreCase)).ToList();
        return matches.Count switch
        {
            0 => null,
            1 => matches[0],
            _ => throw new CliException($"'{reference}' names {matches.Count} pods; give more of the id"),
        };
    }
}
