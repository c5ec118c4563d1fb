using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using FleetPods.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Connections.Security;

namespace FleetPods.Silo.Security;

/// <summary>
/// TLS on every Orleans connection, both ends authenticated, with a policy per listener: the silo port admits node
/// certificates only (a silo joins only with one), the gateway admin certificates only (the raw gateway is for .NET
/// programs and admins; roles are enforced at the HTTP front door), and a server's gateway node certificates too (its
/// agents attach through it). A silo dialling another, and an agent dialling a server, accept only a node.
/// </summary>
internal static class ClusterTls
{
    // Other TLS failures Orleans logs itself; these name who was refused and why.
    private static readonly Action<ILogger, string, string, string, Exception?> LogRefused =
        LoggerMessage.Define<string, string, string>(LogLevel.Warning, new EventId(1, "TlsRefused"), "TLS: refused a connection to the {Listener}, which admits {Kind} certificates only: {Refusal}");

    private static readonly CertificateKind[] Nodes = [CertificateKind.Node];

    /// <param name="agentsAttach">A server's gateway: agents attach through it with their node certificates.</param>
    public static ISiloBuilder UseClusterTls(this ISiloBuilder silo, NodeCredentials credentials, bool agentsAttach)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(credentials);
        CertificateKind[] gateway = agentsAttach ? [CertificateKind.Admin, CertificateKind.Node] : [CertificateKind.Admin];
        silo.Services.AddSingleton(credentials);
        silo.Services.AddSingleton(credentials.Trust);
        silo.Services.AddOptions<SiloConnectionOptions>().Configure<ILoggerFactory>((connections, loggers) =>
        {
            var log = loggers.CreateLogger(typeof(ClusterTls).FullName!);
            connections.ConfigureSiloInboundConnection(c => c.UseServerTls(Options(credentials, Nodes, "silo port", log)));
            connections.ConfigureGatewayInboundConnection(c => c.UseServerTls(Options(credentials, gateway, "gateway", log)));
            connections.ConfigureSiloOutboundConnection(c => c.UseClientTls(Options(credentials, Nodes, "silo it dialled", log)));
        });
        return silo;
    }

    /// <summary>An agent's connections to the servers' gateways: its node certificate, and only a node's accepted back.</summary>
    public static IClientBuilder UseClusterTls(this IClientBuilder client, NodeCredentials credentials)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(credentials);
        client.Services.AddSingleton(credentials);
        client.Services.AddSingleton(credentials.Trust);
        client.Services.AddOptions<ClientConnectionOptions>().Configure<ILoggerFactory>((connections, loggers) =>
        {
            var log = loggers.CreateLogger(typeof(ClusterTls).FullName!);
            connections.ConfigureConnection(c => c.UseClientTls(Options(credentials, Nodes, "server it dialled", log)));
        });
        return client;
    }

    private static TlsOptions Options(NodeCredentials credentials, CertificateKind[] admitted, string listener, ILogger log) => new()
    {
        LocalCertificate = credentials.Certificate,
        RemoteCertificateMode = RemoteCertificateMode.RequireCertificate,
        ClientCertificateMode = RemoteCertificateMode.RequireCertificate,
        SslProtocols = SslProtocols.Tls13,
        // The chain's own verdict (system roots, host names) is not ours to take: ClusterTrust decides.
        RemoteCertificateValidation = (certificate, _, _) => Admits(credentials.Trust, certificate, admitted, listener, log),
    };

    private static bool Admits(ClusterTrust trust, X509Certificate2 certificate, CertificateKind[] admitted, string listener, ILogger log)
    {
        var identity = trust.Identify(certificate, out var refusal);
        if (identity is not null && admitted.Contains(identity.Kind))
        {
            return true;
        }

        LogRefused(log, listener, string.Join(" and ", admitted.Select(CertificateProfile.KindName)), identity is null ? refusal : $"certificate '{CertificateProfile.PrintableSubject(certificate)}' is {identity}", null);
        return false;
    }
}
