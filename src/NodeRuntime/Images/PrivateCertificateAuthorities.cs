using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace FleetPods.NodeRuntime.Images;

/// <summary>
/// HTTPS verified against the CAs a caller handed over (<c>--ca-file</c>, sent as PEM) instead of the system's: a
/// registry's, or a discovery server's and the storage it names.
/// </summary>
internal static class PrivateCertificateAuthorities
{
    /// <exception cref="ImageImportException">The text holds no PEM certificate.</exception>
    public static X509Certificate2Collection Read(string pem)
    {
        var roots = new X509Certificate2Collection();
        try
        {
            roots.ImportFromPem(pem);
        }
        catch (CryptographicException ex)
        {
            throw new ImageImportException($"the CA certificates are not PEM: {ex.Message}", ex);
        }

        return roots.Count > 0 ? roots : throw new ImageImportException("the CA file holds no PEM certificate");
    }

    /// <summary>The server's chain must end at one of <paramref name="roots"/> (and only those); its name must match, as always.</summary>
    public static RemoteCertificateValidationCallback TrustOnly(X509Certificate2Collection roots) => (_, certificate, _, errors) =>
    {
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch) || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = new X509Certificate2(certificate);
        return chain.Build(leaf);
    };
}
