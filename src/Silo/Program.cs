using System.CommandLine;
using Microsoft.Extensions.Hosting;
using FleetPods.Silo;

var dataDir = new Option<string>("--data-dir")
{
    Description = "Where images, pods and the state database live",
    DefaultValueFactory = _ => DaemonOptions.DefaultDataDirectory,
};
var nodeName = new Option<string>("--node-name")
{
    Description = "This node's name in the cluster (default: the host name)",
    DefaultValueFactory = _ => Environment.MachineName,
};
var metadata = new Option<string?>("--metadata") { Description = "Node metadata for scheduling, as key=value,key=value" };
var siloPort = new Option<int>("--silo-port")
{
    Description = "Port for silo-to-silo traffic",
    DefaultValueFactory = _ => DaemonOptions.DefaultSiloPort,
};
var gatewayPort = new Option<int>("--gateway-port")
{
    Description = "Port the fleetpods CLI and .NET clients connect to",
    DefaultValueFactory = _ => DaemonOptions.DefaultGatewayPort,
};
var maxImageSize = new Option<string>("--max-image-size")
{
    Description = "The most an image may take, as an archive and as the tree it expands to (e.g. 16G)",
    DefaultValueFactory = _ => "16G",
};

var root = new RootCommand("fleetpodsd: the FleetPods daemon; one per machine, it is an Orleans silo and this machine's node")
{
    dataDir, nodeName, metadata, siloPort, gatewayPort, maxImageSize,
};
root.SetAction(async (parse, cancellationToken) =>
{
    var name = parse.GetValue(nodeName)!;
    if (!NodeNames.IsValid(name))
    {
        await Console.Error.WriteLineAsync($"fleetpodsd: --node-name '{name}' is not a valid node name (letters, digits, '.', '_', '-'; at most 63)");
        return 2;
    }

    foreach (var (option, port) in new[] { ("--silo-port", parse.GetValue(siloPort)), ("--gateway-port", parse.GetValue(gatewayPort)) })
    {
        if (port is < 1 or > 65535)
        {
            await Console.Error.WriteLineAsync($"fleetpodsd: {option} {port} is not a port (1-65535)");
            return 2;
        }
    }

    IReadOnlyDictionary<string, string> meta;
    try
    {
        meta = MetadataOption.Parse(parse.GetValue(metadata));
    }
    catch (FormatException ex)
    {
        await Console.Error.WriteLineAsync($"fleetpodsd: {ex.Message}");
        return 2;
    }

    if (!FleetPods.Grains.ByteCount.TryParse(parse.GetValue(maxImageSize)!, out var maxImageBytes, out var sizeError))
    {
        await Console.Error.WriteLineAsync($"fleetpodsd: --max-image-size: {sizeError}");
        return 2;
    }

    var options = new DaemonOptions(Path.GetFullPath(parse.GetValue(dataDir)!), name, meta, parse.GetValue(siloPort), parse.GetValue(gatewayPort))
    {
        MaxImageSizeBytes = maxImageBytes,
    };
    using var host = DaemonHost.Build(options);
    await host.RunAsync(cancellationToken);
    return 0;
});

return await root.Parse(args).InvokeAsync();
