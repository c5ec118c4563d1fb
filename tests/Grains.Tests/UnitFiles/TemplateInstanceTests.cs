using FleetPods.Grains.UnitFiles;

namespace FleetPods.Grains.Tests.UnitFiles;

public sealed class TemplateInstanceTests
{
    private const string TemplateText = "[Unit]\nDescription=instance %i\n[Pod]\nImage=busybox\nExec=/bin/sh -c \"exit %i\"\n";

    [Fact]
    public void A_template_parses_on_its_own_with_its_specifiers_raw()
    {
        var unit = UnitText.Parse(TemplateText, file: "web@.pod");

        Assert.Equal("web@.pod", unit.Name);
        Assert.Equal(["/bin/sh", "-c", "exit %i"], unit.Pod.Exec!);
    }

    [Fact]
    public void An_instance_is_the_template_under_the_instance_name()
    {
        var result = UnitFileParser.ParseInstance("units/web@.pod", TemplateText, "web@5.pod");

        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        Assert.Equal("web@5.pod", result.Unit!.Name);
        Assert.Equal("instance %i", result.Unit.Description);
    }

    [Fact]
    public void An_instance_expands_with_its_own_instance_name()
    {
        var unit = UnitFileParser.ParseInstance("web@.pod", TemplateText, "web@5.pod").Unit!;

        var expanded = UnitSpecifiers.Expand(unit, new SpecifierContext(unit.Name, "node-a"));

        Assert.Equal(["/bin/sh", "-c", "exit 5"], expanded.Pod.Exec!);
        Assert.Equal("instance 5", expanded.Description);
    }

    [Fact]
    public void Errors_in_the_template_name_the_template_file()
    {
        var result = UnitFileParser.ParseInstance("units/web@.pod", "[Pod]\nImage=busybox\nMemory=lots\n", "web@1.pod");

        Assert.Null(result.Unit);
        UnitText.AssertError(Assert.Single(result.Errors), "units/web@.pod", 3, "Memory", "invalid size");
    }

    [Theory]
    [InlineData("web@.pod", "web.pod", "is not an instance of web@.pod")]
    [InlineData("web@.pod", "web@.pod", "is not an instance of web@.pod")]
    [InlineData("web@.pod", "api@1.pod", "is not an instance of web@.pod")]
    [InlineData("web@.pod", "web@1", "must end in .pod")]
    [InlineData("web@.pod", "web@a/b.pod", "contains '/'")]
    [InlineData("web.pod", "web@1.pod", "'web.pod' is not a template")]
    [InlineData("units/web@1.pod", "web@1.pod", "'web@1.pod' is not a template")]
    [InlineData("web@.service", "web@1.pod", "must end in .pod")]
    public void A_mismatched_template_or_instance_name_is_a_whole_file_error(string templateFile, string instanceName, string messagePart)
    {
        var result = UnitFileParser.ParseInstance(templateFile, TemplateText, instanceName);

        Assert.Null(result.Unit);
        UnitText.AssertError(Assert.Single(result.Errors), templateFile, 0, "", messagePart);
    }

    [Fact]
    public void Name_errors_and_content_errors_are_reported_together()
    {
        var result = UnitFileParser.ParseInstance("web@.pod", "[Pod]\nMemory=lots\n", "api@1.pod");

        Assert.Equal([(0, ""), (2, "Memory"), (1, "Image")], result.Errors.Select(e => (e.Line, e.Key)));
    }
}
