using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace FleetPods.Tests;

/// <summary>A CA made for one test, valid for two days, that signs server certificates for 127.0.0.1 and localhost valid for one.</summary>
public sealed class TestCertificateAuthority : IDisposable
{
    private readonly ECDsa key;
    private readonly X509Certificate2 certificate;

    private TestCertificateAuthority(ECDsa key, X509Certificate2 certificate)
    {
        this.key = key;
        this.certificate = certificate;
    }

    public string CertificatePem => certificate.ExportCertificatePem();

    public static TestCertificateAuthority Create(string name)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        // Longer than what it signs: a certificate may not outlive its issuer, and the server's is made a moment later.
        return new TestCertificateAuthority(key, request.CreateSelfSigned(now.AddHours(-1), now.AddDays(2)));
    }

    /// <summary>Writes a server certificate for 127.0.0.1 and localhost, and its key, as PEM files.</summary>
    public void WriteServerCertificate(string certificatePath, string keyPath)
    {
        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", serverKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var now = DateTimeOffset.UtcNow;
        using var server = request.Create(certificate, now.AddHours(-1), now.AddDays(1), RandomNumberGenerator.GetBytes(16).Select((b, i) => i == 0 ? (byte)(b & 0x7f) : b).ToArray());
        File.WriteAllText(certificatePath, server.ExportCertificatePem());
        File.WriteAllText(keyPath, serverKey.ExportPkcs8PrivateKeyPem());
    }

    public void Dispose()
    {
        certificate.Dispose();
        key.Dispose();
    }
}
