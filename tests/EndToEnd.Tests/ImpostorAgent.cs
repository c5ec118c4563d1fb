using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using FleetPods.Grains;
using FleetPods.Grains.UnitFiles;
using FleetPods.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;

namespace FleetPods.EndToEnd.Tests;

/// <summary>
/// A program of an attacker's own, not fleetpodsd (which refuses a certificate that is not its --node-name's): an
/// Orleans client of a server's gateway over the cluster's TLS with a node certificate and key it holds, and a machine
/// the node grain would drive, which runs nothing and records every pod it is sent.
/// </summary>
internal sealed class ImpostorAgent : INodeAgent, IAsyncDisposable
{
    private readonly IHost host;
    private readonly INodeAgent reference;

    private ImpostorAgent(IHost host, X509Certificate2 certificate)
    {
        this.host = host;
        Certificate = certificate;
        Client = host.Services.GetRequiredService<IClusterClient>();
        reference = Client.CreateObjectReference<INodeAgent>(this);
    }

    public X509Certificate2 Certificate { get; }

    public IClusterClient Client { get; }

    /// <summary>The pods any node grain sent it.</summary>
    public ConcurrentDictionary<string, PodSpec> Received { get; } = new();

    /// <summary>Connects to <paramref name="gatewayPort"/> with the node certificate and key in <paramref name="pki"/> (node.crt, node.key, ca.crt).</summary>
    public static async Task<ImpostorAgent> Connect(int gatewayPort, PkiDirectory pki)
    {
        var certificate = X509Certificate2.CreateFromPemFile(pki.NodeCertificate, pki.NodeKey);
        var trust = ClusterTrust.Load(pki);
        var builder = Host.CreateApplicationBuilder();
        builder.UseOrleansClient(client => client
            .UseStaticClustering(new IPEndPoint(IPAddress.Loopback, gatewayPort))
            .UseTls(certificate, tls => tls.RemoteCertificateValidation = (server, _, _) => trust.Identify(server, out _)?.Kind == CertificateKind.Node)
            .Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = ("fleetpods", "fleetpods")));
        var host = builder.Build();
        await host.StartAsync();
        return new ImpostorAgent(host, certificate);
    }

    /// <summary>Attaches as <paramref name="node"/> with a fresh challenge of its grain, signed with the key it holds.</summary>
    public async Task<AgentSession> AttachAs(string node)
    {
        var grain = Client.GetGrain<INodeGrain>(node);
        var proof = AttachProof.Sign(node, await grain.Challenge(), Certificate);
        var announcement = new NodeAnnouncement("127.0.0.1:1", new Dictionary<string, string> { ["disk"] = "ssd" }, new ResourceRequest(64L << 30, 64_000), Enum.GetValues<Stage1Flavor>());
        return await grain.Attach(reference, announcement, [], proof);
    }

    public Task<RuntimePod> RunPod(string podId, PodSpec spec)
    {
        Received[podId] = spec;
        return Task.FromResult(new RuntimePod(podId, PodPhase.Preparing, null, null, DateTimeOffset.UtcNow));
    }

    public Task<PodStateReport> StopPod(string podId, TimeSpan grace) =>
        Task.FromResult(new PodStateReport("impostor", PodPhase.Exited, 143, null, DateTimeOffset.UtcNow));

    public Task RemovePod(string podId, TimeSpan grace) => Task.CompletedTask;

    public Task<PodLog> ReadPodLog(string podId, long offset, int maxBytes) => Task.FromResult(new PodLog(offset, [], offset, true));

    public Task<string?> ReadPodManifest(string podId) => Task.FromResult<string?>(null);

    public Task WritePodInput(string podId, string? session, byte[] data, bool endOfInput) => Task.CompletedTask;

    public Task ResizePodTerminal(string podId, string? session, TerminalSize size) => Task.CompletedTask;

    public Task<string> StartPodSession(string podId, PodEnterRequest request) => Task.FromResult("session");

    public Task<PodSessionOutput> ReadPodSessionOutput(string podId, string session, long offset, int maxBytes) =>
        Task.FromResult(new PodSessionOutput(offset, [], offset, 0));

    public Task EndPodSession(string podId, string session) => Task.CompletedTask;

    public Task<IReadOnlyList<string>> CollectPodGarbage(TimeSpan gracePeriod) => Task.FromResult<IReadOnlyList<string>>([]);

    public async ValueTask DisposeAsync()
    {
        Client.DeleteObjectReference<INodeAgent>(reference);
        await host.StopAsync();
        host.Dispose();
        Certificate.Dispose();
    }
}
