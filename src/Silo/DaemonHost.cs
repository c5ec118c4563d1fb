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

/// <summary>
/// Builds the fleetpodsd host: an Orleans silo that is also this machine's node (<see cref="DaemonMode.Node"/>), a
/// silo that holds the cluster's grains and runs no pods (<see cref="DaemonMode.Server"/>), or an Orleans client of
/// the servers that runs this machine's pods (<see cref="DaemonMode.Agent"/>); each serves the HTTP API.
/// </summary>
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
        if (!options.IsClusterMode)
        {
            SqliteStateDatabase.EnsureCreated(options.StateDatabasePath);
        }

        // A web application's host, empty of defaults (no configuration files, no environment), for the front door's Kestrel.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ContentRootPath = options.DataDirectory });
        builder.Services.AddSerilog(log => log
            .MinimumLevel.Information()
            // An agent's client warns, with a stack trace, at every attempt to reach a server that is down; NodeAgent says it once.
            .MinimumLevel.Override("Orleans", options.Mode == DaemonMode.Agent ? LogEventLevel.Error : LogEventLevel.Warning)
            .MinimumLevel.Override("Orleans.Connections.Security", LogEventLevel.Error) // a refused handshake: ClusterTls logs one line, not a stack trace
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
            .MinimumLevel.Override("Polly", LogEventLevel.Warning)
            .Enrich.WithProperty("Node", options.NodeName)
            .WriteTo.Console(outputTemplate: "{Timestamp:yyyy-MM-ddTHH:mm:ss.fffZ} {Level:u3} {Message:lj}{NewLine}{Exception}"));
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(15));

        if (options.Mode == DaemonMode.Agent)
        {
            builder.UseOrleansClient(client => AgentClient.Configure(client, options));
        }
        else
        {
            builder.UseOrleans(silo => ConfigureSilo(silo, options));
        }

        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(options.PodPolicy);
        if (options.Mode != DaemonMode.Server)
        {
            AddMachine(builder.Services, options);
        }

        builder.Services.AddFrontDoor();
        builder.AddFrontDoorListeners(options);
        var app = builder.Build();
        app.UseFrontDoor();
        if (options.Mode == DaemonMode.Server)
        {
            var log = app.Services.GetRequiredService<ILogger<DaemonOptions>>();
            app.Lifetime.ApplicationStarted.Register(() => log.LogInformation("Server {Node} ready: it holds the cluster's grains and runs no pods", options.NodeName));
        }

        return app;
    }

    private static void ConfigureSilo(ISiloBuilder silo, DaemonOptions options)
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
        silo.UseClusterTls(NodeCredentials.Load(options), agentsAttach: options.Mode == DaemonMode.Server);
    }

    // This machine's runtime and the agent that binds it to its node grain; a silo's node grain drives it in-process (LocalNode).
    private static void AddMachine(IServiceCollection services, DaemonOptions options)
    {
        services.AddSingleton(provider => new PodRuntime(
            new NodeRuntimeOptions(options.DataDirectory)
            {
                MaxImageSizeBytes = options.MaxImageSizeBytes,
                KvmKernel = options.KvmKernel,
                KvmAccelerator = options.KvmAccelerator,
            },
            provider.GetRequiredService<ILogger<PodRuntime>>()));
        services.AddSingleton<LaunchAnswers>();
        services.AddSingleton<LocalNodeRuntime>();
        if (options.Mode == DaemonMode.Node)
        {
            services.AddSingleton(provider => new LocalNode(options.NodeName, provider.GetRequiredService<LocalNodeRuntime>()));
        }

        services.AddSingleton<ILocalImageStore, LocalImageStore>();
        if (options.Mode == DaemonMode.Agent)
        {
            services.AddSingleton<AgentImageStore>();
        }

        services.AddHostedService<NodeAgent>();
    }
}
