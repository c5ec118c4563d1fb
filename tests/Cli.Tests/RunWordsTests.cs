using FleetPods.Cli.Native.Commands;

namespace FleetPods.Cli.Tests;

/// <summary>Which words of a command line the native command sends as <c>run</c>'s (POST /v1/run), for the daemon to parse.</summary>
public sealed class RunWordsTests
{
    [Theory]
    [InlineData("run img -- /bin/true", "img -- /bin/true")]
    [InlineData("--endpoint 127.0.0.1:4000 run img", "img")]
    [InlineData("run --net none img --endpoint=localhost:4001", "--net none img")]
    [InlineData("-o json run img", "img")]
    [InlineData("run img -- sh -c --endpoint", "img -- sh -c --endpoint")]
    [InlineData("run --output:json img -- --help", "img -- --help")]
    [InlineData("--client-cert a.crt --client-key a.key --ca-cert ca.crt run --memory 64M img", "--memory 64M img")]
    [InlineData("run @file -- @arg", "@file -- @arg")]
    public void The_words_after_run_keep_the_double_dash_and_lose_the_global_options_before_it(string line, string words) =>
        Assert.Equal(words.Split(' '), RunWords.From(line.Split(' ')));

    [Theory]
    [InlineData("list-pods")]
    [InlineData("status run")]
    [InlineData("-- run img")]
    [InlineData("--endpoint")]
    public void A_command_line_that_is_not_a_run_has_no_run_words(string line) =>
        Assert.Null(RunWords.From(line.Split(' ')));
}
