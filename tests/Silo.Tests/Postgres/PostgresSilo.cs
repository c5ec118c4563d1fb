using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using FleetPods.Silo.Security;
using Orleans.Configuration;

namespace FleetPods.Silo.Tests.Postgres;

/// <summary>A real Orleans silo configured for cluster mode exactly as fleetpodsd does it, on loopback ports of its own.</summary>
public sealed class PostgresSilo : IAsyncDisposable
{
    private readonly IHost host;

    private PostgresSilo(IHost host, string name, int gatewayPort)
    {
        this.host = host;
        Name = name;
        GatewayPort = gatewayPort;
    }

    public string Name { get; }

    public int GatewayPort { get; }

    public IServiceProvider Services => host.Services;

    public static async Task<PostgresSilo> Start(string connectionString, string clusterId, string name)
    {
        var (siloPort, gatewayPort) = (TestPorts.Reserve(), TestPorts.Reserve());
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.UseOrleans(silo =>
        {
            silo.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (clusterId, clusterId));
            silo.ConfigureEndpoints(IPAddress.Loopback, siloPort, gatewayPort);
            silo.Configure<SiloOptions>(o => o.SiloName = name);
            silo.Configure<ClusterMembershipOptions>(MembershipTuning.Recommended.Apply);
            silo.AddFleetPodsPostgres(connectionString);
            silo.UseClusterTls(TestCredentials.Node, agentsAttach: false);
        });
        var host = builder.Build();
        await host.StartAsync();
        return new PostgresSilo(host, name, gatewayPort);
    }

    public T Get<T>()
        where T : notnull => host.Services.GetRequiredService<T>();

    public async Task Stop() => await host.StopAsync();

    public async ValueTask DisposeAsync()
    {
        await host.StopAsync();
        host.Dispose();
    }

}
