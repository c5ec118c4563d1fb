using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace FleetPods.Security.Tests;

public sealed class ClusterTrustTests : IDisposable
{
    private readonly TemporaryPki pki = new();
    private readonly ClusterTrust trust;

    public ClusterTrustTests() => trust = ClusterTrust.Load(pki.Directory);

    [Fact]
    public void A_certificate_of_this_cluster_is_identified_by_its_name_and_kind()
    {
        using var admin = Issued("alice", CertificateKind.Admin);

        Assert.Equal(new CertificateIdentity("alice", CertificateKind.Admin), trust.Identify(admin, out var refusal));
        Assert.Equal("", refusal);
        Assert.Equal(new Caller("alice", Role.Admin), trust.IdentifyCaller(admin, out _));
    }

    [Fact]
    public void A_certificate_of_another_CA_is_refused_even_with_the_same_subject()
    {
        using var other = new TemporaryPki();
        other.Directory.Issue(new CertificateIdentity("alice", CertificateKind.Admin), [], [], TimeSpan.FromDays(1), "alice", DateTimeOffset.UtcNow);
        using var foreign = CertificateProfile.ReadCertificate(other.Directory.CertificateFile("alice"));

        Assert.Null(trust.Identify(foreign, out var refusal));
        Assert.Contains("not issued by this cluster's CA", refusal, StringComparison.Ordinal);
    }

    [Fact]
    public void A_CA_certificate_made_with_the_same_name_is_no_substitute()
    {
        // Same subject, other key: a chain built by name alone would accept its certificates.
        using var impostor = CertificateAuthority.Create(DateTimeOffset.UtcNow);
        using var forged = impostor.Issue(new CertificateIdentity("mallory", CertificateKind.Admin), [], [], DateTimeOffset.UtcNow, TimeSpan.FromDays(1));

        Assert.Equal(trust.Authority.Subject, forged.Issuer);
        Assert.Null(trust.Identify(forged, out var refusal));
        Assert.Contains("not issued by this cluster's CA", refusal, StringComparison.Ordinal);
    }

    [Fact]
    public void An_expired_certificate_is_refused()
    {
        var now = DateTimeOffset.UtcNow;
        using var authority = pki.Directory.LoadAuthority();
        using var expired = authority.Issue(new CertificateIdentity("alice", CertificateKind.Admin), [], [], now.AddDays(-10), now.AddDays(-1));

        Assert.Null(trust.Identify(expired, out var refusal));
        Assert.Contains("expired", refusal, StringComparison.Ordinal);
    }

    [Fact]
    public void A_certificate_not_yet_valid_is_refused()
    {
        var now = DateTimeOffset.UtcNow;
        using var authority = pki.Directory.LoadAuthority();
        using var early = authority.Issue(new CertificateIdentity("alice", CertificateKind.Admin), [], [], now.AddDays(1), now.AddDays(2));

        Assert.Null(trust.Identify(early, out var refusal));
        Assert.Contains("not valid before", refusal, StringComparison.Ordinal);
    }

    [Fact]
    public void A_revoked_certificate_is_refused_as_soon_as_crl_pem_names_it_and_others_still_pass()
    {
        pki.Directory.Issue(new CertificateIdentity("alice", CertificateKind.Admin), [], [], TimeSpan.FromDays(1), "alice", DateTimeOffset.UtcNow);
        pki.Directory.Issue(new CertificateIdentity("bob", CertificateKind.Admin), [], [], TimeSpan.FromDays(1), "bob", DateTimeOffset.UtcNow);
        using var alice = CertificateProfile.ReadCertificate(pki.Directory.CertificateFile("alice"));
        using var bob = CertificateProfile.ReadCertificate(pki.Directory.CertificateFile("bob"));
        Assert.NotNull(trust.Identify(alice, out _));

        pki.Directory.Revoke(pki.Directory.CertificateFile("alice"), DateTimeOffset.UtcNow);

        Assert.Null(trust.Identify(alice, out var refusal));
        Assert.Contains("is revoked", refusal, StringComparison.Ordinal);
        Assert.NotNull(trust.Identify(bob, out _));

        pki.Directory.Revoke(pki.Directory.CertificateFile("bob"), DateTimeOffset.UtcNow);

        Assert.Null(trust.Identify(bob, out _));
        Assert.Null(trust.Identify(alice, out _));
        Assert.Null(ClusterTrust.Load(pki.Directory).Identify(alice, out _));
    }

    [Fact]
    public void A_revocation_list_not_signed_by_the_CA_refuses_everyone_rather_than_nobody()
    {
        using var alice = Issued("alice", CertificateKind.Admin);
        using var other = new TemporaryPki();
        other.Directory.Issue(new CertificateIdentity("x", CertificateKind.Reader), [], [], TimeSpan.FromDays(1), "x", DateTimeOffset.UtcNow);
        other.Directory.Revoke(other.Directory.CertificateFile("x"), DateTimeOffset.UtcNow);
        File.Copy(other.Directory.RevocationList, pki.Directory.RevocationList);

        Assert.Null(trust.Identify(alice, out var refusal));
        Assert.Contains("cannot be checked for revocation", refusal, StringComparison.Ordinal);
        Assert.Contains("not signed by the cluster CA", refusal, StringComparison.Ordinal);

        File.WriteAllText(pki.Directory.RevocationList, "not a CRL");
        Assert.Null(trust.Identify(alice, out refusal));
        Assert.Contains("not a PEM revocation list", refusal, StringComparison.Ordinal);

        File.Delete(pki.Directory.RevocationList);
        Assert.NotNull(trust.Identify(alice, out _));
    }

    [Fact]
    public void A_certificate_of_the_CA_with_an_unknown_OU_is_refused()
    {
        using var superuser = SignedByCluster("CN=alice, OU=superuser");
        using var bare = SignedByCluster("CN=alice");

        Assert.Null(trust.Identify(superuser, out var refusal));
        Assert.Contains("no known OU", refusal, StringComparison.Ordinal);
        Assert.Null(trust.Identify(bare, out refusal));
        Assert.Contains("no known OU", refusal, StringComparison.Ordinal);
    }

    [Fact]
    public void A_node_certificate_presented_as_a_client_is_a_node_and_no_caller()
    {
        using var node = Issued("node-1", CertificateKind.Node);

        var identity = trust.Identify(node, out _);
        Assert.Equal(CertificateKind.Node, identity?.Kind);
        Assert.Null(identity?.Role);
        Assert.Null(trust.IdentifyCaller(node, out var refusal));
        Assert.Contains("is a node's, not a user's", refusal, StringComparison.Ordinal);
    }

    [Fact]
    public void A_subject_with_a_line_break_cannot_forge_a_log_line()
    {
        var subject = new X500DistinguishedNameBuilder();
        subject.AddCommonName("eve\n2026-12-05T00:00:00.000Z INF Node forged ready");
        using var forged = SignedByCluster(subject.Build());

        Assert.Null(trust.Identify(forged, out var refusal));
        Assert.DoesNotContain('\n', refusal);
        Assert.Contains("eve?2026", refusal, StringComparison.Ordinal);
    }

    [Fact]
    public void The_CA_certificate_itself_is_no_client()
    {
        Assert.Null(trust.Identify(trust.Authority, out var refusal));
        Assert.NotEqual("", refusal);
    }

    [Fact]
    public void Without_ca_crt_there_is_no_trust_and_the_refusal_says_how_to_make_one()
    {
        using var empty = new TemporaryPki(withAuthority: false);

        var ex = Assert.Throws<PkiException>(() => ClusterTrust.Load(empty.Directory));
        Assert.Contains("fleetpods cert ca create", ex.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        trust.Dispose();
        pki.Dispose();
    }

    private X509Certificate2 Issued(string name, CertificateKind kind)
    {
        using var authority = pki.Directory.LoadAuthority();
        return authority.Issue(new CertificateIdentity(name, kind), [], [], DateTimeOffset.UtcNow, TimeSpan.FromDays(1));
    }

    private X509Certificate2 SignedByCluster(string subject) => SignedByCluster(new X500DistinguishedName(subject));

    private X509Certificate2 SignedByCluster(X500DistinguishedName subject)
    {
        using var authority = pki.Directory.LoadAuthority();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(CertificateProfile.ClientAuthentication)], critical: false));
        var now = DateTimeOffset.UtcNow;
        return request.Create(authority.Certificate, now.AddMinutes(-1), now.AddDays(1), [1, 2, 3, 4]);
    }
}
