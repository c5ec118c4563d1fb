using FleetPods.Cli.Native;

namespace FleetPods.Cli.Tests;

public sealed class CommandLineRouteTests
{
    [Theory]
    [InlineData("run img -- /bin/true", null, "/run/fleetpods/gateway-30000.sock", "img -- /bin/true")]
    [InlineData("--endpoint 127.0.0.1:4000 run img", null, "/run/fleetpods/gateway-4000.sock", "img")]
    [InlineData("run --net none img --endpoint=localhost:4001", null, "/run/fleetpods/gateway-4001.sock", "--net none img")]
    [InlineData("-o json run img", "[::1]:4002", "/run/fleetpods/gateway-4002.sock", "img")]
    [InlineData("run img -- sh -c --endpoint", "localhost:4003", "/run/fleetpods/gateway-4003.sock", "img -- sh -c --endpoint")]
    [InlineData("run --output:json img -- --help", null, "/run/fleetpods/gateway-30000.sock", "img -- --help")]
    public void A_run_on_one_local_gateway_goes_to_its_socket_without_the_global_options(string line, string? environment, string socket, string run)
    {
        var route = CommandLineRoute.LocalRun(line.Split(' '), environment);

        Assert.NotNull(route);
        Assert.Equal((socket, run), (route.SocketPath, string.Join(' ', route.RunArguments)));
    }

    [Theory]
    [InlineData("list-machines", null)]
    [InlineData("status run", null)]
    [InlineData("run --help", null)]
    [InlineData("-h run img", null)]
    [InlineData("--endpoint 10.0.0.5:30000 run img", null)]
    [InlineData("--endpoint node-2:30000 run img", null)]
    [InlineData("--endpoint localhost:1 --endpoint localhost:2 run img", null)]
    [InlineData("run img", "localhost:1,localhost:2")]
    [InlineData("run img", "10.0.0.5:30000")]
    [InlineData("--net none run img", null)]
    [InlineData("run img --endpoint", null)]
    [InlineData("--endpoint localhost:http run img", null)]
    [InlineData("-- run img", null)]
    public void Anything_else_goes_to_the_cluster_client(string line, string? environment)
    {
        Assert.Null(CommandLineRoute.LocalRun(line.Split(' '), environment));
    }

    [Fact]
    public void An_endpoint_given_on_the_command_line_wins_over_the_environments()
    {
        var route = CommandLineRoute.LocalRun(["--endpoint", "localhost:5000", "run", "img"], "10.0.0.5:30000,10.0.0.6:30000");

        Assert.Equal("/run/fleetpods/gateway-5000.sock", route?.SocketPath);
    }
}
