using FleetPods.Cli.Native;
using FleetPods.Cli.Native.Cert;

if (args is ["cert", ..])
{
    return await CertCommand.Run(args);
}

if (CommandLineRoute.LocalRun(args, Environment.GetEnvironmentVariable("FLEETPODS_ENDPOINT")) is { } route
    && await LocalRunClient.TryRun(route.SocketPath, route.RunArguments) is { } exitCode)
{
    return exitCode;
}

return ClusterClientHandoff.Exec(args);
