using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace FleetPods.Grains;

/// <summary>
/// An agent's proof, with <see cref="INodeGrain.Attach"/>, that it holds the key of the node it attaches as: its node
/// certificate (DER) and its signature with that certificate's key over <see cref="SignedBytes"/> of the node's name
/// and a challenge the node grain handed out (<see cref="INodeGrain.Challenge"/>).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record AttachProof(
    [property: Id(0)] byte[] Challenge,
    [property: Id(1)] byte[] Certificate,
    [property: Id(2)] byte[] Signature)
{
    /// <summary>The largest certificate a node grain reads: a node certificate is well under 2 kB.</summary>
    public const int MaxCertificateBytes = 16 * 1024;

    /// <summary>The largest signature a node grain checks: an ECDSA P-256 one is 64 bytes, an RSA-4096 one 512.</summary>
    public const int MaxSignatureBytes = 1024;

    // The purpose comes first, so a signature made for anything else with a node's key is never an attach's.
    private static readonly byte[] Purpose = Encoding.ASCII.GetBytes("fleetpods-attach-v1\0");

    /// <summary>What an agent signs: <c>"fleetpods-attach-v1\0" + node name (UTF-8) + "\0" + challenge</c>.</summary>
    public static byte[] SignedBytes(string nodeName, byte[] challenge)
    {
        ArgumentNullException.ThrowIfNull(nodeName);
        ArgumentNullException.ThrowIfNull(challenge);
        return [.. Purpose, .. Encoding.UTF8.GetBytes(nodeName), 0, .. challenge];
    }

    /// <summary>The proof for attaching as <paramref name="nodeName"/>, signed with <paramref name="certificate"/>'s private key (SHA-256).</summary>
    /// <exception cref="ArgumentException">The certificate has no ECDSA or RSA private key.</exception>
    public static AttachProof Sign(string nodeName, byte[] challenge, X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var data = SignedBytes(nodeName, challenge);
        using var ecdsa = certificate.GetECDsaPrivateKey();
        if (ecdsa is not null)
        {
            return new AttachProof(challenge, certificate.RawData, ecdsa.SignData(data, HashAlgorithmName.SHA256));
        }

        using var rsa = certificate.GetRSAPrivateKey()
            ?? throw new ArgumentException($"certificate '{certificate.Subject}' has no ECDSA or RSA private key to sign an attach with", nameof(certificate));
        return new AttachProof(challenge, certificate.RawData, rsa.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pss));
    }

    /// <summary>Whether <see cref="Signature"/> is <paramref name="certificate"/>'s key's over <paramref name="nodeName"/> and <see cref="Challenge"/>.</summary>
    public bool IsSignedBy(X509Certificate2 certificate, string nodeName)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var data = SignedBytes(nodeName, Challenge);
        using var ecdsa = certificate.GetECDsaPublicKey();
        if (ecdsa is not null)
        {
            return ecdsa.VerifyData(data, Signature, HashAlgorithmName.SHA256);
        }

        using var rsa = certificate.GetRSAPublicKey();
        return rsa is not null && rsa.VerifyData(data, Signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pss);
    }
}
