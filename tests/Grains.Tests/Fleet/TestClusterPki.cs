using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using FleetPods.Security;

namespace FleetPods.Grains.Tests.Fleet;

/// <summary>
/// The test clusters' CA, made once per test process in a PKI directory of its own (a month old, so a certificate
/// that has already expired can be issued): its trust is the one every <see cref="FleetCluster"/> silo checks an
/// attach with, and each agent's node certificate is issued from it.
/// </summary>
public sealed class TestClusterPki
{
    private const string Prefix = "fleetpods-grains-ca-";
    private static readonly Lazy<TestClusterPki> Instance = new(() => new TestClusterPki());

    private readonly CertificateAuthority authority;
    private readonly Lock issuing = new();
    private readonly ConcurrentDictionary<string, Lazy<X509Certificate2>> nodes = new(StringComparer.Ordinal);

    private TestClusterPki()
    {
        // The test host is ended, not exited, so nothing runs after the last test: a run removes what earlier runs left.
        foreach (var stale in System.IO.Directory.GetDirectories(Path.GetTempPath(), Prefix + "*"))
        {
            if (int.TryParse(Path.GetFileName(stale)[Prefix.Length..], out var pid) && !System.IO.Directory.Exists($"/proc/{pid}"))
            {
                System.IO.Directory.Delete(stale, recursive: true);
            }
        }

        Directory = new PkiDirectory(Path.Combine(Path.GetTempPath(), $"{Prefix}{Environment.ProcessId}", "pki"));
        Directory.CreateAuthority(DateTimeOffset.UtcNow.AddDays(-30));
        authority = Directory.LoadAuthority();
        Trust = ClusterTrust.Load(Directory);
    }

    public static TestClusterPki Shared => Instance.Value;

    public PkiDirectory Directory { get; }

    public ClusterTrust Trust { get; }

    /// <summary>The node certificate of <paramref name="name"/>, with its key: the same one each time.</summary>
    public X509Certificate2 Node(string name) =>
        nodes.GetOrAdd(name, n => new Lazy<X509Certificate2>(() => Issue(n, CertificateKind.Node, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1)))).Value;

    /// <summary>A new certificate for <paramref name="name"/>, with its key, valid exactly from <paramref name="notBefore"/> to <paramref name="notAfter"/>.</summary>
    public X509Certificate2 Issue(string name, CertificateKind kind, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        // Tests run in parallel; one CA key signs for all of them.
        lock (issuing)
        {
            return authority.Issue(new CertificateIdentity(name, kind), [], [], notBefore, notAfter);
        }
    }

    /// <summary>Revokes <paramref name="certificate"/> in crl.pem, as <c>fleetpods cert revoke</c> does; the trust reads it at its next check.</summary>
    public void Revoke(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var file = Path.Combine(Directory.Path, $"revoked-{certificate.SerialNumber}.crt");
        File.WriteAllText(file, certificate.ExportCertificatePem());
        Directory.Revoke(file, DateTimeOffset.UtcNow);
    }
}
