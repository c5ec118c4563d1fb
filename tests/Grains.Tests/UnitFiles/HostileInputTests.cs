using System.Diagnostics;
using FleetPods.Grains.UnitFiles;

namespace FleetPods.Grains.Tests.UnitFiles;

public sealed class HostileInputTests
{
    [Fact]
    public void A_NUL_byte_is_an_error_on_its_line()
    {
        UnitText.SingleError(UnitText.Pod("Description=a\0b"), UnitText.FirstExtraLine, "", "NUL byte");
    }

    [Fact]
    public void Text_that_was_not_UTF8_shows_as_replacement_characters_and_is_refused()
    {
        var bytes = "[Pod]\nImage=busybox\nExec=/bin/"u8.ToArray().Concat(new byte[] { 0xC3, 0x28 }).ToArray();
        var text = System.Text.Encoding.UTF8.GetString(bytes);

        UnitText.SingleError(text, 3, "", "not valid UTF-8");
    }

    [Fact]
    public void An_unpaired_surrogate_is_refused_as_not_UTF8()
    {
        UnitText.SingleError("[Pod]\nImage=busy\uD800box\n", 2, "", "not valid UTF-8");
    }

    [Fact]
    public void Characters_beyond_the_basic_plane_are_fine()
    {
        var unit = UnitText.Parse("[Unit]\nDescription=rocket \U0001F680 pod\n" + UnitText.Pod());

        Assert.Equal("rocket \U0001F680 pod", unit.Description);
    }

    [Fact]
    public void A_file_over_1_MiB_is_refused_as_a_whole()
    {
        var text = UnitText.Pod("Description=" + new string('x', UnitFileParser.MaxFileBytes));

        UnitText.SingleError(text, 0, "", "larger than 1 MiB");
    }

    [Fact]
    public void The_size_limit_counts_UTF8_bytes_not_characters()
    {
        // 600 Ki characters of two UTF-8 bytes each.
        var text = "[Unit]\nDescription=" + new string('é', 600 * 1024) + "\n" + UnitText.Pod();

        UnitText.SingleError(text, 0, "", "larger than 1 MiB");
    }

    [Fact]
    public void A_line_of_almost_1_MiB_parses_in_linear_time()
    {
        var text = "[Unit]\nDescription=" + new string('x', UnitFileParser.MaxFileBytes - 100) + "\n" + UnitText.Pod();
        var clock = Stopwatch.StartNew();

        var unit = UnitText.Parse(text);

        Assert.Equal(UnitFileParser.MaxFileBytes - 100, unit.Description!.Length);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
    }

    [Theory]
    [InlineData("Exec=/bin/echo ", "\"a")]
    [InlineData("Exec=/bin/echo ", "\\\\")]
    [InlineData("Environment=", "A=\"1\" ")]
    [InlineData("Description=", "%%")]
    [InlineData("Exec=/bin/echo ", "\\")]
    public void Pathological_repetitions_finish_quickly(string prefix, string repeated)
    {
        var text = UnitText.Pod(prefix + string.Concat(Enumerable.Repeat(repeated, 200_000)));
        var clock = Stopwatch.StartNew();

        _ = UnitFileParser.Parse(UnitText.File, text);

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
    }

    [Fact]
    public void Errors_quote_only_the_start_of_a_huge_value()
    {
        var error = UnitText.PodLineError("Memory=" + new string('9', 500_000) + "x", "Memory");

        Assert.True(error.Message.Length < 300, error.Message);
    }

    [Fact]
    public void A_flood_of_bad_lines_keeps_the_first_hundred_errors_and_counts_the_rest()
    {
        var text = UnitText.Pod(Enumerable.Range(0, 250).Select(i => $"Bogus{i}=x").ToArray());

        var errors = UnitText.Errors(text);

        Assert.Equal(101, errors.Count);
        UnitText.AssertError(errors[0], UnitText.File, UnitText.FirstExtraLine, "Bogus0", "unknown key");
        UnitText.AssertError(errors[99], UnitText.File, UnitText.FirstExtraLine + 99, "Bogus99", "unknown key");
        UnitText.AssertError(errors[100], UnitText.File, 0, "", "150 more errors not shown");
    }
}
