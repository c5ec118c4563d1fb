using FleetPods.Grains.UnitFiles;

namespace FleetPods.Grains.Tests.UnitFiles;

public sealed class SpecifierExpansionTests
{
    private static UnitFile Template(string exec) =>
        UnitFileParser.ParseInstance("web@.pod", $"[Pod]\nImage=busybox\nExec=/bin/echo {exec}\n", "web@1.pod").Unit!;

    private static string[] ExpandExec(string exec, string unitName = "web@1.pod", string? node = "node-a") =>
        UnitSpecifiers.Expand(Template(exec), new SpecifierContext(unitName, node)).Pod.Exec!.Skip(1).ToArray();

    [Theory]
    [InlineData("%n", "web@1.pod")]
    [InlineData("%N", "web@1")]
    [InlineData("%p", "web")]
    [InlineData("%i", "1")]
    [InlineData("%m", "node-a")]
    [InlineData("%%", "%")]
    [InlineData("%%m", "%m")]
    [InlineData("%%%m", "%node-a")]
    [InlineData("%%%%", "%%")]
    [InlineData("100%%", "100%")]
    [InlineData("pre-%p-%i-post", "pre-web-1-post")]
    [InlineData("%p%i%m", "web1node-a")]
    [InlineData("no-specifiers", "no-specifiers")]
    public void Each_specifier_expands_in_one_left_to_right_pass(string raw, string expanded)
    {
        Assert.Equal([expanded], ExpandExec(raw));
    }

    [Theory]
    [InlineData("web.pod", "%n|%N|%p|%i", "web.pod|web|web|")]
    [InlineData("web@.pod", "%n|%N|%p|%i", "web@.pod|web@|web|")]
    [InlineData("db.v2@eu-1.pod", "%n|%N|%p|%i", "db.v2@eu-1.pod|db.v2@eu-1|db.v2|eu-1")]
    [InlineData("a@b@c.pod", "%p|%i", "a|b@c")]
    public void Names_split_at_the_first_at_sign(string unitName, string raw, string expanded)
    {
        Assert.Equal([expanded], ExpandExec(raw, unitName));
    }

    [Fact]
    public void Every_string_value_is_expanded()
    {
        var unit = UnitText.Parse("""
            [Unit]
            Description=%n on %m
            [Pod]
            Image=example.com/%p:%i
            Exec=/bin/%p --node %m
            Environment=NAME=%n NODE=%m LITERAL=%%m
            WorkingDirectory=/srv/%p
            User=%p
            Group=g%i
            Volume=data,kind=host,source=/srv/%N
            Volume=tmp,kind=empty
            Mount=volume=data,target=/data/%i
            [X-Fleet]
            MachineID=node-%i
            MachineMetadata=role=%p
            Conflicts=%p@*.pod
            Replaces=old-%n
            """, file: "web@3.pod");

        var expanded = UnitSpecifiers.Expand(unit, new SpecifierContext(unit.Name, "node-b"));

        Assert.Equal("web@3.pod on node-b", expanded.Description);
        Assert.Equal("example.com/web:3", expanded.Pod.Image);
        Assert.Equal(["/bin/web", "--node", "node-b"], expanded.Pod.Exec!);
        Assert.Equal(
            [new EnvironmentVariable("NAME", "web@3.pod"), new("NODE", "node-b"), new("LITERAL", "%m")],
            expanded.Pod.Environment);
        Assert.Equal("/srv/web", expanded.Pod.WorkingDirectory);
        Assert.Equal(("web", "g3"), (expanded.Pod.User, expanded.Pod.Group));
        Assert.Equal(["/srv/web@3", null], expanded.Pod.Volumes.Select(v => v.Source));
        Assert.Equal("/data/3", expanded.Pod.Mounts[0].Target);
        Assert.Equal(("node-3", "old-web@3.pod"), (expanded.Fleet.MachineId, expanded.Fleet.Replaces));
        Assert.Equal([new MetadataRequirement("role", "web")], expanded.Fleet.MachineMetadata);
        Assert.Equal(["web@*.pod"], expanded.Fleet.Conflicts);
    }

    [Fact]
    public void Expanding_leaves_the_parsed_unit_unchanged_for_the_next_node()
    {
        var unit = Template("%m");

        var onA = UnitSpecifiers.Expand(unit, new SpecifierContext("web@1.pod", "a"));
        var onB = UnitSpecifiers.Expand(unit, new SpecifierContext("web@1.pod", "b"));

        Assert.Equal(["/bin/echo", "%m"], unit.Pod.Exec!);
        Assert.Equal("a", onA.Pod.Exec![1]);
        Assert.Equal("b", onB.Pod.Exec![1]);
    }

    [Fact]
    public void Expanded_lists_are_still_arrays()
    {
        var unit = UnitText.Parse(UnitText.Pod("Environment=A=1", "Volume=v,kind=empty", "Mount=volume=v,target=/v", "[X-Fleet]", "Conflicts=x.pod", "MachineMetadata=a=b"));

        var expanded = UnitSpecifiers.Expand(unit, new SpecifierContext(unit.Name, "n"));

        Assert.IsType<string[]>(expanded.Pod.Exec);
        Assert.IsType<EnvironmentVariable[]>(expanded.Pod.Environment);
        Assert.IsType<VolumeSpec[]>(expanded.Pod.Volumes);
        Assert.IsType<MountSpec[]>(expanded.Pod.Mounts);
        Assert.IsType<string[]>(expanded.Fleet.Conflicts);
        Assert.IsType<MetadataRequirement[]>(expanded.Fleet.MachineMetadata);
    }

    [Fact]
    public void Without_a_node_a_unit_that_uses_m_cannot_be_expanded()
    {
        var error = Assert.Throws<ArgumentException>(() => ExpandExec("%m", node: null));

        Assert.Equal("context", error.ParamName);
        Assert.Contains("%m", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_node_a_unit_that_does_not_use_m_expands()
    {
        Assert.Equal(["web-1-%m"], ExpandExec("%p-%i-%%m", node: null));
    }

    [Fact]
    public void An_invalid_unit_name_in_the_context_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => ExpandExec("%n", unitName: "web.service"));

        Assert.Equal("context", error.ParamName);
    }

    [Theory]
    [InlineData("%q")]
    [InlineData("trailing%")]
    public void A_hand_made_unit_with_a_bad_specifier_is_refused_rather_than_passed_through(string raw)
    {
        var unit = Template("ok") with { Description = raw };

        Assert.Throws<ArgumentException>(() => UnitSpecifiers.Expand(unit, new SpecifierContext("web@1.pod", "n")));
    }
}
