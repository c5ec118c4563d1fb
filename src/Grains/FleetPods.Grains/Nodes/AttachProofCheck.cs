using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using FleetPods.Security;

namespace FleetPods.Grains.Nodes;

/// <summary>
/// Whether an attach's proof shows the agent is the node it attaches as: a certificate the cluster's trust identifies
/// (this CA, in its validity period, not revoked) as that node's, whose key signed the node's name and the challenge.
/// The challenge itself is the grain's to check (<see cref="AttachChallenges"/>).
/// </summary>
internal static class AttachProofCheck
{
    /// <summary>Null when <paramref name="proof"/> shows it is node <paramref name="node"/>; else why not, in a few words for one line.</summary>
    public static string? Refusal(AttachProof proof, string node, ClusterTrust trust)
    {
        ArgumentNullException.ThrowIfNull(proof);
        ArgumentNullException.ThrowIfNull(trust);
        if (proof.Certificate is not { Length: > 0 and <= AttachProof.MaxCertificateBytes } der)
        {
            return $"it presented {proof.Certificate?.Length ?? 0} bytes of certificate (a node certificate, DER, up to {AttachProof.MaxCertificateBytes} bytes)";
        }

        if (proof.Signature is not { Length: > 0 and <= AttachProof.MaxSignatureBytes })
        {
            return $"it presented a signature of {proof.Signature?.Length ?? 0} bytes (up to {AttachProof.MaxSignatureBytes})";
        }

        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadCertificate(der);
        }
        catch (CryptographicException ex)
        {
            return $"what it presented is not a certificate ({ex.Message})";
        }

        using (certificate)
        {
            if (trust.Identify(certificate, out var refusal) is not { } identity)
            {
                return refusal;
            }

            if (identity.Kind != CertificateKind.Node)
            {
                return $"certificate '{CertificateProfile.PrintableSubject(certificate)}' is {identity}, not a node certificate";
            }

            if (identity.Name != node)
            {
                return $"it presented node {identity.Name}'s certificate";
            }

            return IsSignedBy(proof, certificate, node) ? null
                : $"its signature does not verify with node {identity.Name}'s certificate (not made with its node.key over this node's name and challenge)";
        }
    }

    private static bool IsSignedBy(AttachProof proof, X509Certificate2 certificate, string node)
    {
        try
        {
            return proof.IsSignedBy(certificate, node);
        }
        catch (CryptographicException)
        {
            // A signature that is no signature at all (malformed for its key) is as bad as a wrong one.
            return false;
        }
    }
}
