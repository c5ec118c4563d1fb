using FleetPods.Grains.UnitFiles;

namespace FleetPods.Grains.Scheduling;

/// <summary>
/// <c>MachineMetadata=</c>, as fleet read it: every key named must be in the node's metadata, and a key
/// named several times matches any one of its values.
/// </summary>
public sealed class MachineMetadataFilter : INodeFilter
{
    public string? Reject(NodeInfo node, PlacementRequest request)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(request);
        foreach (var key in request.Fleet.MachineMetadata.GroupBy(m => m.Key, StringComparer.Ordinal))
        {
            if (!node.Metadata.TryGetValue(key.Key, out var value) || !key.Any(m => m.Value == value))
            {
                return $"not matching {Describe(key)}";
            }
        }

        return null;
    }

    /// <summary>All of a unit's metadata rules, as a person reads them (e.g. <c>MachineMetadata=disk=ssd</c>).</summary>
    public static string Describe(IEnumerable<MetadataRequirement> requirements) =>
        "MachineMetadata=" + string.Join(" ", requirements.Select(m => $"{m.Key}={m.Value}"));
}
