using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using FleetPods.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;

namespace FleetPods.Cli;

/// <summary>An Orleans client connected to one or more fleetpodsd gateways.</summary>
public sealed class ClusterConnection : IAsyncDisposable
{
    private const string ClusterId = "fleetpods";
    private const string ServiceId = "fleetpods";

    // One TCP connect per endpoint, all at once: an endpoint that is down or black-holed costs this at most, once.
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(1);

    // Every endpoint Orleans is given answered the probe a moment ago; one that dies since is given up on this fast.
    // It includes the TLS handshake, which a daemon's first connection took over 2 s for on a loaded machine.
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);

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

        // Orleans, given a gateway that does not answer, waits out its connect timeout (5 s) in the middle of a
        // command, and again for each retry; measured 5.5-15.6 s for one black-holed endpoint among live ones.
        var answering = await Answering(gateways, cancellationToken);
        if (answering.Length == 0)
        {
            throw new CliException($"cannot reach fleetpodsd at {string.Join(", ", endpoints)}: is it running?");
        }

        // The raw gateway admits admin certificates only; it proves itself with a node certificate of the same CA.
        var (certificate, trust) = Credentials();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.UseOrleansClient(client => client
            .UseStaticClustering(answering)
            .UseTls(certificate, tls =>
            {
                tls.SslProtocols = SslProtocols.Tls13;
                tls.RemoteCertificateValidation = (presented, _, _) => trust.Identify(presented, out _)?.Kind == CertificateKind.Node;
            })
            .Configure<ConnectionOptions>(o => o.OpenConnectionTimeout = ConnectTimeout)
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
        catch (Exception ex) when (ex is OrleansException or SocketException or TimeoutException)
        {
            host.Dispose();
            throw new CliException($"cannot reach fleetpodsd at {string.Join(", ", answering.Select(a => a.ToString()))}: it accepts connections but does not answer as a fleetpodsd gateway that admits the admin certificate {certificate.Subject}");
        }

        return new ClusterConnection(host);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await host.StopAsync(TimeSpan.FromSeconds(2));
        }
        catch (Exception ex) when (ex is OrleansException or SocketException or TimeoutException or OperationCanceledException)
        {
            // The command has its answer; a gateway that went away meanwhile cannot take the goodbye, and that is no failure of the command.
        }
        finally
        {
            host.Dispose();
        }
    }

    /// <summary>
    /// The admin certificate (<c>$FLEETPODS_CLIENT_CERT</c>, <c>$FLEETPODS_CLIENT_KEY</c>) and the cluster CA
    /// (<c>$FLEETPODS_CA_CERT</c>); root's defaults are the single-machine daemon's, in /var/lib/fleetpods/pki.
    /// </summary>
    private static (X509Certificate2 Certificate, ClusterTrust Trust) Credentials()
    {
        var pki = PkiDirectory.InDataDirectory("/var/lib/fleetpods");
        var certificateFile = Setting("FLEETPODS_CLIENT_CERT", pki.AdminCertificate);
        var keyFile = Setting("FLEETPODS_CLIENT_KEY", pki.AdminKey);
        var caFile = Setting("FLEETPODS_CA_CERT", pki.CaCertificate);
        try
        {
            return (CertificateProfile.ReadCertificate(certificateFile, keyFile), ClusterTrust.Load(caFile, null));
        }
        catch (PkiException ex)
        {
            throw new CliException($"the gateway needs an admin certificate ($FLEETPODS_CLIENT_CERT, $FLEETPODS_CLIENT_KEY, $FLEETPODS_CA_CERT): {ex.Message}");
        }

        static string Setting(string variable, string fallback) =>
            Environment.GetEnvironmentVariable(variable) is { Length: > 0 } given ? given : fallback;
    }

    private static async Task<IPEndPoint[]> Answering(List<IPEndPoint> gateways, CancellationToken cancellationToken)
    {
        var answered = await Task.WhenAll(gateways.Distinct().Select(async gateway => await Answers(gateway, cancellationToken) ? gateway : null));
        return [.. answered.OfType<IPEndPoint>()];
    }

    private static async Task<bool> Answers(IPEndPoint gateway, CancellationToken cancellationToken)
    {
        using var socket = new Socket(gateway.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ProbeTimeout);
        try
        {
            await socket.ConnectAsync(gateway, timeout.Token);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
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
