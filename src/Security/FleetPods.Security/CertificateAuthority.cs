using System.Net;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace FleetPods.Security;

/// <summary>The cluster CA with its private key: issues node and client certificates and signs the revocation list.</summary>
public sealed class CertificateAuthority : IDisposable
{
    public const string DefaultName = "FleetPods CA";
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(3650);

    // A certificate is valid from a little before it is made, so a machine whose clock lags a minute accepts it.
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    private CertificateAuthority(X509Certificate2 certificate) => Certificate = certificate;

    /// <summary>The CA certificate, with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>A new CA: ECDSA P-256, valid ten years from <paramref name="now"/>, issuing end certificates only.</summary>
    public static CertificateAuthority Create(DateTimeOffset now, string name = DefaultName)
    {
        var subject = new X500DistinguishedNameBuilder();
        subject.AddCommonName(name);
        subject.AddOrganizationName("FleetPods");
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject.Build(), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: true, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        return new CertificateAuthority(request.CreateSelfSigned(now - ClockSkew, now + Lifetime));
    }

    /// <summary>The CA from its PEM files.</summary>
    /// <exception cref="PkiException">A file is missing, unreadable, not PEM, or the key is not the certificate's.</exception>
    public static CertificateAuthority Load(string certificateFile, string keyFile)
    {
        var certificate = PkiException.Reading(certificateFile, keyFile, () => X509Certificate2.CreateFromPemFile(certificateFile, keyFile));
        if (!CertificateProfile.IsAuthority(certificate))
        {
            certificate.Dispose();
            throw new PkiException($"{certificateFile} is not a CA certificate");
        }

        return new CertificateAuthority(certificate);
    }

    /// <summary>
    /// A certificate (with a fresh ECDSA P-256 key) for <paramref name="identity"/>, valid from <paramref name="now"/>
    /// for <paramref name="lifetime"/>, but never past the CA's own end.
    /// </summary>
    /// <param name="dnsNames">A node's names, as SANs (ignored for other kinds).</param>
    /// <param name="addresses">A node's addresses, as SANs (ignored for other kinds).</param>
    public X509Certificate2 Issue(CertificateIdentity identity, IEnumerable<string> dnsNames, IEnumerable<IPAddress> addresses, DateTimeOffset now, TimeSpan lifetime) =>
        Issue(identity, dnsNames, addresses, now - ClockSkew, now + lifetime);

    /// <summary>A certificate valid exactly from <paramref name="notBefore"/> to <paramref name="notAfter"/>.</summary>
    public X509Certificate2 Issue(CertificateIdentity identity, IEnumerable<string> dnsNames, IEnumerable<IPAddress> addresses, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentNullException.ThrowIfNull(dnsNames);
        ArgumentNullException.ThrowIfNull(addresses);
        if (notAfter > Certificate.NotAfter)
        {
            notAfter = Certificate.NotAfter;
        }

        if (notBefore < Certificate.NotBefore)
        {
            notBefore = Certificate.NotBefore;
        }

        if (notAfter <= notBefore)
        {
            throw new PkiException($"a certificate cannot end ({notAfter:u}) before it starts ({notBefore:u})");
        }

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(CertificateProfile.Subject(identity), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        var usages = new OidCollection { new Oid(CertificateProfile.ClientAuthentication) };
        if (identity.Kind == CertificateKind.Node)
        {
            usages.Add(new Oid(CertificateProfile.ServerAuthentication));
            var names = new SubjectAlternativeNameBuilder();
            var any = false;
            foreach (var dns in dnsNames)
            {
                names.AddDnsName(dns);
                any = true;
            }

            foreach (var address in addresses)
            {
                names.AddIpAddress(address);
                any = true;
            }

            if (any)
            {
                request.CertificateExtensions.Add(names.Build());
            }
        }

        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(usages, critical: false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        using var issued = request.Create(Certificate, notBefore, notAfter, CertificateProfile.NewSerialNumber());
        return issued.CopyWithPrivateKey(key);
    }

    /// <summary>
    /// The revocation list <paramref name="current"/> (DER, or null for none yet) plus <paramref name="revoked"/>,
    /// signed anew with the next CRL number. It names no next update the daemons enforce: the file is the authority.
    /// </summary>
    /// <exception cref="PkiException">The certificate is not this CA's, or <paramref name="current"/> is no CRL.</exception>
    public byte[] Revoke(byte[]? current, X509Certificate2 revoked, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(revoked);
        if (!string.Equals(revoked.Issuer, Certificate.Subject, StringComparison.Ordinal) || !IssuedThis(revoked))
        {
            throw new PkiException($"the certificate '{revoked.Subject}' was not issued by this CA");
        }

        CertificateRevocationListBuilder builder;
        BigInteger number = 0;
        try
        {
            builder = current is null ? new CertificateRevocationListBuilder() : CertificateRevocationListBuilder.Load(current, out number);
        }
        catch (CryptographicException ex)
        {
            throw new PkiException($"the current revocation list cannot be read: {ex.Message}");
        }

        // A repeat revocation leaves one entry, not two.
        builder.RemoveEntry(revoked.SerialNumberBytes.Span);
        builder.AddEntry(revoked, now, X509RevocationReason.Unspecified);
        using var rsa = Certificate.GetRSAPublicKey();
        return builder.Build(Certificate, number + 1, Certificate.NotAfter, HashAlgorithmName.SHA256, rsa is null ? null : RSASignaturePadding.Pkcs1, now);
    }

    public void Dispose() => Certificate.Dispose();

    private bool IssuedThis(X509Certificate2 certificate)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Certificate);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationFlags = X509VerificationFlags.IgnoreNotTimeValid;
        return chain.Build(certificate) && chain.ChainElements.Count == 2;
    }
}
