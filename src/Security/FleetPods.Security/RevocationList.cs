using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace FleetPods.Security;

/// <summary>
/// The serial numbers a CRL signed by the cluster CA revokes. Read offline from the file, never fetched: X509Chain's
/// own revocation check on Linux looks in OpenSSL's cache and at distribution points, not at a file we name.
/// </summary>
public sealed class RevocationList
{
    private const string EcdsaWithSha256 = "1.2.840.10045.4.3.2";
    private const string EcdsaWithSha384 = "1.2.840.10045.4.3.3";
    private const string EcdsaWithSha512 = "1.2.840.10045.4.3.4";
    private const string RsaWithSha256 = "1.2.840.113549.1.1.11";
    private const string RsaWithSha384 = "1.2.840.113549.1.1.12";
    private const string RsaWithSha512 = "1.2.840.113549.1.1.13";

    private readonly HashSet<string> serials;

    private RevocationList(HashSet<string> serials) => this.serials = serials;

    public static RevocationList Empty { get; } = new([]);

    public int Count => serials.Count;

    /// <summary>Whether this list revokes <paramref name="certificate"/> (by serial number; the CA is the one that signed the list).</summary>
    public bool Revokes(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return serials.Contains(CertificateProfile.SerialKey(certificate));
    }

    /// <summary>The list in <paramref name="der"/>, once its signature is the CA's.</summary>
    /// <exception cref="PkiException">Not a CRL, or not signed by <paramref name="authority"/>.</exception>
    public static RevocationList Parse(ReadOnlyMemory<byte> der, X509Certificate2 authority)
    {
        ArgumentNullException.ThrowIfNull(authority);
        try
        {
            var list = new AsnReader(der, AsnEncodingRules.DER).ReadSequence();
            var tbs = list.ReadEncodedValue();
            var algorithm = list.ReadSequence().ReadObjectIdentifier();
            var signature = list.ReadBitString(out _);
            if (!SignedBy(authority, algorithm, tbs.Span, signature))
            {
                throw new PkiException($"the revocation list is not signed by the cluster CA '{authority.Subject}'");
            }

            var body = new AsnReader(tbs, AsnEncodingRules.DER).ReadSequence();
            if (body.PeekTag().HasSameClassAndValue(Asn1Tag.Integer))
            {
                body.ReadInteger();
            }

            body.ReadSequence();
            var issuer = new X500DistinguishedName(body.ReadEncodedValue().Span);
            if (!issuer.RawData.AsSpan().SequenceEqual(authority.SubjectName.RawData))
            {
                throw new PkiException($"the revocation list is issued by '{issuer.Name}', not the cluster CA");
            }

            body.ReadEncodedValue();
            if (body.HasData && IsTime(body.PeekTag()))
            {
                body.ReadEncodedValue();
            }

            var serials = new HashSet<string>(StringComparer.Ordinal);
            if (body.HasData && body.PeekTag().HasSameClassAndValue(Asn1Tag.Sequence))
            {
                var entries = body.ReadSequence();
                while (entries.HasData)
                {
                    var entry = entries.ReadSequence();
                    serials.Add(CertificateProfile.SerialKey(entry.ReadIntegerBytes().Span));
                }
            }

            return new RevocationList(serials);
        }
        catch (AsnContentException ex)
        {
            throw new PkiException($"the revocation list is not a DER CRL: {PkiException.OneLine(ex.Message)}", ex);
        }
    }

    /// <summary>The list in a PEM file (<c>-----BEGIN X509 CRL-----</c>).</summary>
    /// <exception cref="PkiException">Unreadable, not a CRL, or not the CA's.</exception>
    public static RevocationList Read(string path, X509Certificate2 authority)
    {
        var text = PkiException.Reading(path, null, () => File.ReadAllText(path));
        if (!PemEncoding.TryFind(text, out var fields) || text[fields.Label] != "X509 CRL")
        {
            throw new PkiException($"{path}: not a PEM revocation list (-----BEGIN X509 CRL-----)");
        }

        try
        {
            return Parse(Convert.FromBase64String(text[fields.Base64Data]), authority);
        }
        catch (PkiException ex)
        {
            throw new PkiException($"{path}: {ex.Message}", ex);
        }
    }

    /// <summary>A CRL as PEM text, as <c>crl.pem</c> holds it.</summary>
    public static string ToPem(byte[] der) => new(PemEncoding.Write("X509 CRL", der));

    /// <summary>The DER of a PEM CRL file, or null when there is none yet.</summary>
    /// <exception cref="PkiException">The file exists but is not a PEM CRL.</exception>
    public static byte[]? ReadDer(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        var text = PkiException.Reading(path, null, () => File.ReadAllText(path));
        return PemEncoding.TryFind(text, out var fields) && text[fields.Label] == "X509 CRL"
            ? Convert.FromBase64String(text[fields.Base64Data])
            : throw new PkiException($"{path}: not a PEM revocation list (-----BEGIN X509 CRL-----)");
    }

    private static bool IsTime(Asn1Tag tag) => tag.HasSameClassAndValue(Asn1Tag.UtcTime) || tag.HasSameClassAndValue(Asn1Tag.GeneralizedTime);

    private static bool SignedBy(X509Certificate2 authority, string algorithm, ReadOnlySpan<byte> data, byte[] signature)
    {
        var hash = algorithm switch
        {
            EcdsaWithSha256 or RsaWithSha256 => HashAlgorithmName.SHA256,
            EcdsaWithSha384 or RsaWithSha384 => HashAlgorithmName.SHA384,
            EcdsaWithSha512 or RsaWithSha512 => HashAlgorithmName.SHA512,
            _ => throw new PkiException($"the revocation list is signed with {algorithm}, which FleetPods does not accept"),
        };
        if (algorithm is EcdsaWithSha256 or EcdsaWithSha384 or EcdsaWithSha512)
        {
            using var ecdsa = authority.GetECDsaPublicKey();
            return ecdsa is not null && ecdsa.VerifyData(data, signature, hash, DSASignatureFormat.Rfc3279DerSequence);
        }

        using var rsa = authority.GetRSAPublicKey();
        return rsa is not null && rsa.VerifyData(data, signature, hash, RSASignaturePadding.Pkcs1);
    }
}
