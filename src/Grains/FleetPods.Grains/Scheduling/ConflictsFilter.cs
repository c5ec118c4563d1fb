using FleetPods.Grains.UnitFiles;

namespace FleetPods.Grains.Scheduling;

/// <summary>
/// <c>Conflicts=</c>, binding both ways as in fleet: a node is out when one of its pods belongs to a unit the
/// new pod's globs match, or when one of its pods' own globs match the new pod's unit.
/// </summary>
public sealed class ConflictsFilter : INodeFilter
{
    public string? Reject(NodeInfo node, PlacementRequest request)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(request);

        // Most units have no globs, and most nodes no pod that has: then nothing on the node is read.
        if (request.Fleet.Conflicts.Count == 0 && (request.UnitName is null || !node.PlacedIndex.AnyConflicts))
        {
            return null;
        }

        return FindConflict(node.Pods, request) is { } conflict ? $"runs conflicting {conflict}" : null;
    }

    /// <summary>The unit on the node that the request conflicts with (either way), or null. The node grain asks too.</summary>
    public static string? FindConflict(IReadOnlyList<PlacedPod> pods, PlacementRequest request)
    {
        ArgumentNullException.ThrowIfNull(pods);
        ArgumentNullException.ThrowIfNull(request);
        // Asked for every pod of every node a placement samples, so it allocates nothing (no lambda capturing the pod's
        // unit, no enumerator), and a pod with no globs either way is passed before its id is compared: most units have none.
        var mine = request.Fleet.Conflicts;
        var self = request.UnitName;
        for (var i = 0; i < pods.Count; i++)
        {
            var pod = pods[i];
            if ((mine.Count == 0 && (self is null || pod.Conflicts.Count == 0)) || pod.UnitName is not { } other || pod.PodId == request.PodId)
            {
                continue;
            }

            if (AnyMatches(mine, other) || (self is not null && AnyMatches(pod.Conflicts, self)))
            {
                return other;
            }
        }

        return null;
    }

    private static bool AnyMatches(IReadOnlyList<string> globs, string unit)
    {
        for (var i = 0; i < globs.Count; i++)
        {
            if (UnitGlob.Matches(globs[i], unit))
            {
                return true;
            }
        }

        return false;
    }
}
