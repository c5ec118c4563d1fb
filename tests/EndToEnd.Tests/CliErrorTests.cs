namespace FleetPods.EndToEnd.Tests;

public sealed class CliErrorTests
{
    [Fact]
    public async Task A_daemon_that_is_not_there_gives_one_clear_line()
    {
        using var closed = new ClosedPort();
        var port = closed.Port;

        var result = await Processes.Run(RepositoryLayout.Cli, ["--endpoint", $"127.0.0.1:{port}", "list-units"], TimeSpan.FromSeconds(60));

        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"fleetpods: cannot reach fleetpodsd at 127.0.0.1:{port}", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--endpoint", "nocolon", "list-units")]
    [InlineData("stop", "--grace", "soon", "web")]
    [InlineData("frobnicate")]
    public async Task Bad_arguments_are_refused_without_a_stack_trace(params string[] arguments)
    {
        var result = await Processes.Run(RepositoryLayout.Cli, [.. arguments], TimeSpan.FromSeconds(60));

        Assert.NotEqual(0, result.ExitCode);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
        Assert.NotEmpty(result.Stderr.Trim());
    }
}
