using System.Runtime.CompilerServices;
using FleetPods.Grains.UnitFiles;

namespace FleetPods.Grains.Pods;

/// <summary>
/// A unit file's expansions, kept with the file itself: the pods a unit grain makes on its silo are handed the one
/// immutable instance, so its <c>[X-Fleet]</c> rules, and its whole expansion when no value holds <c>%m</c>, are made
/// once per unit rather than once per pod (they were about 6% of what a server allocated while placing). A copy
/// that crossed from another silo is an instance of its own, expanded as before.
/// </summary>
internal static class UnitFileExpansions
{
    private static readonly ConditionalWeakTable<UnitFile, Expansions> Memo = new();

    /// <summary><see cref="UnitSpecifiers.ExpandFleet"/> of the unit.</summary>
    public static FleetSection Fleet(UnitFile unit) => Of(unit).Fleet;

    /// <summary><see cref="UnitSpecifiers.Expand(UnitFile, SpecifierContext)"/> of the unit for a pod on <paramref name="node"/>.</summary>
    public static UnitFile OnNode(UnitFile unit, string node)
    {
        var expansions = Of(unit);
        if (expansions.AnyNode is { } same)
        {
            return same;
        }

        if (expansions.NodeNameChecked)
        {
            return UnitSpecifiers.Expand(unit, new SpecifierContext(unit.Name, node));
        }

        var expanded = UnitSpecifiers.ExpandForNode(unit, new SpecifierContext(unit.Name, node), out var usedNodeName);
        if (!usedNodeName)
        {
            expansions.AnyNode = expanded;
        }

        expansions.NodeNameChecked = true;
        return expanded;
    }

    private static Expansions Of(UnitFile unit) => Memo.GetValue(unit, static u => new Expansions(UnitSpecifiers.ExpandFleet(u)));

    // Set by whichever placement expands the unit first; one that races it expands the unit itself, to the same value.
    private sealed class Expansions(FleetSection fleet)
    {
        public FleetSection Fleet { get; } = fleet;

        public UnitFile? AnyNode { get; set; }

        public bool NodeNameChecked { get; set; }
    }
}
