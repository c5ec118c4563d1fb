namespace FleetPods.Grains.Tests.UnitFiles;

/// <summary>The [X-Fleet] combinations fleet refused, and Count=, refused at submit against the line that completed them.</summary>
public sealed class FleetCombinationTests
{
    // [Pod] takes lines 1-3 and [X-Fleet] line 4, so the first fleet line is 5 and the second 6.
    [Theory]
    [InlineData("Global=true", "MachineID=a", 6, "MachineID", "Global=true cannot be combined with MachineID=")]
    [InlineData("MachineOf=db.pod", "Global=true", 6, "Global", "Global=true cannot be combined with MachineOf=")]
    [InlineData("Global=true", "Replaces=old.pod", 6, "Replaces", "Global=true cannot be combined with Replaces=")]
    [InlineData("MachineID=a", "MachineOf=db.pod", 6, "MachineOf", "MachineID= and MachineOf= cannot both be given")]
    [InlineData("MachineOf=db.pod", "Replaces=old.pod", 6, "Replaces", "MachineOf= and Replaces= cannot both be given")]
    [InlineData("MachineOf=%n", "Conflicts=x.pod", 5, "MachineOf", "MachineOf= names this unit itself")]
    [InlineData("Replaces=web.pod", "Conflicts=x.pod", 5, "Replaces", "Replaces= names this unit itself")]
    [InlineData("Conflicts=db*", "MachineOf=db.pod", 6, "MachineOf", "MachineOf=db.pod can never be met: Conflicts=db* keeps this unit off")]
    public void A_forbidden_combination_is_an_error_at_the_later_key(string first, string second, int line, string key, string message) =>
        UnitText.SingleError(UnitText.Pod("[X-Fleet]", first, second), line, key, message);

    [Fact]
    public void Global_with_several_pods_is_an_error()
    {
        UnitText.SingleError(UnitText.Pod("Count=3", "[X-Fleet]", "Global=true"), 6, "Global", "Global=true cannot be combined with Count= above 1");
    }

    [Theory]
    [InlineData("MachineID=%m")]
    [InlineData("MachineOf=db-%m.pod")]
    [InlineData("MachineMetadata=host=%m")]
    [InlineData("Conflicts=%m-*.pod")]
    [InlineData("Replaces=%m.pod")]
    public void The_node_name_cannot_choose_the_node(string line)
    {
        UnitText.SingleError(UnitText.Pod("[X-Fleet]", line), 5, line[..line.IndexOf('=', StringComparison.Ordinal)], "%m (the node's name) cannot be used in [X-Fleet]");
    }

    [Fact]
    public void Allowed_combinations_parse()
    {
        var global = UnitText.ParseFleet("Global=true", "MachineMetadata=disk=ssd", "Conflicts=other.pod");
        var pinned = UnitText.ParseFleet("MachineID=a", "Replaces=old.pod", "Conflicts=%p@*.pod");

        Assert.True(global.Global);
        Assert.Equal(("a", "old.pod"), (pinned.MachineId, pinned.Replaces));
    }

    [Theory]
    [InlineData("Count=3", 3)]
    [InlineData("Count=1000", 1000)]
    [InlineData("Count=", 1)]
    public void Count_is_how_many_pods_run(string line, int count) => Assert.Equal(count, UnitText.ParsePod(line).Count);

    [Fact]
    public void Count_defaults_to_one() => Assert.Equal(1, UnitText.ParsePod().Count);

    [Theory]
    [InlineData("Count=0")]
    [InlineData("Count=1001")]
    [InlineData("Count=-1")]
    [InlineData("Count=two")]
    [InlineData("Count=+2")]
    public void A_bad_count_is_an_error(string line) => UnitText.PodLineError(line, "Count", "is not a pod count (a whole number from 1 to 1000)");

    [Theory]
    [InlineData("", 1)]
    [InlineData("MaxUnavailable=2", 2)]
    [InlineData("MaxUnavailable=", 1)]
    public void MaxUnavailable_is_how_many_pods_a_rollout_takes_down_at_once(string line, int expected) =>
        Assert.Equal(expected, UnitText.ParsePod(line).MaxUnavailable);

    [Fact]
    public void A_bad_max_unavailable_is_an_error() =>
        UnitText.PodLineError("MaxUnavailable=0", "MaxUnavailable", "is not a pod count");
}
