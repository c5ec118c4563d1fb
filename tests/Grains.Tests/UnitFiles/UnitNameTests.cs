using FleetPods.Grains.UnitFiles;

namespace FleetPods.Grains.Tests.UnitFiles;

public sealed class UnitNameTests
{
    [Theory]
    [InlineData("web.pod", "web", null, false, "web@.pod")]
    [InlineData("web@.pod", "web", "", true, "web@.pod")]
    [InlineData("web@1.pod", "web", "1", false, "web@.pod")]
    [InlineData("db.v2.pod", "db.v2", null, false, "db.v2@.pod")]
    [InlineData("a:b_c-d@x.y-z:1.pod", "a:b_c-d", "x.y-z:1", false, "a:b_c-d@.pod")]
    [InlineData("a@b@c.pod", "a", "b@c", false, "a@.pod")]
    [InlineData("A1.pod", "A1", null, false, "A1@.pod")]
    public void A_valid_name_is_taken_apart(string text, string prefix, string? instance, bool isTemplate, string templateName)
    {
        Assert.True(UnitName.TryParse(text, out var name, out var error));

        Assert.Null(error);
        Assert.Equal(new UnitName(prefix, instance, isTemplate), name);
        Assert.Equal(text, name!.FullName);
        Assert.Equal(templateName, name.TemplateName);
    }

    [Theory]
    [InlineData("web", "must end in .pod")]
    [InlineData("web.service", "must end in .pod")]
    [InlineData("web.POD", "must end in .pod")]
    [InlineData(".pod", "has no name before .pod")]
    [InlineData("@1.pod", "has no name before '@'")]
    [InlineData("@.pod", "has no name before '@'")]
    [InlineData("units/web.pod", "contains '/'")]
    [InlineData("my web.pod", "contains U+0020")]
    [InlineData("we$b.pod", "contains '$'")]
    [InlineData("wéb.pod", "contains 'é'")]
    [InlineData("web\n.pod", "contains U+000A")]
    public void An_invalid_name_is_refused_with_a_reason(string text, string messagePart)
    {
        Assert.False(UnitName.TryParse(text, out var name, out var error));

        Assert.Null(name);
        Assert.Contains(messagePart, error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_name_may_be_255_characters_and_no_more()
    {
        var longest = new string('a', 255 - ".pod".Length) + ".pod";

        Assert.True(UnitName.TryParse(longest, out _, out _));
        Assert.False(UnitName.TryParse("a" + longest, out _, out var error));
        Assert.Contains("longer than 255 characters", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_refuses_a_file_whose_name_is_not_a_unit_name_as_a_whole_file_error()
    {
        UnitText.SingleError(UnitText.Pod(), 0, "", "must end in .pod", file: "units/web.service");
    }
}
