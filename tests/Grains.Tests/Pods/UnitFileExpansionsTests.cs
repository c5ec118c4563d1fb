using FleetPods.Grains.Pods;
using FleetPods.Grains.UnitFiles;

namespace FleetPods.Grains.Tests.Pods;

/// <summary>A unit file's expansions are made once per file, yet every pod runs with its own node's values.</summary>
public sealed class UnitFileExpansionsTests
{
    private static UnitFile Unit(string exec, string fleet = "") =>
        UnitFileParser.ParseInstance("web@.pod", $"[Pod]\nImage=busybox\nExec=/bin/echo {exec}\n{fleet}", "web@1.pod").Unit!;

    [Theory]
    [InlineData("%m")]
    [InlineData("%p-%m")]
    [InlineData("%%%m")]
    public void A_unit_that_names_its_node_expands_for_each_node_however_often_it_was_expanded(string exec)
    {
        var unit = Unit(exec);

        foreach (var node in new[] { "node-a", "node-b", "node-a", "node-c" })
        {
            Assert.Equal(UnitSpecifiers.Expand(unit, new SpecifierContext(unit.Name, node)).Pod.Exec, UnitFileExpansions.OnNode(unit, node).Pod.Exec);
        }
    }

    [Theory]
    [InlineData("%p-%i")]
    [InlineData("%%m")]
    [InlineData("plain")]
    public void A_unit_that_does_not_name_its_node_is_expanded_once_for_all(string exec)
    {
        var unit = Unit(exec);

        var first = UnitFileExpansions.OnNode(unit, "node-a");

        Assert.Equal(UnitSpecifiers.Expand(unit, new SpecifierContext(unit.Name, "node-a")).Pod.Exec, first.Pod.Exec);
        Assert.Same(first, UnitFileExpansions.OnNode(unit, "node-b"));
    }

    [Fact]
    public void The_fleet_rules_are_those_expand_fleet_makes()
    {
        var unit = Unit("x", "[X-Fleet]\nConflicts=%p@*.pod\nMachineMetadata=role=%i\n");

        var fleet = UnitFileExpansions.Fleet(unit);

        Assert.Equal(UnitSpecifiers.ExpandFleet(unit).Conflicts, fleet.Conflicts);
        Assert.Equal("1", Assert.Single(fleet.MachineMetadata).Value);
        Assert.Same(fleet, UnitFileExpansions.Fleet(unit));
    }
}
