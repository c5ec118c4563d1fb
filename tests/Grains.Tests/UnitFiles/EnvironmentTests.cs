using FleetPods.Grains.UnitFiles;

namespace FleetPods.Grains.Tests.UnitFiles;

public sealed class EnvironmentTests
{
    private static EnvironmentVariable[] Parse(params string[] lines) => [.. UnitText.ParsePod(lines).Environment];

    [Fact]
    public void One_assignment_per_line()
    {
        Assert.Equal([new("A", "1"), new("B", "two")], Parse("Environment=A=1", "Environment=B=two"));
    }

    [Fact]
    public void Several_assignments_on_one_line_quoted_as_in_systemd()
    {
        Assert.Equal(
            [new("A", "1 2"), new("B", "3"), new("C", "x=y"), new("D", "it's")],
            Parse("Environment=\"A=1 2\" B=3 'C=x=y' \"D=it's\""));
    }

    [Fact]
    public void Empty_values_are_allowed()
    {
        Assert.Equal([new("EMPTY", ""), new("QUOTED", "")], Parse("Environment=EMPTY= \"QUOTED=\""));
    }

    [Fact]
    public void A_later_assignment_of_a_name_wins_in_the_first_ones_place()
    {
        Assert.Equal([new("A", "3"), new("B", "2")], Parse("Environment=A=1 B=2", "Environment=A=3"));
    }

    [Fact]
    public void An_empty_Environment_resets_the_list()
    {
        Assert.Equal([new("C", "3")], Parse("Environment=A=1 B=2", "Environment=", "Environment=C=3"));
    }

    [Theory]
    [InlineData("_private")]
    [InlineData("PATH")]
    [InlineData("lower_case2")]
    public void Names_are_shell_variable_names(string name)
    {
        Assert.Equal([new(name, "v")], Parse($"Environment={name}=v"));
    }

    [Theory]
    [InlineData("Environment=1ABC=x", "invalid environment variable name '1ABC'")]
    [InlineData("Environment=MY-VAR=x", "invalid environment variable name 'MY-VAR'")]
    [InlineData("Environment==x", "invalid environment variable name ''")]
    [InlineData("Environment=NOVALUE", "'NOVALUE' is not a NAME=value assignment")]
    [InlineData("Environment=\"A=1", "unterminated quote")]
    [InlineData("Environment=A=\"1 2\"", "in the middle of a word")]
    public void A_bad_assignment_is_an_error(string line, string messagePart)
    {
        UnitText.PodLineError(line, "Environment", messagePart);
    }

    [Fact]
    public void Each_bad_assignment_on_a_line_is_reported()
    {
        var errors = UnitText.Errors(UnitText.Pod("Environment=1A=x OK=1 B-C=y"));

        Assert.Equal(2, errors.Count);
        Assert.All(errors, e => UnitText.AssertError(e, UnitText.File, UnitText.FirstExtraLine, "Environment"));
    }
}
