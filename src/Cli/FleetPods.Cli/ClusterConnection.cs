using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Orleans.Runtime.Messaging;

namespace FleetPods.Cli;

/// <summary>An Orleans client connected to one or more fleetpodsd gateways.</summary>
public sealed class ClusterConnection : IAsyncDisposable
{
    private const string ClusterId = "fleetpods";
    private const string ServiceId = "fleetpods";

    private readonly IHost host;

    private ClusterConnection(IHost host) => this.host = host;

    public IClusterClient Client => host.Services.GetRequiredService<IClusterClient>();

    /// <exception cref="CliException">No gateway answered.</exception>
    public static async Task<ClusterConnection> Open(IReadOnlyList<string> endpoints, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var gateways = new List<IPEndPoint>();
        foreach (var endpoint in endpoints)
        {
            gateways.Add(await Resolve(endpoint, cancellationToken));
        }

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.UseOrleansClient(client => client
            .UseStaticClustering([.. gateways])
            // Orleans' default keeps retrying for minutes; a person at a prompt wants the answer now.
            .UseConnectionRetryFilter((_, _) => Task.FromResult(false))
            .Configure<ClusterOptions>(o =>
            {
                o.ClusterId = ClusterId;
                o.ServiceId = ServiceId;
            }));
        var host = builder.Build();
        try
        {
            await host.StartAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is SiloUnavailableException or ConnectionFailedException or SocketException or OrleansException or TimeoutException)
        {
            host.Dispose();
            throw new CliException($"cannot reach fleetpodsd at {string.Join(", ", endpoints)}: is it running? ({ex.Message.Split('\n')[0]})");
        }

        return new ClusterConnection(host);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await host.StopAsync(TimeSpan.FromSeconds(2));
        }
        finally
        {
            host.Dispose();
        }
    }

    private static async Task<IPEndPoint> Resolve(string endpoint, CancellationToken cancellationToken)
    {
        var colon = endpoint.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(endpoint.AsSpan(colon + 1), out var port) || port is < 1 or > 65535)
        {
            throw new CliException($"--endpoint '{endpoint}' is not HOST:PORT");
        }

        var hostName = endpoint[..colon].Trim('[', ']');
        if (IPAddress.TryParse(hostName, out var address))
        {
            return new IPEndPoint(address, port);
        }

        try
        {
            var addresses = await Dns.GetHostAddressesAsync(hostName, cancellationToken);
            var chosen = addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.First();
            return new IPEndPoint(chosen, port);
        }
        catch (SocketException ex)
        {
            throw new CliException($"--endpoint '{endpoint}': cannot resolve host '{hostName}': {ex.Message}");
        }
    }
}
