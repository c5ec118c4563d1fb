using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using FleetPods.Security;

namespace FleetPods.Bench.Scheduling;

/// <summary>
/// The run's cluster CA: its ca.crt, in a directory of the run's own, is the trust the servers check every attach with,
/// and each simulated agent gets a node certificate of it once, at the start (see <see cref="NodeCredential"/>).
/// </summary>
internal sealed class RunPki : IDisposable
{
    private readonly CertificateAuthority authority = CertificateAuthority.Create(DateTimeOffset.UtcNow);
    private readonly string directory = Directory.CreateTempSubdirectory("fleetpods-bench-ca-").FullName;

    public RunPki()
    {
        CaCertificate = Path.Combine(directory, "ca.crt");
        PkiFile.Create(CaCertificate, authority.Certificate.ExportCertificatePem(), PkiFile.PublicMode);
    }

    /// <summary>The CA certificate's file, which each server reads at its start.</summary>
    public string CaCertificate { get; }

    /// <summary>How long issuing every agent's certificate took, so far.</summary>
    public TimeSpan Issuing { get; private set; }

    /// <summary>A node certificate for <paramref name="name"/>, valid for a day.</summary>
    public NodeCredential Issue(string name)
    {
        var started = Stopwatch.GetTimestamp();
        using var issued = authority.Issue(new CertificateIdentity(name, CertificateKind.Node), [], [], DateTimeOffset.UtcNow, TimeSpan.FromDays(1));
        using var key = issued.GetECDsaPrivateKey()!;
        var credential = new NodeCredential(issued.RawData, key.ExportPkcs8PrivateKey());
        Issuing += Stopwatch.GetElapsedTime(started);
        return credential;
    }

    public void Dispose()
    {
        authority.Dispose();
        Directory.Delete(directory, recursive: true);
    }
}
