using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace FleetPods.Cli.Native.Addressing;

/// <summary>
/// Accepts a daemon's certificate only if it chains to the cluster CA (never the system's trust store: any public CA
/// would otherwise vouch for a fleetpodsd), is meant for servers, and names the host the command asked for.
/// </summary>
internal sealed class ServerCertificateCheck(X509Certificate2 authority)
{
    private const string ServerAuthentication = "1.3.6.1.5.5.7.3.1";

    /// <summary>Why the last certificate was refused, for the one line the command prints.</summary>
    public string? Refusal { get; private set; }

    public bool Validate(object sender, X509Certificate? certificate, X509Chain? _, SslPolicyErrors errors)
    {
        if (certificate is null)
        {
            Refusal = "it presented no certificate";
            return false;
        }

        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            Refusal = $"its certificate ({certificate.Subject}) does not name the host asked for";
            return false;
        }

        using var presented = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid(ServerAuthentication));
        if (chain.Build(presented))
        {
            return true;
        }

        Refusal = $"its certificate ({presented.Subject}) is not a server certificate of the cluster CA {authority.Subject}: "
            + string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct(StringComparer.Ordinal));
        return false;
    }
}
