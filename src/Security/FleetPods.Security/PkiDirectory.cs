using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace FleetPods.Security;

/// <summary>
/// Where a machine keeps its cluster certificates: <c>&lt;data-dir&gt;/pki</c> (0700), holding <c>ca.crt</c>,
/// <c>ca.key</c> (only where certificates are made), <c>node.crt</c>/<c>node.key</c>, <c>admin.crt</c>/<c>admin.key</c>
/// and the optional <c>crl.pem</c>. Keys are 0600, certificates and the CRL 0644.
/// </summary>
public sealed record PkiDirectory(string Path)
{
    public const string DirectoryName = "pki";
    public const UnixFileMode Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    public static PkiDirectory InDataDirectory(string dataDirectory) => new(System.IO.Path.Combine(dataDirectory, DirectoryName));

    public string CaCertificate => File("ca.crt");

    public string CaKey => File("ca.key");

    public string NodeCertificate => File("node.crt");

    public string NodeKey => File("node.key");

    public string AdminCertificate => File("admin.crt");

    public string AdminKey => File("admin.key");

    public string RevocationList => File("crl.pem");

    /// <summary>The certificate file of a prefix (<c>node</c> → <c>node.crt</c>); a prefix with a '/' is a path of its own.</summary>
    public string CertificateFile(string prefix) => Prefixed(prefix) + ".crt";

    /// <summary>The key file of a prefix (<c>node</c> → <c>node.key</c>).</summary>
    public string KeyFile(string prefix) => Prefixed(prefix) + ".key";

    /// <summary>Creates the directory 0700 (and its parents as the umask says); tightens an existing one to 0700.</summary>
    /// <exception cref="PkiException">It cannot be made, or is not a directory.</exception>
    public void Ensure()
    {
        try
        {
            if (System.IO.File.Exists(Path))
            {
                throw new PkiException($"{Path} is a file, not a PKI directory");
            }

            var parent = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path));
            if (parent is not null)
            {
                Directory.CreateDirectory(parent);
            }

            Directory.CreateDirectory(Path, Mode);
            System.IO.File.SetUnixFileMode(Path, Mode);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new PkiException($"{Path}: {PkiException.OneLine(ex.Message)}", ex);
        }
    }

    /// <summary>Makes the cluster CA here: ca.key (0600) and ca.crt (0644). Refuses when either exists.</summary>
    /// <returns>The files written, in order.</returns>
    /// <exception cref="PkiException">A file exists or cannot be written.</exception>
    public IReadOnlyList<string> CreateAuthority(DateTimeOffset now)
    {
        Ensure();
        RefuseExisting(CaCertificate, CaKey);
        using var authority = CertificateAuthority.Create(now);
        return WritePair(authority.Certificate, CaCertificate, CaKey);
    }

    /// <summary>
    /// Issues a certificate for <paramref name="identity"/> with this directory's CA (ca.crt and ca.key) and writes it
    /// as <c>PREFIX.key</c> (0600) and <c>PREFIX.crt</c> (0644). Refuses when either exists.
    /// </summary>
    /// <returns>The files written, in order.</returns>
    /// <exception cref="PkiException">No CA here, a file exists or cannot be written.</exception>
    public IReadOnlyList<string> Issue(CertificateIdentity identity, IEnumerable<string> dnsNames, IEnumerable<IPAddress> addresses, TimeSpan lifetime, string prefix, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(identity);
        var certificateFile = CertificateFile(prefix);
        var keyFile = KeyFile(prefix);
        RefuseExisting(certificateFile, keyFile);
        using var authority = LoadAuthority();
        X509Certificate2 issued;
        try
        {
            issued = authority.Issue(identity, dnsNames, addresses, now, lifetime);
        }
        catch (ArgumentException ex)
        {
            throw new PkiException(PkiException.OneLine(ex.Message), ex);
        }

        using (issued)
        {
            return WritePair(issued, certificateFile, keyFile);
        }
    }

    /// <summary>Adds <paramref name="certificateFile"/> to crl.pem (made when absent), signed by this directory's CA.</summary>
    /// <returns>The file written.</returns>
    /// <exception cref="PkiException">No CA here, the certificate is unreadable or not this CA's, crl.pem is broken.</exception>
    public string Revoke(string certificateFile, DateTimeOffset now)
    {
        using var authority = LoadAuthority();
        using var certificate = CertificateProfile.ReadCertificate(certificateFile);
        var current = FleetPods.Security.RevocationList.ReadDer(RevocationList);
        if (current is not null)
        {
            // Verify before extending: re-signing a list we did not make would launder it.
            try
            {
                FleetPods.Security.RevocationList.Parse(current, authority.Certificate);
            }
            catch (PkiException ex)
            {
                throw new PkiException($"{RevocationList}: {ex.Message}", ex);
            }
        }

        var updated = authority.Revoke(current, certificate, now);
        PkiFile.Replace(RevocationList, FleetPods.Security.RevocationList.ToPem(updated), PkiFile.PublicMode);
        return RevocationList;
    }

    /// <summary>This directory's CA with its key.</summary>
    /// <exception cref="PkiException">ca.crt or ca.key is missing or unreadable.</exception>
    public CertificateAuthority LoadAuthority()
    {
        foreach (var file in new[] { CaCertificate, CaKey })
        {
            if (!System.IO.File.Exists(file))
            {
                throw new PkiException($"{file} does not exist (certificates are made where the CA's key is; make one with: fleetpods cert ca create --dir {Path})");
            }
        }

        return CertificateAuthority.Load(CaCertificate, CaKey);
    }

    private static void RefuseExisting(params string[] files)
    {
        foreach (var file in files)
        {
            if (System.IO.File.Exists(file) || Directory.Exists(file))
            {
                throw new PkiException($"{file} exists; not overwriting it");
            }
        }
    }

    // The key first: a certificate on disk always has its key beside it.
    private static string[] WritePair(X509Certificate2 certificate, string certificateFile, string keyFile)
    {
        string key;
        using (var ecdsa = certificate.GetECDsaPrivateKey())
        using (var rsa = ecdsa is null ? certificate.GetRSAPrivateKey() : null)
        {
            key = ecdsa?.ExportPkcs8PrivateKeyPem() ?? rsa?.ExportPkcs8PrivateKeyPem()
                ?? throw new PkiException($"the certificate for {certificateFile} has no private key to write");
        }

        PkiFile.Create(keyFile, key, PkiFile.PrivateMode);
        PkiFile.Create(certificateFile, certificate.ExportCertificatePem() + "\n", PkiFile.PublicMode);
        return [keyFile, certificateFile];
    }

    private string File(string name) => System.IO.Path.Combine(Path, name);

    private string Prefixed(string prefix) => prefix.Contains('/', StringComparison.Ordinal) ? prefix : File(prefix);
}
