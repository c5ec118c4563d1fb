using FleetPods.Grains.UnitFiles;

namespace FleetPods.Grains.Tests.UnitFiles;

public sealed class UnitFileErrorTests
{
    [Fact]
    public void An_error_prints_as_file_line_key_and_message()
    {
        var error = UnitText.SingleError(UnitText.Pod("Memory=lots"), 4, "Memory");

        Assert.Equal("web.pod:4: Memory=: invalid size 'lots' (expected e.g. 256M)", error.ToString());
    }

    [Fact]
    public void An_error_about_no_key_prints_without_one()
    {
        Assert.Equal("web.pod:0: file is larger than 1 MiB", new UnitFileError("web.pod", 0, "", "file is larger than 1 MiB").ToString());
    }

    [Fact]
    public void Every_error_in_a_file_is_reported_not_only_the_first()
    {
        var text = """
            Description=early
            [Unit]
            Summary=x
            [Pod]
            Memory=lots
            CPU=many
            Stage1=docker
            PrivateUsers=maybe
            Restart=sometimes
            [Service]
            """;

        var errors = UnitText.Errors(text);

        Assert.Equal(
            [(1, "Description"), (3, "Summary"), (5, "Memory"), (6, "CPU"), (7, "Stage1"), (8, "PrivateUsers"), (9, "Restart"), (10, ""), (4, "Image")],
            errors.Select(e => (e.Line, e.Key)));
        Assert.All(errors, e => Assert.Equal(UnitText.File, e.File));
    }

    [Fact]
    public void A_parse_result_with_errors_has_no_unit_and_did_not_succeed()
    {
        var result = UnitFileParser.Parse("web.pod", "[Pod]\n");

        Assert.Null(result.Unit);
        Assert.False(result.Succeeded);
    }
}
