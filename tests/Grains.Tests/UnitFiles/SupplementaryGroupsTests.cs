namespace FleetPods.Grains.Tests.UnitFiles;

/// <summary><c>SupplementaryGroups=</c>: group ids an app runs with beside its user's own, as appc's supplementaryGIDs.</summary>
public sealed class SupplementaryGroupsTests
{
    [Fact]
    public void The_pods_app_and_each_app_section_take_their_own()
    {
        var unit = UnitText.Parse(UnitText.Pod("SupplementaryGroups=10 4000000000") + "[App side]\nImage=example.com/busybox:1.0\nSupplementaryGroups=7\n");

        Assert.Equal([10u, 4000000000u], unit.Pod.SupplementaryGroups);
        Assert.Equal([7u], Assert.Single(unit.Pod.Apps).SupplementaryGroups);
    }

    [Fact]
    public void An_empty_assignment_resets_the_list()
    {
        Assert.Empty(UnitText.ParsePod("SupplementaryGroups=10", "SupplementaryGroups=").SupplementaryGroups);
    }

    [Theory]
    [InlineData("SupplementaryGroups=wheel", "'wheel' is not a group id")]
    [InlineData("SupplementaryGroups=-1", "'-1' is not a group id")]
    [InlineData("SupplementaryGroups=4294967296", "'4294967296' is not a group id")]
    [InlineData("SupplementaryGroups=4294967295", "group id 4294967295 is out of range")]
    public void What_is_not_a_group_id_is_refused_on_its_line(string line, string message)
    {
        UnitText.PodLineError(line, "SupplementaryGroups", message);
    }

    [Fact]
    public void More_groups_than_an_app_may_have_are_refused()
    {
        var many = string.Join(' ', Enumerable.Range(1, PodValidator.MaxSupplementaryGroups + 1));

        UnitText.PodLineError($"SupplementaryGroups={many}", "SupplementaryGroups", "33 supplementary groups, more than 32");
    }
}
