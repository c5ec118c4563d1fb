using System.Security.Cryptography.X509Certificates;

namespace FleetPods.Security;

/// <summary>
/// Decides, for the whole daemon, whether a presented certificate is one of this cluster's: issued by the cluster CA
/// (ca.crt, and no other root: the system's are never consulted), inside its validity period, not revoked by
/// <c>crl.pem</c> (read offline, and again whenever the file changes), with a valid CN and a known OU.
/// </summary>
public sealed class ClusterTrust : IDisposable
{
    private readonly string? revocationListPath;
    private readonly TimeProvider time;
    private readonly Lock gate = new();
    private RevocationState revocation = new(null, RevocationList.Empty, null);

    private ClusterTrust(X509Certificate2 authority, string? revocationListPath, TimeProvider time)
    {
        Authority = authority;
        this.revocationListPath = revocationListPath;
        this.time = time;
    }

    /// <summary>The cluster CA's certificate.</summary>
    public X509Certificate2 Authority { get; }

    /// <summary>The trust of the PKI directory <paramref name="pki"/>: its ca.crt and, when present, crl.pem.</summary>
    /// <exception cref="PkiException">ca.crt is missing, unreadable or not a CA certificate.</exception>
    public static ClusterTrust Load(PkiDirectory pki, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(pki);
        if (!File.Exists(pki.CaCertificate))
        {
            throw new PkiException($"{pki.CaCertificate} does not exist (make the cluster CA with: fleetpods cert ca create --dir {pki.Path})");
        }

        return Load(pki.CaCertificate, pki.RevocationList, time);
    }

    /// <summary>The trust of a CA certificate file and an optional revocation list file (a client's view: <c>--ca-cert</c>).</summary>
    /// <exception cref="PkiException">The CA file is missing, unreadable or not a CA certificate.</exception>
    public static ClusterTrust Load(string caCertificateFile, string? revocationListFile, TimeProvider? time = null)
    {
        var authority = CertificateProfile.ReadCertificate(caCertificateFile);
        if (!CertificateProfile.IsAuthority(authority))
        {
            authority.Dispose();
            throw new PkiException($"{caCertificateFile} is not a CA certificate");
        }

        return new ClusterTrust(authority, revocationListFile, time ?? TimeProvider.System);
    }

    /// <summary>
    /// Who <paramref name="certificate"/> names, when it is one of this cluster's; else null and, in
    /// <paramref name="refusal"/>, one line saying why (for the log and the one refused).
    /// </summary>
    public CertificateIdentity? Identify(X509Certificate2 certificate, out string refusal)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var now = time.GetUtcNow();
        var subject = CertificateProfile.PrintableSubject(certificate);
        if (now < certificate.NotBefore.ToUniversalTime())
        {
            refusal = $"certificate '{subject}' is not valid before {certificate.NotBefore.ToUniversalTime():u}";
            return null;
        }

        if (now > certificate.NotAfter.ToUniversalTime())
        {
            refusal = $"certificate '{subject}' expired at {certificate.NotAfter.ToUniversalTime():u}";
            return null;
        }

        if (!ChainsToAuthority(certificate, now.UtcDateTime, out var chainProblem))
        {
            refusal = $"certificate '{subject}' is not issued by this cluster's CA ({chainProblem})";
            return null;
        }

        if (CertificateProfile.IsAuthority(certificate))
        {
            refusal = $"certificate '{subject}' is a CA certificate, not a node's or a user's";
            return null;
        }

        if (!CertificateProfile.HasUsage(certificate, CertificateProfile.ClientAuthentication))
        {
            refusal = $"certificate '{subject}' is not for client authentication";
            return null;
        }

        if (CurrentRevocations(out var revocationProblem) is not { } revocations)
        {
            // A revocation list that cannot be trusted may be hiding a revocation: refuse everyone until it is fixed.
            refusal = $"certificate '{subject}' cannot be checked for revocation: {revocationProblem}";
            return null;
        }

        if (revocations.Revokes(certificate))
        {
            refusal = $"certificate '{subject}' (serial {certificate.SerialNumber}) is revoked";
            return null;
        }

        if (CertificateProfile.ReadSubject(certificate, out var subjectProblem) is not { } identity)
        {
            refusal = $"certificate: {subjectProblem}";
            return null;
        }

        refusal = "";
        return identity;
    }

    /// <summary>
    /// The caller a client certificate authenticates: as <see cref="Identify"/>, and refused when it is a node's
    /// (a node certificate is a machine's, it holds no user role).
    /// </summary>
    public Caller? IdentifyCaller(X509Certificate2 certificate, out string refusal)
    {
        if (Identify(certificate, out refusal) is not { } identity)
        {
            return null;
        }

        if (identity.Role is not { } role)
        {
            refusal = $"certificate '{CertificateProfile.PrintableSubject(certificate)}' is a node's, not a user's";
            return null;
        }

        return new Caller(identity.Name, role);
    }

    public void Dispose() => Authority.Dispose();

    private bool ChainsToAuthority(X509Certificate2 certificate, DateTime now, out string problem)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.VerificationTime = now;
        chain.ChainPolicy.VerificationTimeIgnored = false;
        if (chain.Build(certificate) && chain.ChainElements.Count == 2
            && chain.ChainElements[1].Certificate.RawDataMemory.Span.SequenceEqual(Authority.RawDataMemory.Span))
        {
            problem = "";
            return true;
        }

        var status = chain.ChainStatus.Select(s => s.Status.ToString()).Distinct().ToArray();
        problem = status.Length == 0 ? "not issued directly by it" : string.Join(", ", status);
        return false;
    }

    private RevocationList? CurrentRevocations(out string problem)
    {
        if (revocationListPath is null)
        {
            problem = "";
            return RevocationList.Empty;
        }

        var file = new FileInfo(revocationListPath);
        // crl.pem is replaced by a rename of a freshly written file, so its modification time (nanoseconds) changes.
        var stamp = file.Exists ? (file.LastWriteTimeUtc, file.Length) : default((DateTime, long)?);
        lock (gate)
        {
            if (revocation.Stamp != stamp)
            {
                revocation = stamp is null ? new RevocationState(null, RevocationList.Empty, null) : Reread(stamp);
            }

            problem = revocation.Problem ?? "";
            return revocation.Problem is null ? revocation.List : null;
        }
    }

    private RevocationState Reread((DateTime, long)? stamp)
    {
        try
        {
            return new RevocationState(stamp, RevocationList.Read(revocationListPath!, Authority), null);
        }
        catch (PkiException ex)
        {
            return new RevocationState(stamp, RevocationList.Empty, ex.Message);
        }
    }

    private sealed record RevocationState((DateTime, long)? Stamp, RevocationList List, string? Problem);
}
