namespace FleetPods.Grains.Tests.UnitFiles;

/// <summary>The parser checks specifiers but keeps them raw, so one parsed unit expands per node.</summary>
public sealed class SpecifierValidationTests
{
    [Fact]
    public void Known_specifiers_are_stored_unexpanded_everywhere()
    {
        var unit = UnitText.Parse("""
            [Unit]
            Description=%n on %m
            [Pod]
            Image=example.com/%p:%i
            Exec=/bin/echo %N %% 100%%
            Environment=NAME=%n NODE=%m
            WorkingDirectory=/srv/%p
            User=%p
            Group=%i
            Volume=data,kind=host,source=/srv/%N
            Mount=volume=data,target=/data/%i
            [X-Fleet]
            MachineID=node-%i
            MachineMetadata=role=%p
            Conflicts=%p@*.pod
            Replaces=old-%n
            """);

        Assert.Equal("%n on %m", unit.Description);
        Assert.Equal("example.com/%p:%i", unit.Pod.Image);
        Assert.Equal(["/bin/echo", "%N", "%%", "100%%"], unit.Pod.Exec!);
        Assert.Equal(["%n", "%m"], unit.Pod.Environment.Select(v => v.Value));
        Assert.Equal("/srv/%p", unit.Pod.WorkingDirectory);
        Assert.Equal(("%p", "%i"), (unit.Pod.User, unit.Pod.Group));
        Assert.Equal("/srv/%N", unit.Pod.Volumes[0].Source);
        Assert.Equal("/data/%i", unit.Pod.Mounts[0].Target);
        Assert.Equal(("node-%i", "old-%n"), (unit.Fleet.MachineId, unit.Fleet.Replaces));
        Assert.Equal("%p", unit.Fleet.MachineMetadata[0].Value);
        Assert.Equal(["%p@*.pod"], unit.Fleet.Conflicts);
    }

    [Theory]
    [InlineData("Description=%q", "Description", "unknown specifier %q")]
    [InlineData("Description=50%", "Description", "lone % at the end")]
    [InlineData("Description=%%%", "Description", "lone % at the end")]
    [InlineData("Description=%H host", "Description", "unknown specifier %H")]
    [InlineData("[Pod]\nImage=busybox:%v", "Image", "unknown specifier %v")]
    [InlineData("[Pod]\nExec=/bin/echo ok %u", "Exec", "unknown specifier %u")]
    [InlineData("[Pod]\nExec=/bin/echo '%'", "Exec", "lone % at the end")]
    [InlineData("[Pod]\nEnvironment=A=%h", "Environment", "unknown specifier %h")]
    [InlineData("[Pod]\nWorkingDirectory=/srv/%s", "WorkingDirectory", "unknown specifier %s")]
    [InlineData("[Pod]\nUser=%u", "User", "unknown specifier %u")]
    [InlineData("[Pod]\nGroup=%g", "Group", "unknown specifier %g")]
    [InlineData("[Pod]\nVolume=data,kind=host,source=/srv/%t", "Volume", "unknown specifier %t")]
    [InlineData("[Pod]\nVolume=data,kind=empty\nMount=volume=data,target=/data/%", "Mount", "lone % at the end")]
    [InlineData("[X-Fleet]\nMachineID=%b", "MachineID", "unknown specifier %b")]
    [InlineData("[X-Fleet]\nMachineOf=%j.pod", "MachineOf", "unknown specifier %j")]
    [InlineData("[X-Fleet]\nMachineMetadata=role=%r", "MachineMetadata", "unknown specifier %r")]
    [InlineData("[X-Fleet]\nConflicts=%I.pod", "Conflicts", "unknown specifier %I")]
    [InlineData("[X-Fleet]\nReplaces=%P", "Replaces", "unknown specifier %P")]
    public void An_unknown_or_lone_specifier_is_an_error_naming_line_and_key(string lines, string key, string messagePart)
    {
        var text = UnitText.Pod() + "[Unit]\n" + lines + "\n";
        var line = 5 + lines.Count(c => c == '\n');

        UnitText.SingleError(text, line, key, messagePart);
    }

    [Fact]
    public void The_error_for_an_unknown_specifier_lists_the_known_ones()
    {
        UnitText.PodLineError("User=%u", "User", "unknown specifier %u in '%u' (known: %n %N %p %i %m %%; write %% for a literal %)");
    }

    [Fact]
    public void Unknown_specifiers_in_several_values_are_each_reported()
    {
        var errors = UnitText.Errors(UnitText.Pod("User=%u", "Group=%g", "Environment=A=%a"));

        Assert.Equal(["User", "Group", "Environment"], errors.Select(e => e.Key));
    }
}
