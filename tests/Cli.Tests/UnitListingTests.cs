using System.Text.Json;
using System.Text.Json.Nodes;
using FleetPods.Cli.Native.Output;

namespace FleetPods.Cli.Tests;

/// <summary><c>list-units</c>' rows: running over desired pods, their phases and every node, from the API's <c>UnitStatus</c>.</summary>
public sealed class UnitListingTests
{
    private static JsonElement Unit(int desired, params (string Phase, string? Node)[] pods) => JsonDocument.Parse(new JsonObject
    {
        ["name"] = "web.pod",
        ["description"] = "the web",
        ["isTemplate"] = false,
        ["desiredState"] = "launched",
        ["pod"] = null,
        ["pods"] = new JsonArray([.. pods.Select((p, i) => new JsonObject { ["id"] = $"pod-{i}", ["unitName"] = "web.pod", ["phase"] = p.Phase, ["nodeName"] = p.Node })]),
        ["desiredPods"] = desired,
    }.ToJsonString()).RootElement;

    [Fact]
    public void A_unit_of_many_pods_shows_running_over_desired_each_phase_counted_and_its_nodes_sorted_then_counted()
    {
        var unit = Unit(5, ("running", "n3"), ("running", "n1"), ("running", "n4"), ("pending", null), ("preparing", "n2"), ("failed", "n5"), ("running", "n1"));

        Assert.Equal(["web.pod", "launched", "4/5", "1 pending, 1 preparing, 4 running, 1 failed", "n1,n2,n3 +2", "the web"], UnitListing.Row(unit));
    }

    [Fact]
    public void Pods_that_share_a_phase_show_it_once_and_the_table_has_the_new_columns()
    {
        var text = ColumnWriter.Render(UnitListing.Headers, [UnitListing.Row(Unit(3, ("running", "b"), ("running", "a"), ("running", "c")))]);

        Assert.Equal(
            "UNIT     DESIRED   PODS  PHASE    NODES  DESCRIPTION\n"
            + "web.pod  launched  3/3   running  a,b,c  the web\n",
            text);
    }

    [Fact]
    public void A_unit_without_pods_shows_dashes()
    {
        Assert.Equal(["web.pod", "launched", "0/2", "-", "-", "the web"], UnitListing.Row(Unit(2)));
    }
}
