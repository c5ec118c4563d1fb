using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace FleetPods.Security.Tests;

public sealed class CertificateProfileTests
{
    [Fact]
    public void A_node_certificate_names_the_node_serves_and_authenticates_with_its_names_and_addresses()
    {
        using var authority = CertificateAuthority.Create(DateTimeOffset.UtcNow);
        using var node = authority.Issue(new CertificateIdentity("node-1", CertificateKind.Node), ["node-1.example", "localhost"], [IPAddress.Parse("10.0.0.5")], DateTimeOffset.UtcNow, TimeSpan.FromDays(30));

        Assert.Equal("node-1", node.GetNameInfo(X509NameType.SimpleName, forIssuer: false));
        Assert.Equal("CN=node-1, OU=node", node.Subject);
        Assert.True(CertificateProfile.HasUsage(node, CertificateProfile.ServerAuthentication));
        Assert.True(CertificateProfile.HasUsage(node, CertificateProfile.ClientAuthentication));
        Assert.True(node.MatchesHostname("node-1.example"));
        Assert.True(node.MatchesHostname("10.0.0.5"));
        Assert.False(node.MatchesHostname("node-2.example"));
        Assert.Equal(authority.Certificate.Subject, node.Issuer);
        Assert.True(node.HasPrivateKey);
    }

    [Theory]
    [InlineData(CertificateKind.Admin, Role.Admin)]
    [InlineData(CertificateKind.Operator, Role.Operator)]
    [InlineData(CertificateKind.Reader, Role.Reader)]
    public void A_client_certificate_authenticates_only_and_names_its_role(CertificateKind kind, Role role)
    {
        using var authority = CertificateAuthority.Create(DateTimeOffset.UtcNow);
        using var client = authority.Issue(new CertificateIdentity("alice", kind), ["ignored.example"], [IPAddress.Loopback], DateTimeOffset.UtcNow, TimeSpan.FromDays(30));

        Assert.True(CertificateProfile.HasUsage(client, CertificateProfile.ClientAuthentication));
        Assert.False(CertificateProfile.HasUsage(client, CertificateProfile.ServerAuthentication));
        Assert.Empty(client.Extensions.OfType<X509SubjectAlternativeNameExtension>());
        var identity = CertificateProfile.ReadSubject(client, out _);
        Assert.Equal(new CertificateIdentity("alice", kind), identity);
        Assert.Equal(role, identity!.Role);
    }

    [Fact]
    public void A_node_holds_no_role()
    {
        Assert.Null(new CertificateIdentity("node-1", CertificateKind.Node).Role);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a b")]
    [InlineData("-rf")]
    [InlineData("../etc")]
    [InlineData("eve\nINF forged log line")]
    [InlineData("a,OU=admin")]
    public void Names_that_could_forge_a_log_line_a_path_or_a_subject_are_refused(string name)
    {
        Assert.False(CertificateProfile.IsValidName(name));
        using var authority = CertificateAuthority.Create(DateTimeOffset.UtcNow);
        Assert.Throws<ArgumentException>(() => authority.Issue(new CertificateIdentity(name, CertificateKind.Admin), [], [], DateTimeOffset.UtcNow, TimeSpan.FromDays(1)));
    }

    [Fact]
    public void Kinds_are_their_lower_case_words_only()
    {
        Assert.True(CertificateProfile.TryParseKind("operator", out var kind));
        Assert.Equal(CertificateKind.Operator, kind);
        Assert.False(CertificateProfile.TryParseKind("Admin", out _));
        Assert.False(CertificateProfile.TryParseKind("root", out _));
    }

    [Fact]
    public void A_certificate_never_outlives_its_CA()
    {
        var now = DateTimeOffset.UtcNow;
        using var authority = CertificateAuthority.Create(now);
        using var client = authority.Issue(new CertificateIdentity("alice", CertificateKind.Reader), [], [], now, TimeSpan.FromDays(20 * 365));

        Assert.Equal(authority.Certificate.NotAfter, client.NotAfter);
        Assert.InRange(authority.Certificate.NotAfter - now.LocalDateTime, TimeSpan.FromDays(3649), TimeSpan.FromDays(3651));
    }
}
