using System.Globalization;
using System.Net;
using FleetPods.Grains;
using FleetPods.Grains.Nodes;
using FleetPods.Silo;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Serilog;
using Serilog.Events;

namespace FleetPods.Bench.Scheduling;

/// <summary>
/// The server silo, run as this program's child (<c>serve</c>) so its memory is its own: every FleetPods grain, on
/// PostgreSQL as fleetpodsd's cluster mode sets it up, or in memory; no node of its own. It says <c>ready</c> on
/// stdout once up; its parent kills it at the end, and it exits by itself when its stdin closes (the parent ended,
/// however it ended).
/// </summary>
internal static class ServerSilo
{
    public const string ClusterId = "fleetpods-bench";

    /// <summary>The cluster's connection string reaches the child here, not on its command line where ps shows it.</summary>
    public const string ClusterVariable = "FLEETPODS_BENCH_CLUSTER";

    /// <summary>The command line of the child: <c>serve SILO-PORT GATEWAY-PORT HEARTBEAT-TIMEOUT-MS</c>.</summary>
    public static IEnumerable<string> Arguments(int siloPort, int gatewayPort, TimeSpan heartbeatTimeout) =>
        ["serve", .. new[] { siloPort, gatewayPort, (int)heartbeatTimeout.TotalMilliseconds }.Select(n => n.ToString(CultureInfo.InvariantCulture))];

    public static async Task<int> Run(IReadOnlyList<string> args)
    {
        if (args is not [_, var silo, var gateway, var timeout])
        {
            await Console.Error.WriteLineAsync("scheduling-bench serve: needs SILO-PORT GATEWAY-PORT HEARTBEAT-TIMEOUT-MS (it is started by scheduling-bench itself)");
            return 2;
        }

        var cluster = Environment.GetEnvironmentVariable(ClusterVariable) is { Length: > 0 } given ? given : null;
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddSerilog(log => log
            .MinimumLevel.Warning()
            .MinimumLevel.Override("Orleans", LogEventLevel.Error)
            .WriteTo.Console(outputTemplate: "server {Timestamp:HH:mm:ss.fff} {Level:u3} {Message:lj}{NewLine}{Exception}", standardErrorFromLevel: LogEventLevel.Verbose));
        builder.UseOrleans(orleans =>
        {
            orleans.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (ClusterId, ClusterId));
            orleans.Configure<SiloOptions>(o => o.SiloName = "server-0");
            if (cluster is not null)
            {
                orleans.ConfigureEndpoints(IPAddress.Loopback, int.Parse(silo, CultureInfo.InvariantCulture), int.Parse(gateway, CultureInfo.InvariantCulture));
                orleans.AddFleetPodsPostgres(cluster);
            }
            else
            {
                orleans.UseLocalhostClustering(int.Parse(silo, CultureInfo.InvariantCulture), int.Parse(gateway, CultureInfo.InvariantCulture), serviceId: ClusterId, clusterId: ClusterId);
                orleans.AddMemoryGrainStorage(GrainStorage.Name);
            }

            orleans.AddFleetPodsGrains();
            orleans.Services.Configure<NodeLivenessOptions>(o => o.HeartbeatTimeout = TimeSpan.FromMilliseconds(int.Parse(timeout, CultureInfo.InvariantCulture)));
        });

        var host = builder.Build();
        await host.StartAsync();
        Console.WriteLine("ready");
        await Console.In.ReadToEndAsync();

        // No graceful stop (the host's would run on process exit): its grains' state goes with the run's database.
        Environment.Exit(0);
        return 0;
    }
}
