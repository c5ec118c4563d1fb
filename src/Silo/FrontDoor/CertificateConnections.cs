using System.Security.Cryptography.X509Certificates;
using FleetPods.Security;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace FleetPods.Silo.FrontDoor;

/// <summary>
/// Who calls over HTTPS. The TLS handshake admits only a certificate <see cref="ClusterTrust"/> identifies (none, one
/// of another CA, an expired or revoked one fails it, and the daemon logs why), so nothing answers an
/// unauthenticated caller; then the connection's requests hold the certificate's role (a node's holds none).
/// </summary>
public sealed class CertificateConnections(ClusterTrust trust, ILogger<CertificateConnections> logger)
{
    /// <summary>The handshake's judgement of the client's certificate (Kestrel itself refuses a client with none).</summary>
    public bool Admits(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        if (trust.Identify(certificate, out var refusal) is null)
        {
            logger.LogWarning("API over HTTPS: refused {Refusal}", LogText.Of(refusal));
            return false;
        }

        return true;
    }

    public ConnectionDelegate Wrap(ConnectionDelegate next) => async connection =>
    {
        // The handshake admitted the certificate; a connection that got here without one is closed all the same.
        if (connection.Features.Get<ITlsConnectionFeature>()?.ClientCertificate is not { } certificate
            || trust.Identify(certificate, out _) is not { } identity)
        {
            return;
        }

        CallerItems.Set(connection.Items, new ApiCaller(identity.Name, identity.Role, ApiChannel.Https,
            identity.Role is null ? $"a {CertificateProfile.KindName(identity.Kind)} certificate is no user's" : null));
        await next(connection);
    };
}
