using System.Globalization;
using System.Net;
using FleetPods.Grains;
using FleetPods.Grains.Nodes;
using FleetPods.Security;
using FleetPods.Silo;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Serilog;
using Serilog.Events;

namespace FleetPods.Bench.Scheduling;

/// <summary>
/// One server silo, run as this program's child (<c>serve</c>) so its memory is its own: FleetPods' grains, on
/// PostgreSQL as fleetpodsd's cluster mode sets it up (its clustering, so several servers form one cluster, with
/// fleetpodsd's membership settings), or alone in memory; no node of its own. It says <c>ready</c> on
/// stdout once up, and exits when its stdin closes (the parent ended, however it ended, or asked for its
/// <see cref="GrainCallCount"/>, which it prints first).
/// </summary>
internal static class ServerSilo
{
    public const string ClusterId = "fleetpods-bench";

    /// <summary>The cluster's connection string reaches the child here, not on its command line where ps shows it.</summary>
    public const string ClusterVariable = "FLEETPODS_BENCH_CLUSTER";

    /// <summary>The run's CA certificate file: the server checks each agent's attach with its trust, as fleetpodsd's TLS setup does.</summary>
    public const string CaVariable = "FLEETPODS_BENCH_CA";

    /// <summary>The command line of the child: <c>serve INDEX SILO-PORT GATEWAY-PORT MIN-HEARTBEAT-MS MAX-HEARTBEATS-PER-S</c>.</summary>
    public static IEnumerable<string> Arguments(int index, int siloPort, int gatewayPort, TimeSpan minHeartbeatPeriod, int maxHeartbeatsPerSecond) =>
        ["serve", .. new[] { index, siloPort, gatewayPort, (int)minHeartbeatPeriod.TotalMilliseconds, maxHeartbeatsPerSecond }.Select(n => n.ToString(CultureInfo.InvariantCulture))];

    /// <summary>The silo name of the server at <paramref name="index"/>.</summary>
    public static string Name(int index) => string.Create(CultureInfo.InvariantCulture, $"server-{index}");

    public static async Task<int> Run(IReadOnlyList<string> args)
    {
        if (args is not [_, var index, var silo, var gateway, var minHeartbeat, var maxHeartbeats])
        {
            await Console.Error.WriteLineAsync("scheduling-bench serve: needs INDEX SILO-PORT GATEWAY-PORT MIN-HEARTBEAT-MS MAX-HEARTBEATS-PER-S (it is started by scheduling-bench itself)");
            return 2;
        }

        var name = Name(int.Parse(index, CultureInfo.InvariantCulture));
        var cluster = Environment.GetEnvironmentVariable(ClusterVariable) is { Length: > 0 } given ? given : null;
        if (Environment.GetEnvironmentVariable(CaVariable) is not { Length: > 0 } ca)
        {
            await Console.Error.WriteLineAsync($"scheduling-bench serve: needs ${CaVariable}, the run's CA certificate file (it is started by scheduling-bench itself)");
            return 2;
        }

        using var trust = ClusterTrust.Load(ca, revocationListFile: null);
        var calls = Environment.GetEnvironmentVariable(GrainCallCount.Variable) == "1" ? new GrainCallCount() : null;
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddSerilog(log => log
            .MinimumLevel.Warning()
            .MinimumLevel.Override("Orleans", LogEventLevel.Error)
            .WriteTo.Console(outputTemplate: name + " {Timestamp:HH:mm:ss.fff} {Level:u3} {Message:lj}{NewLine}{Exception}", standardErrorFromLevel: LogEventLevel.Verbose));
        builder.UseOrleans(orleans =>
        {
            orleans.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (ClusterId, ClusterId));
            orleans.Configure<SiloOptions>(o => o.SiloName = name);
            if (cluster is not null)
            {
                orleans.ConfigureEndpoints(IPAddress.Loopback, int.Parse(silo, CultureInfo.InvariantCulture), int.Parse(gateway, CultureInfo.InvariantCulture));
                orleans.AddFleetPodsPostgres(cluster);
                orleans.Configure<ClusterMembershipOptions>(MembershipTuning.Recommended.Apply);
            }
            else
            {
                orleans.UseLocalhostClustering(int.Parse(silo, CultureInfo.InvariantCulture), int.Parse(gateway, CultureInfo.InvariantCulture), serviceId: ClusterId, clusterId: ClusterId);
                orleans.AddMemoryGrainStorage(GrainStorage.Name);
            }

            orleans.AddFleetPodsGrains();
            if (calls is not null)
            {
                orleans.AddIncomingGrainCallFilter((IIncomingGrainCallFilter)calls);
                orleans.AddOutgoingGrainCallFilter((IOutgoingGrainCallFilter)calls);
            }
            orleans.Services.AddSingleton(trust);
            orleans.Services.Configure<NodeLivenessOptions>(o => (o.MinHeartbeatPeriod, o.MaxHeartbeatsPerSecond) =
                (TimeSpan.FromMilliseconds(int.Parse(minHeartbeat, CultureInfo.InvariantCulture)), int.Parse(maxHeartbeats, CultureInfo.InvariantCulture)));
        });

        using var collector = new CollectorPauses();
        var host = builder.Build();
        await host.StartAsync();
        Console.WriteLine("ready");
        await Console.In.ReadToEndAsync();
        foreach (var line in calls?.Lines() ?? [])
        {
            Console.WriteLine(line);
        }

        await Console.Out.FlushAsync();

        // No graceful stop (the host's would run on process exit): its grains' state goes with the run's database.
        Environment.Exit(0);
        return 0;
    }
}
