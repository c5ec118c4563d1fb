using System.Net;
using FleetPods.Grains;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;

namespace FleetPods.EndToEnd.Tests;

/// <summary>The README's .NET client example, run against a real fleetpodsd.</summary>
public sealed class ClientApiTests : IClassFixture<BusyboxImage>, IAsyncLifetime
{
    private readonly BusyboxImage image;
    private readonly FleetPodsDaemon daemon = new();

    public ClientApiTests(BusyboxImage image) => this.image = image;

    public async Task InitializeAsync()
    {
        await daemon.StartWith(image);
    }

    public async Task DisposeAsync() => await daemon.DisposeAsync();

    [RequiresFact(Requires.Root)]
    public async Task A_program_submits_and_starts_a_unit_through_the_grain_interfaces()
    {
        var gatewayPort = daemon.GatewayPort;

        // README: "The .NET client API" (keep the two in step)
        var builder = Host.CreateApplicationBuilder();
        builder.UseOrleansClient(client => client
            .UseStaticClustering(new IPEndPoint(IPAddress.Loopback, gatewayPort))
            .Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = ("fleetpods", "fleetpods")));
        using var host = builder.Build();
        await host.StartAsync();
        var cluster = host.Services.GetRequiredService<IClusterClient>();

        var unit = cluster.GetGrain<IUnitGrain>("api.pod");
        var submitted = await unit.Submit("api.pod", """
            [Pod]
            Image=example.com/busybox
            Exec=/bin/sh -c "exit 6"
            """);
        if (!submitted.Succeeded)
        {
            throw new InvalidOperationException(string.Join("\n", submitted.Errors));
        }

        var status = await unit.Start();
        while (status.Pod is { HasEnded: false })
        {
            await Task.Delay(200);
            status = (await unit.GetStatus())!;
        }
        // end of README example

        Assert.Equal((PodPhase.Exited, 6), (status.Pod!.Phase, status.Pod.ExitCode));
        await host.StopAsync();
    }
}
