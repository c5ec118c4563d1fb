using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace FleetPods.Cli.Native.Addressing;

/// <summary>
/// The files HTTPS needs: the caller's certificate and key (who it is to the daemon) and the cluster CA (who the
/// daemon must be). Each comes from its option, else its environment variable, else, for root only, the embedded
/// default's files in <c>/var/lib/fleetpods/pki</c>.
/// </summary>
internal sealed record ClientCredentials(string? Certificate, string? Key, string? Authority)
{
    public const string DefaultDirectory = "/var/lib/fleetpods/pki";

    public static ClientCredentials From(string? certificate, string? key, string? authority, Func<string, string?> environment, bool isRoot)
    {
        string? Pick(string? given, string variable, string file) =>
            given is { Length: > 0 } ? given
            : environment(variable) is { Length: > 0 } set ? set
            : isRoot ? Path.Combine(DefaultDirectory, file) : null;

        return new(
            Pick(certificate, "FLEETPODS_CLIENT_CERT", "admin.crt"),
            Pick(key, "FLEETPODS_CLIENT_KEY", "admin.key"),
            Pick(authority, "FLEETPODS_CA_CERT", "ca.crt"));
    }

    /// <exception cref="CliException">A file is not given or cannot be read.</exception>
    public X509Certificate2 LoadCertificate(ApiEndpoint endpoint)
    {
        if (Certificate is null || Key is null)
        {
            throw new CliException($"HTTPS to {endpoint} needs a client certificate: give --client-cert and --client-key (or FLEETPODS_CLIENT_CERT and FLEETPODS_CLIENT_KEY)");
        }

        try
        {
            return X509Certificate2.CreateFromPemFile(Certificate, Key);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            throw new CliException($"cannot use the client certificate {Certificate} with key {Key}: {ex.Message}");
        }
    }

    /// <exception cref="CliException">The CA is not given or cannot be read.</exception>
    public X509Certificate2 LoadAuthority(ApiEndpoint endpoint)
    {
        if (Authority is null)
        {
            throw new CliException($"HTTPS to {endpoint} needs the cluster CA's certificate: give --ca-cert (or FLEETPODS_CA_CERT)");
        }

        try
        {
            return X509CertificateLoader.LoadCertificate(File.ReadAllBytes(Authority));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw new CliException($"cannot use the CA certificate {Authority}: {ex.Message}");
        }
    }
}
