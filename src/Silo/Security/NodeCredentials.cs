using System.Security.Cryptography.X509Certificates;
using FleetPods.Security;

namespace FleetPods.Silo.Security;

/// <summary>
/// What this daemon proves and checks identities with, from its PKI directory: its node certificate (with the key),
/// presented to other silos, gateway clients and HTTPS clients, and the cluster's trust, which judges theirs.
/// </summary>
public sealed class NodeCredentials : IDisposable
{
    private NodeCredentials(PkiDirectory directory, ClusterTrust trust, X509Certificate2 certificate)
    {
        Directory = directory;
        Trust = trust;
        Certificate = certificate;
    }

    public PkiDirectory Directory { get; }

    public ClusterTrust Trust { get; }

    /// <summary>This node's certificate, with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>
    /// The credentials in <see cref="DaemonOptions.Pki"/>. The embedded single-machine default first makes what is
    /// missing (CA, node, admin), so it starts with one command; cluster mode needs them made with <c>fleetpods cert</c>.
    /// </summary>
    /// <exception cref="PkiException">
    /// A file is missing or broken, or node.crt is not a node certificate of ca.crt's (in cluster mode, of this node's
    /// name); one line saying what to do.
    /// </exception>
    public static NodeCredentials Load(DaemonOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var pki = options.Pki;
        if (!options.IsClusterMode)
        {
            SingleMachinePki.Ensure(pki, options.NodeName, DateTimeOffset.UtcNow);
        }
        else if (new[] { pki.CaCertificate, pki.NodeCertificate, pki.NodeKey }.FirstOrDefault(f => !File.Exists(f)) is { } missing)
        {
            throw new PkiException(
                $"cluster mode needs {missing}: make the cluster CA once (fleetpods cert ca create --dir DIR), a certificate for this node there " +
                $"(fleetpods cert create --role node --name {options.NodeName} --ip {options.AdvertisedAddress} --dir DIR), " +
                $"then copy DIR/ca.crt, DIR/{options.NodeName}.crt and DIR/{options.NodeName}.key to {pki.Path}/ca.crt, node.crt and node.key");
        }

        var trust = ClusterTrust.Load(pki);
        X509Certificate2 certificate;
        try
        {
            certificate = CertificateProfile.ReadCertificate(pki.NodeCertificate, pki.NodeKey);
        }
        catch
        {
            trust.Dispose();
            throw;
        }

        var identity = trust.Identify(certificate, out var refusal);
        // A certificate copied to the wrong machine would have this node answer for another: its grain, its pods.
        var misnamed = options.IsClusterMode && identity?.Name != options.NodeName;
        if (identity?.Kind != CertificateKind.Node || misnamed)
        {
            var why = identity is null ? refusal
                : misnamed ? $"it is node {identity.Name}'s, and this is --node-name {options.NodeName} (fleetpods cert create --role node --name {options.NodeName})"
                : $"it is {identity}, not a node certificate";
            certificate.Dispose();
            trust.Dispose();
            throw new PkiException($"{pki.NodeCertificate} cannot be this node's: {why}");
        }

        return new NodeCredentials(pki, trust, certificate);
    }

    public void Dispose()
    {
        Certificate.Dispose();
        Trust.Dispose();
    }
}
