using FleetPods.Silo.Api;
using FleetPods.Silo.FrontDoor;

namespace FleetPods.Silo.Tests.FrontDoor;

/// <summary>Query values people type (grace=10s, force=true): read as the CLI read them, or refused naming the parameter.</summary>
public sealed class QueryValueTests
{
    [Theory]
    [InlineData("10s", 10_000)]
    [InlineData("500ms", 500)]
    [InlineData("2m", 120_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("3", 3_000)]
    public void A_duration_reads_as_people_type_it(string text, int milliseconds) =>
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), Durations.Parse("grace", text, TimeSpan.Zero));

    [Fact]
    public void An_absent_duration_is_the_default_and_a_bad_one_names_the_parameter()
    {
        Assert.Equal(TimeSpan.FromSeconds(10), Durations.Parse("grace", null, TimeSpan.FromSeconds(10)));
        Assert.Equal("grace='soon' is not a duration (e.g. 10s, 500ms, 2m)", Assert.Throws<BadRequestException>(() => Durations.Parse("grace", "soon", TimeSpan.Zero)).Message);
        Assert.Throws<BadRequestException>(() => Durations.Parse("grace", "2d", TimeSpan.Zero));
    }

    [Fact]
    public void A_flag_is_true_false_or_refused()
    {
        Assert.Equal([false, true, false], new[] { null, "true", "False" }.Select(v => QueryFlags.Parse("force", v)));
        Assert.Equal("force='maybe' is neither true nor false", Assert.Throws<BadRequestException>(() => QueryFlags.Parse("force", "maybe")).Message);
    }

    [Fact]
    public void An_archive_name_is_one_file_name()
    {
        Assert.Equal(["image", "busybox.aci"], new[] { null, "busybox.aci" }.Select(ImageUploads.ArchiveName));
        foreach (var bad in new[] { "", ".", "..", "../etc/passwd", "a/b", "a\0b", new string('a', 256) })
        {
            Assert.Throws<BadRequestException>(() => ImageUploads.ArchiveName(bad));
        }
    }

    [Fact]
    public void Text_a_caller_chose_cannot_forge_a_second_log_line() =>
        Assert.Equal("web?Audit: root (admin)?x", LogText.Of("web\nAudit: root (admin)\rx"));
}
