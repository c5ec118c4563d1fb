using System.Net;
using System.Net.Security;
using FleetPods.Cli.Native.Addressing;
using FleetPods.Security;

namespace FleetPods.Cli.Tests;

/// <summary>A daemon's certificate is taken only from the cluster CA, only a server's, only for the host asked for.</summary>
public sealed class ServerCertificateCheckTests : IDisposable
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;
    private readonly CertificateAuthority cluster = CertificateAuthority.Create(Now, "cluster CA");
    private readonly CertificateAuthority other = CertificateAuthority.Create(Now, "cluster CA");

    [Fact]
    public void A_node_certificate_of_the_cluster_ca_is_taken()
    {
        using var node = cluster.Issue(new CertificateIdentity("n1", CertificateKind.Node), ["n1"], [IPAddress.Loopback], Now, TimeSpan.FromDays(1));

        Assert.True(new ServerCertificateCheck(cluster.Certificate).Validate(this, node, null, SslPolicyErrors.RemoteCertificateChainErrors));
    }

    [Fact]
    public void A_node_certificate_of_another_ca_with_the_same_name_is_refused_with_why()
    {
        using var impostor = other.Issue(new CertificateIdentity("n1", CertificateKind.Node), ["n1"], [IPAddress.Loopback], Now, TimeSpan.FromDays(1));
        var check = new ServerCertificateCheck(cluster.Certificate);

        Assert.False(check.Validate(this, impostor, null, SslPolicyErrors.RemoteCertificateChainErrors));
        Assert.Contains("is not a server certificate of the cluster CA", check.Refusal, StringComparison.Ordinal);
    }

    [Fact]
    public void A_client_certificate_of_the_cluster_ca_cannot_pose_as_a_daemon()
    {
        using var reader = cluster.Issue(new CertificateIdentity("eve", CertificateKind.Reader), [], [], Now, TimeSpan.FromDays(1));

        Assert.False(new ServerCertificateCheck(cluster.Certificate).Validate(this, reader, null, SslPolicyErrors.RemoteCertificateChainErrors));
    }

    [Fact]
    public void A_certificate_for_another_host_is_refused()
    {
        using var node = cluster.Issue(new CertificateIdentity("n2", CertificateKind.Node), ["n2"], [], Now, TimeSpan.FromDays(1));
        var check = new ServerCertificateCheck(cluster.Certificate);

        Assert.False(check.Validate(this, node, null, SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateChainErrors));
        Assert.EndsWith("does not name the host asked for", check.Refusal, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        cluster.Dispose();
        other.Dispose();
    }
}
