using System.Net;

namespace FleetPods.Security;

/// <summary>
/// The embedded single-machine default's certificates, made at its first start so one command brings it up: a CA, a
/// node certificate for this machine (localhost and its name) and an admin certificate for root's CLI and programs.
/// </summary>
public static class SingleMachinePki
{
    public static readonly TimeSpan Lifetime = CertificateAuthority.Lifetime;

    /// <summary>Makes what is missing of ca, node and admin; leaves what exists alone.</summary>
    /// <returns>The files written (none when all were there).</returns>
    /// <exception cref="PkiException">A file cannot be written, or a certificate is there without the CA's key.</exception>
    public static IReadOnlyList<string> Ensure(PkiDirectory pki, string nodeName, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(pki);
        pki.Ensure();
        var written = new List<string>();
        if (!File.Exists(pki.CaCertificate))
        {
            written.AddRange(pki.CreateAuthority(now));
        }

        if (!File.Exists(pki.NodeCertificate))
        {
            written.AddRange(pki.Issue(
                new CertificateIdentity(nodeName, CertificateKind.Node),
                nodeName != "localhost" && Uri.CheckHostName(nodeName) == UriHostNameType.Dns ? ["localhost", nodeName] : ["localhost"],
                [IPAddress.Loopback, IPAddress.IPv6Loopback],
                Lifetime,
                "node",
                now));
        }

        if (!File.Exists(pki.AdminCertificate))
        {
            written.AddRange(pki.Issue(new CertificateIdentity("root", CertificateKind.Admin), [], [], Lifetime, "admin", now));
        }

        return written;
    }
}
