using FleetPods.Security;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace FleetPods.Silo.FrontDoor;

/// <summary>
/// Kestrel connection middleware of the HTTPS listener: once the TLS handshake has made the client present a
/// certificate, <see cref="ClusterTrust"/> says who it names and so which role the connection's requests hold. A
/// certificate that is not the cluster's (or a node's, which is no user's) holds none: its requests are refused
/// with the reason, rather than the handshake failing without one.
/// </summary>
public sealed class CertificateConnections(ClusterTrust trust, ILogger<CertificateConnections> logger)
{
    public ConnectionDelegate Wrap(ConnectionDelegate next) => async connection =>
    {
        if (connection.Features.Get<ITlsConnectionFeature>()?.ClientCertificate is not { } certificate)
        {
            CallerItems.Set(connection.Items, new ApiCaller("anonymous", null, ApiChannel.Https, "no client certificate was presented (curl --cert FILE --key FILE)"));
            await next(connection);
            return;
        }

        var identity = trust.Identify(certificate, out var refusal);
        if (identity is null)
        {
            logger.LogWarning("API connection {Connection}: {Refusal}", connection.ConnectionId, LogText.Of(refusal));
        }

        CallerItems.Set(connection.Items, identity is null
            ? new ApiCaller(LogText.Of(certificate.GetNameInfo(System.Security.Cryptography.X509Certificates.X509NameType.SimpleName, forIssuer: false)), null, ApiChannel.Https, LogText.Of(refusal))
            : new ApiCaller(identity.Name, identity.Role, ApiChannel.Https, identity.Role is null ? $"a {CertificateProfile.KindName(identity.Kind)} certificate is no user's" : null));
        await next(connection);
    };
}
