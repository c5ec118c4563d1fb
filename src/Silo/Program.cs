using System.CommandLine;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using FleetPods.Grains.Security;
using FleetPods.NodeRuntime;
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
var apiPort = new Option<int>("--api-port")
{
    Description = "Port of the HTTP API: the local socket /run/fleetpods/api-PORT.sock, and HTTPS with client certificates",
    DefaultValueFactory = _ => DaemonOptions.DefaultApiPort,
};
var maxImageSize = new Option<string>("--max-image-size")
{
    Description = "The most an image may take, as an archive and as the tree it expands to (e.g. 16G)",
    DefaultValueFactory = _ => "16G",
};
var cluster = new Option<string?>("--cluster")
{
    Description = $"Cluster mode: the PostgreSQL connection string (Host=…;Database=…;Username=…;Password=…); also ${ClusterSettings.EnvironmentVariable} or the config file",
};
var config = new Option<string?>("--config") { Description = "A JSON file of settings: { \"cluster\": \"Host=…\" }" };
var advertisedAddress = new Option<string?>("--advertised-address")
{
    Description = "The address other nodes and clients reach this one at (cluster mode; default: the first non-loopback IPv4 address)",
};
var membershipMode = new Option<string>("--membership")
{
    Description = "Cluster mode's failure detection: fast (1 s probes: a killed node is declared dead in about 1.3 s, a cut-off one in about 12 s) or orleans-default (5 s probes: 6-13 s and about a minute)",
    DefaultValueFactory = _ => "fast",
};
membershipMode.AcceptOnlyFromAmong("fast", "orleans-default");
var kvmKernel = new Option<string?>("--kvm-kernel") { Description = "Stage1 kvm's guest kernel (default: the newest one deploy/build-guest-kernel.sh built, else the newest /boot/vmlinuz-*)" };
var kvmAccel = new Option<string>("--kvm-accel")
{
    Description = "Stage1 kvm's accelerator: auto (probe once whether KVM boots the guest, else TCG), kvm or tcg",
    DefaultValueFactory = _ => "auto",
};
kvmAccel.AcceptOnlyFromAmong("auto", "kvm", "tcg");
var dbPoolSize = new Option<int>("--db-pool-size")
{
    Description = "Cluster mode: the most connections this node holds to the database (membership, state and reminders share them); replaces any Maximum Pool Size in the connection string",
    DefaultValueFactory = _ => PostgresClusterDatabase.DefaultPoolSize,
};
var podPolicy = new Option<string>("--pod-policy")
{
    Description = "The cluster's pod policy: host directories operators may mount ({\"hostVolumes\": {\"data\": {\"path\": \"/srv/data\", \"readOnly\": true}}}); absent = none",
    DefaultValueFactory = _ => PodPolicyFile.DefaultPath,
};
var stage1 = new Option<string?>("--stage1")
{
    Description = "The stage1 flavors this node offers to placement, as ns,kvm,fly (default: every flavor this machine can run)",
};
var pkiDir = new Option<string?>("--pki-dir") { Description = "This node's certificates: ca.crt, node.crt, node.key, optional crl.pem (default: <data-dir>/pki)" };
var registryMirror = new Option<string[]>("--registry-mirror")
{
    Description = "A mirror of a registry, tried before it: HOST=URL (e.g. docker.io=https://mirror.example.com); repeatable, tried in order",
};
var server = new Option<bool>("--server") { Description = "Be a server of a cluster (with --cluster): hold the cluster's grains and its database connections, run no pods" };
var agent = new Option<bool>("--agent") { Description = "Be an agent (with --servers, without --cluster): run this machine's pods for the servers, through their gateways; no database connection" };
var servers = new Option<string?>("--servers") { Description = "With --agent: the servers' gateways, as HOST:PORT[,HOST:PORT…]" };
var initDb = new Option<bool>("--init-db") { Description = "Create or upgrade the cluster database's schema, then exit" };

var root = new RootCommand("fleetpodsd: the FleetPods daemon, one per machine: an Orleans silo that is this machine's node (the default), a server of a cluster (--server), or an agent of its servers (--agent --servers …)")
{
    dataDir, nodeName, metadata, siloPort, gatewayPort, apiPort, maxImageSize, cluster, config, advertisedAddress, membershipMode, kvmKernel, kvmAccel, stage1, dbPoolSize, podPolicy, pkiDir, registryMirror, server, agent, servers, initDb,
};

// Options of a mode that the daemon's mode has no use for: given, they are a mistake to point out, not to ignore.
Option[] siloOnly = [siloPort, gatewayPort, dbPoolSize, membershipMode];
Option[] machineOnly = [metadata, stage1, kvmKernel, kvmAccel];
root.SetAction(async (parse, cancellationToken) =>
{
    string? connectionString;
    IPAddress address;
    try
    {
        connectionString = ClusterSettings.ConnectionString(parse.GetValue(cluster), parse.GetValue(config), Environment.GetEnvironmentVariable);
        address = ClusterSettings.AdvertisedAddress(parse.GetValue(advertisedAddress));
    }
    catch (FormatException ex)
    {
        await Console.Error.WriteLineAsync($"fleetpodsd: {ex.Message}");
        return 2;
    }

    DaemonMode mode;
    IReadOnlyList<IPEndPoint> serverGateways = [];
    try
    {
        mode = DaemonModeOption.Choose(parse.GetValue(server), parse.GetValue(agent), parse.GetValue(servers), connectionString is not null);
        var unused = (mode switch { DaemonMode.Agent => siloOnly, DaemonMode.Server => machineOnly, _ => [] })
            .FirstOrDefault(option => parse.GetResult(option) is { Implicit: false });
        if (unused is not null)
        {
            throw new FormatException($"{unused.Name} is not for {(mode == DaemonMode.Agent ? "--agent, which is no silo and opens no database" : "--server, which runs no pods")}");
        }

        if (mode == DaemonMode.Agent)
        {
            serverGateways = ServersOption.Parse(parse.GetValue(servers)!, Dns.GetHostAddresses);
        }
    }
    catch (FormatException ex)
    {
        await Console.Error.WriteLineAsync($"fleetpodsd: {ex.Message}");
        return 2;
    }

    var poolSize = parse.GetValue(dbPoolSize);
    if (poolSize < 1)
    {
        await Console.Error.WriteLineAsync($"fleetpodsd: --db-pool-size {poolSize} is not a number of connections (1 or more)");
        return 2;
    }

    try
    {
        connectionString = connectionString is null ? null : PostgresClusterDatabase.WithPoolSize(connectionString, poolSize);
    }
    catch (ArgumentException ex)
    {
        await Console.Error.WriteLineAsync($"fleetpodsd: cluster connection string: {ex.Message}");
        return 2;
    }

    if (parse.GetValue(initDb))
    {
        return await InitializeDatabase(connectionString, cancellationToken);
    }

    var name = parse.GetValue(nodeName)!;
    if (!NodeNames.IsValid(name))
    {
        await Console.Error.WriteLineAsync($"fleetpodsd: --node-name '{name}' is not a valid node name (letters, digits, '.', '_', '-'; at most 63)");
        return 2;
    }

    foreach (var (option, port) in new[] { ("--silo-port", parse.GetValue(siloPort)), ("--gateway-port", parse.GetValue(gatewayPort)), ("--api-port", parse.GetValue(apiPort)) })
    {
        if (port is < 1 or > 65535)
        {
            await Console.Error.WriteLineAsync($"fleetpodsd: {option} {port} is not a port (1-65535)");
            return 2;
        }
    }

    IReadOnlyDictionary<string, string> meta;
    string? kernel;
    KvmAccelerator accelerator;
    IReadOnlyDictionary<string, IReadOnlyList<Uri>> mirrors;
    IReadOnlyList<FleetPods.Grains.UnitFiles.Stage1Flavor>? flavors;
    try
    {
        meta = MetadataOption.Parse(parse.GetValue(metadata));
        mirrors = RegistryMirrorOption.Parse(parse.GetValue(registryMirror));
        kernel = KvmOptions.Kernel(parse.GetValue(kvmKernel));
        accelerator = KvmOptions.ParseAccelerator(parse.GetValue(kvmAccel)!);
        flavors = Stage1Option.Parse(parse.GetValue(stage1));
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

    PodPolicy policy;
    try
    {
        policy = PodPolicyFile.Load(parse.GetValue(podPolicy)!);
    }
    catch (FormatException ex)
    {
        await Console.Error.WriteLineAsync($"fleetpodsd: {ex.Message}");
        return 2;
    }

    var options = new DaemonOptions(Path.GetFullPath(parse.GetValue(dataDir)!), name, meta, parse.GetValue(siloPort), parse.GetValue(gatewayPort))
    {
        ApiPort = parse.GetValue(apiPort),
        ClusterConnectionString = connectionString,
        Mode = mode,
        Servers = serverGateways,
        AdvertisedAddress = address,
        Membership = parse.GetValue(membershipMode) == "orleans-default" ? MembershipTuning.Default : MembershipTuning.Recommended,
        MaxImageSizeBytes = maxImageBytes,
        KvmKernel = kernel,
        KvmAccelerator = accelerator,
        RegistryMirrors = mirrors,
        Stage1Flavors = flavors,
        PodPolicy = policy,
        PkiPath = parse.GetValue(pkiDir) is { Length: > 0 } pki ? Path.GetFullPath(pki) : null,
    };
    if (connectionString is not null)
    {
        try
        {
            await PostgresClusterDatabase.EnsureCurrentAsync(connectionString, cancellationToken);
        }
        catch (Exception ex) when (ex is InvalidOperationException or Npgsql.NpgsqlException or ArgumentException)
        {
            await Console.Error.WriteLineAsync($"fleetpodsd: cluster database: {ex.Message}");
            return 1;
        }
    }

    IHost host;
    try
    {
        host = DaemonHost.Build(options);
    }
    catch (Exception ex) when (ex is IOException or FleetPods.Security.PkiException)
    {
        await Console.Error.WriteLineAsync($"fleetpodsd: {ex.Message}");
        return 1;
    }

    using (host)
    {
        if (host.Services.GetService<PodRuntime>() is { } runtime && Stage1Option.Unrunnable(options.Stage1Flavors, runtime) is { } unrunnable)
        {
            await Console.Error.WriteLineAsync($"fleetpodsd: {unrunnable}");
            return 2;
        }

        await host.RunAsync(cancellationToken);
    }

    return 0;
});

return await root.Parse(args).InvokeAsync();

static async Task<int> InitializeDatabase(string? connectionString, CancellationToken cancellationToken)
{
    if (connectionString is null)
    {
        await Console.Error.WriteLineAsync($"fleetpodsd: --init-db needs the cluster database: --cluster, ${ClusterSettings.EnvironmentVariable} or the config file");
        return 2;
    }

    try
    {
        var applied = await PostgresClusterDatabase.InitializeAsync(connectionString, cancellationToken);
        Console.WriteLine(applied.Count == 0
            ? $"cluster database is at schema version {PostgresClusterDatabase.LatestVersion}; nothing to do"
            : $"cluster database brought to schema version {PostgresClusterDatabase.LatestVersion} (applied {string.Join(", ", applied)})");
        return 0;
    }
    catch (Exception ex) when (ex is Npgsql.NpgsqlException or ArgumentException)
    {
        await Console.Error.WriteLineAsync($"fleetpodsd: cluster database: {ex.Message}");
        return 1;
    }
}
