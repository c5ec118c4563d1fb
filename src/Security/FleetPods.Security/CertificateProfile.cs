using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace FleetPods.Security;

/// <summary>
/// The shape of a FleetPods cluster certificate: subject <c>CN=&lt;name&gt;, OU=&lt;kind&gt;</c>, EKU clientAuth (a
/// node's also serverAuth, with its DNS names and addresses as SANs), issued straight by the cluster CA.
/// </summary>
public static class CertificateProfile
{
    public const string ClientAuthentication = "1.3.6.1.5.5.7.3.2";
    public const string ServerAuthentication = "1.3.6.1.5.5.7.3.1";
    private const string CommonNameOid = "2.5.4.3";
    private const string OrganizationalUnitOid = "2.5.4.11";
    private const int MaxNameLength = 64;

    /// <summary>The OU that names <paramref name="kind"/>: <c>node</c>, <c>admin</c>, <c>operator</c>, <c>reader</c>.</summary>
    public static string KindName(CertificateKind kind) => kind switch
    {
        CertificateKind.Node => "node",
        CertificateKind.Admin => "admin",
        CertificateKind.Operator => "operator",
        CertificateKind.Reader => "reader",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a certificate kind"),
    };

    /// <summary>The kind an OU (or a <c>--role</c> word) names; exact, lower case.</summary>
    public static bool TryParseKind(string? text, out CertificateKind kind)
    {
        foreach (var candidate in Enum.GetValues<CertificateKind>())
        {
            if (string.Equals(KindName(candidate), text, StringComparison.Ordinal))
            {
                kind = candidate;
                return true;
            }
        }

        kind = default;
        return false;
    }

    /// <summary>
    /// Whether <paramref name="name"/> may be a certificate's CN: 1-64 letters, digits, '.', '_', '-' or '@'. The name
    /// lands in refusals, the audit log and file names, so nothing that could forge a log line or a path.
    /// </summary>
    public static bool IsValidName(string? name) =>
        name is { Length: > 0 and <= MaxNameLength }
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '@')
        && name[0] != '.' && name[0] != '-';

    /// <summary>The subject of a certificate for <paramref name="identity"/>.</summary>
    public static X500DistinguishedName Subject(CertificateIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        if (!IsValidName(identity.Name))
        {
            throw new ArgumentException($"'{identity.Name}' is not a certificate name (1-{MaxNameLength} letters, digits, '.', '_', '-', '@')", nameof(identity));
        }

        // The builder encodes in reverse, so the subject reads CN=name, OU=kind (RFC 4514 order; OU first in the DER).
        var subject = new X500DistinguishedNameBuilder();
        subject.AddCommonName(identity.Name);
        subject.AddOrganizationalUnitName(KindName(identity.Kind));
        return subject.Build();
    }

    /// <summary>The identity a certificate's subject names, or null and why not: exactly one valid CN and one known OU.</summary>
    public static CertificateIdentity? ReadSubject(X509Certificate2 certificate, out string refusal)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        string? name = null, unit = null;
        int names = 0, units = 0;
        try
        {
            foreach (var part in certificate.SubjectName.EnumerateRelativeDistinguishedNames())
            {
                if (part.HasMultipleElements)
                {
                    continue;
                }

                switch (part.GetSingleElementType().Value)
                {
                    case CommonNameOid:
                        names++;
                        name = part.GetSingleElementValue();
                        break;
                    case OrganizationalUnitOid:
                        units++;
                        unit = part.GetSingleElementValue();
                        break;
                }
            }
        }
        catch (CryptographicException)
        {
            refusal = "its subject cannot be read";
            return null;
        }

        if (names != 1 || !IsValidName(name))
        {
            refusal = $"its subject '{PrintableSubject(certificate)}' has no single valid CN";
            return null;
        }

        if (units != 1 || !TryParseKind(unit, out var kind))
        {
            refusal = $"its subject '{PrintableSubject(certificate)}' has no known OU (node, admin, operator, reader)";
            return null;
        }

        refusal = "";
        return new CertificateIdentity(name!, kind);
    }

    /// <summary>
    /// A presented certificate's subject, fit for a refusal and a log line: anyone can put a line break or an escape
    /// sequence into a certificate of their own making, so control characters become '?' and the length is bounded.
    /// </summary>
    public static string PrintableSubject(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var subject = certificate.Subject;
        var printable = string.Create(Math.Min(subject.Length, 200), subject, (span, text) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = char.IsControl(text[i]) ? '?' : text[i];
            }
        });
        return subject.Length > 200 ? printable + "…" : printable;
    }

    /// <summary>Whether <paramref name="certificate"/> names the extended key usage <paramref name="oid"/>.</summary>
    public static bool HasUsage(X509Certificate2 certificate, string oid)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>()
            .Any(e => e.EnhancedKeyUsages.Cast<Oid>().Any(u => u.Value == oid));
    }

    /// <summary>Whether <paramref name="certificate"/> says it is a CA (basic constraints).</summary>
    public static bool IsAuthority(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return certificate.Extensions.OfType<X509BasicConstraintsExtension>().Any(e => e.CertificateAuthority);
    }

    /// <summary>The certificate in a PEM file (<c>-----BEGIN CERTIFICATE-----</c>), without a key.</summary>
    /// <exception cref="PkiException">Unreadable or not a PEM certificate; the message names the file.</exception>
    public static X509Certificate2 ReadCertificate(string path)
    {
        var text = PkiException.Reading(path, null, () => File.ReadAllText(path));
        if (!PemEncoding.TryFind(text, out var fields) || text[fields.Label] != "CERTIFICATE")
        {
            throw new PkiException($"{path}: not a PEM certificate (-----BEGIN CERTIFICATE-----)");
        }

        return PkiException.Reading(path, null, () => X509CertificateLoader.LoadCertificate(Convert.FromBase64String(text[fields.Base64Data])));
    }

    /// <summary>The certificate in a PEM file with its private key from another (as a TLS endpoint presents it).</summary>
    /// <exception cref="PkiException">Either is missing or unreadable, or the key is not the certificate's.</exception>
    public static X509Certificate2 ReadCertificate(string path, string keyPath) =>
        PkiException.Reading(path, keyPath, () => X509Certificate2.CreateFromPemFile(path, keyPath));

    /// <summary>A fresh positive 128-bit serial number, unique without a registry.</summary>
    internal static byte[] NewSerialNumber()
    {
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        serial[0] |= 0x01;
        return serial;
    }

    /// <summary>Serial numbers compare as the integers they encode, whatever leading zeros a DER writer kept.</summary>
    internal static string SerialKey(ReadOnlySpan<byte> bigEndianSerial)
    {
        var start = 0;
        while (start < bigEndianSerial.Length - 1 && bigEndianSerial[start] == 0)
        {
            start++;
        }

        return Convert.ToHexString(bigEndianSerial[start..]);
    }

    internal static string SerialKey(X509Certificate2 certificate) => SerialKey(certificate.SerialNumberBytes.Span);
}
