using FleetPods.Cli.Native;

if (CommandLineRoute.LocalRun(args, Environment.GetEnvironmentVariable("FLEETPODS_ENDPOINT")) is { } route
    && await LocalRunClient.TryRun(route.SocketPath, route.RunArguments) is { } exitCode)
{
    return exitCode;
}

return ClusterClientHandoff.Exec(args);
