using FleetPods.Grains.UnitFiles;

namespace FleetPods.Grains.Tests.UnitFiles;

public sealed class FleetSectionTests
{
    [Fact]
    public void Every_X_Fleet_key_is_stored()
    {
        var pinned = UnitText.ParseFleet("MachineID=node-a", "MachineMetadata=region=us-east", "Conflicts=web@*.pod", "Replaces=old-web.pod");
        var follower = UnitText.ParseFleet("MachineOf=db.pod");
        var global = UnitText.ParseFleet("Global=yes", "MachineMetadata=disk=ssd");

        Assert.Equal("node-a", pinned.MachineId);
        Assert.Equal([new MetadataRequirement("region", "us-east")], pinned.MachineMetadata);
        Assert.Equal(["web@*.pod"], pinned.Conflicts);
        Assert.Equal("old-web.pod", pinned.Replaces);
        Assert.Equal("db.pod", follower.MachineOf);
        Assert.True(global.Global);
    }

    [Fact]
    public void MachineMetadata_is_repeatable_and_takes_several_pairs_on_one_line_as_fleet_did()
    {
        var fleet = UnitText.ParseFleet("MachineMetadata=region=us-east disk=ssd", "MachineMetadata=\"rack=a 1\" region=us-west");

        Assert.Equal(
            [new("region", "us-east"), new("disk", "ssd"), new("rack", "a 1"), new MetadataRequirement("region", "us-west")],
            fleet.MachineMetadata);
    }

    [Fact]
    public void Conflicts_is_repeatable_and_takes_several_globs_on_one_line()
    {
        var fleet = UnitText.ParseFleet("Conflicts=web@*.pod db.pod", "Conflicts=cache?.pod");

        Assert.Equal(["web@*.pod", "db.pod", "cache?.pod"], fleet.Conflicts);
    }

    [Fact]
    public void Empty_assignments_reset_lists_and_values()
    {
        var fleet = UnitText.ParseFleet(
            "MachineMetadata=a=b", "MachineMetadata=", "Conflicts=x.pod", "Conflicts=",
            "Global=true", "Global=", "MachineID=n", "MachineID=");

        Assert.Empty(fleet.MachineMetadata);
        Assert.Empty(fleet.Conflicts);
        Assert.False(fleet.Global);
        Assert.Null(fleet.MachineId);
    }

    [Theory]
    [InlineData("MachineMetadata=region", "not a key=value pair")]
    [InlineData("MachineMetadata==us-east", "not a key=value pair")]
    [InlineData("MachineMetadata=region=", "not a key=value pair")]
    [InlineData("MachineMetadata=\"region=us", "unterminated quote")]
    [InlineData("Conflicts=\"\"", "empty glob")]
    [InlineData("Conflicts='web*", "unterminated quote")]
    [InlineData("Global=sometimes", "invalid boolean")]
    [InlineData("MachineID=node a", "must not contain whitespace")]
    [InlineData("MachineOf=db .pod", "must not contain whitespace")]
    [InlineData("Replaces=a b", "must not contain whitespace")]
    public void A_bad_X_Fleet_value_is_an_error(string line, string messagePart)
    {
        var key = line[..line.IndexOf('=', StringComparison.Ordinal)];

        UnitText.SingleError(UnitText.Pod("[X-Fleet]", line), UnitText.FirstExtraLine + 1, key, messagePart);
    }
}
