using FleetPods.Grains;
using FleetPods.Grains.Images;
using FleetPods.Grains.Nodes;
using FleetPods.NodeRuntime;
using FleetPods.Silo.FrontDoor;
using FleetPods.Silo.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Serilog;
using Serilog.Events;

namespace FleetPods.Silo;

/// <summary>Builds the fleetpodsd host: an Orleans silo that is also this machine's node.</summary>
public static class DaemonHost
{
    public const string ClusterId = "fleetpods";
    public const string ServiceId = "fleetpods";

    public static IHost Build(DaemonOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        // A directory made here is root's alone; one the admin gave is left as it is (it may be shared), and what holds
        // secrets below it is root's alone by itself (the state database here, pods' records in PodRuntime).
        Directory.CreateDirectory(options.DataDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        if (options.ClusterConnectionString is null)
        {
            SqliteStateDatabase.EnsureCreated(options.StateDatabasePath);
        }

        // A web application's host, empty of defaults (no configuration files, no environment), for the front door's Kestrel.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ContentRootPath = options.DataDirectory });
        builder.Services.AddSerilog(log => log
            .MinimumLevel.Information()
            .MinimumLevel.Override("Orleans", LogEventLevel.Warning)
            .MinimumLevel.Override("Orleans.Connections.Security", LogEventLevel.Error) // a refused handshake: ClusterTls logs one line, not a stack trace
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
            .MinimumLevel.Override("Polly", LogEventLevel.Warning)
            .Enrich.WithProperty("Node", options.NodeName)
            .WriteTo.Console(outputTemplate: "{Timestamp:yyyy-MM-ddTHH:mm:ss.fffZ} {Level:u3} {Message:lj}{NewLine}{Exception}"));
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(15));

        builder.UseOrleans(silo =>
        {
            if (options.ClusterConnectionString is { } cluster)
            {
                silo.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (ClusterId, ServiceId));
                silo.ConfigureEndpoints(options.AdvertisedAddress, options.SiloPort, options.GatewayPort, listenOnAnyHostAddress: true);
                silo.Configure<ClusterMembershipOptions>(options.Membership.Apply);
                silo.AddFleetPodsPostgres(cluster);
            }
            else
            {
                silo.UseLocalhostClustering(options.SiloPort, options.GatewayPort, serviceId: ServiceId, clusterId: ClusterId);
                silo.AddFleetPodsSqliteStorage(options.StateDatabasePath);
            }

            silo.Configure<SiloOptions>(o => o.SiloName = options.NodeName);
            silo.AddFleetPodsGrains();
            silo.UseClusterTls(NodeCredentials.Load(options));
        });

        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(options.PodPolicy);
        builder.Services.AddSingleton(services => new PodRuntime(
            new NodeRuntimeOptions(options.DataDirectory)
            {
                MaxImageSizeBytes = options.MaxImageSizeBytes,
                KvmKernel = options.KvmKernel,
                KvmAccelerator = options.KvmAccelerator,
            },
            services.GetRequiredService<ILogger<PodRuntime>>()));
        builder.Services.AddSingleton<LocalNodeRuntime>();
        builder.Services.AddSingleton(services => new LocalNode(options.NodeName, services.GetRequiredService<LocalNodeRuntime>()));
        builder.Services.AddSingleton<ILocalImageStore, LocalImageStore>();
        builder.Services.AddHostedService<NodeAgent>();
        builder.Services.AddFrontDoor();
        builder.AddFrontDoorListeners(options);
        var app = builder.Build();
        app.UseFrontDoor();
        return app;
    }
}
