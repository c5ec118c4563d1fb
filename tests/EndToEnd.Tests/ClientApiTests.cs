using System.Net;
using System.Security.Cryptography.X509Certificates;
using FleetPods.Grains;
using FleetPods.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;

namespace FleetPods.EndToEnd.Tests;

/// <summary>The .NET client example of docs/dotnet-client.md, run against a real fleetpodsd.</summary>
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
        var pki = daemon.PkiDirectory!;

        // docs/dotnet-client.md (keep the two in step)
        // The gateway admits admin certificates only, and proves itself with a node certificate of the same CA.
        var admin = X509Certificate2.CreateFromPemFile($"{pki}/admin.crt", $"{pki}/admin.key");
        var trust = ClusterTrust.Load(new PkiDirectory(pki));
        var builder = Host.CreateApplicationBuilder();
        builder.UseOrleansClient(client => client
            .UseStaticClustering(new IPEndPoint(IPAddress.Loopback, gatewayPort))
            .UseTls(admin, tls => tls.RemoteCertificateValidation = (server, _, _) => trust.Identify(server, out _)?.Kind == CertificateKind.Node)
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
        // end of docs/dotnet-client.md's example

        Assert.Equal((PodPhase.Exited, 6), (status.Pod!.Phase, status.Pod.ExitCode));
        await host.StopAsync();
    }
}
