using System.Diagnostics;

namespace FleetPods.Security.Tests;

public sealed class PkiDirectoryTests : IDisposable
{
    private readonly TemporaryPki pki = new(withAuthority: false);

    [Fact]
    public void The_directory_is_0700_keys_0600_and_certificates_0644()
    {
        var written = pki.Directory.CreateAuthority(DateTimeOffset.UtcNow)
            .Concat(pki.Directory.Issue(new CertificateIdentity("node-1", CertificateKind.Node), ["node-1"], [], TimeSpan.FromDays(1), "node", DateTimeOffset.UtcNow))
            .ToList();

        Assert.Equal([pki.Directory.CaKey, pki.Directory.CaCertificate, pki.Directory.NodeKey, pki.Directory.NodeCertificate], written);
        Assert.Equal(PkiDirectory.Mode, File.GetUnixFileMode(pki.Directory.Path));
        Assert.Equal(PkiFile.PrivateMode, File.GetUnixFileMode(pki.Directory.CaKey));
        Assert.Equal(PkiFile.PrivateMode, File.GetUnixFileMode(pki.Directory.NodeKey));
        Assert.Equal(PkiFile.PublicMode, File.GetUnixFileMode(pki.Directory.CaCertificate));
        Assert.Equal(PkiFile.PublicMode, File.GetUnixFileMode(pki.Directory.NodeCertificate));
        Assert.Equal(["ca.crt", "ca.key", "node.crt", "node.key"], Directory.GetFileSystemEntries(pki.Directory.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void An_existing_directory_open_to_others_is_tightened_to_0700()
    {
        Directory.CreateDirectory(pki.Directory.Path);
        File.SetUnixFileMode(pki.Directory.Path, (UnixFileMode)Convert.ToInt32("777", 8));

        pki.Directory.CreateAuthority(DateTimeOffset.UtcNow);

        Assert.Equal(PkiDirectory.Mode, File.GetUnixFileMode(pki.Directory.Path));
    }

    [Fact]
    public void Nothing_is_overwritten_and_a_refused_issue_writes_nothing()
    {
        pki.Directory.CreateAuthority(DateTimeOffset.UtcNow);
        var caKey = File.ReadAllText(pki.Directory.CaKey);
        File.WriteAllText(pki.Directory.KeyFile("alice"), "precious");

        Assert.Contains("exists; not overwriting", Assert.Throws<PkiException>(() => pki.Directory.CreateAuthority(DateTimeOffset.UtcNow)).Message, StringComparison.Ordinal);
        Assert.Contains("exists; not overwriting", Assert.Throws<PkiException>(() => pki.Directory.Issue(new CertificateIdentity("alice", CertificateKind.Admin), [], [], TimeSpan.FromDays(1), "alice", DateTimeOffset.UtcNow)).Message, StringComparison.Ordinal);

        Assert.Equal(caKey, File.ReadAllText(pki.Directory.CaKey));
        Assert.Equal("precious", File.ReadAllText(pki.Directory.KeyFile("alice")));
        Assert.False(File.Exists(pki.Directory.CertificateFile("alice")));
        Assert.DoesNotContain(Directory.GetFiles(pki.Directory.Path), f => f.EndsWith(".tmp", StringComparison.Ordinal));
    }

    [Fact]
    public void Without_the_CA_key_no_certificate_is_made()
    {
        var ex = Assert.Throws<PkiException>(() => pki.Directory.Issue(new CertificateIdentity("alice", CertificateKind.Admin), [], [], TimeSpan.FromDays(1), "alice", DateTimeOffset.UtcNow));

        Assert.Contains("ca.crt does not exist", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_single_machine_default_makes_CA_node_and_admin_once()
    {
        var first = SingleMachinePki.Ensure(pki.Directory, "box", DateTimeOffset.UtcNow);
        var admin = File.ReadAllText(pki.Directory.AdminCertificate);
        var second = SingleMachinePki.Ensure(pki.Directory, "box", DateTimeOffset.UtcNow);

        Assert.Equal(6, first.Count);
        Assert.Empty(second);
        Assert.Equal(admin, File.ReadAllText(pki.Directory.AdminCertificate));
        using var trust = ClusterTrust.Load(pki.Directory);
        using var adminCertificate = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPemFile(pki.Directory.AdminCertificate, pki.Directory.AdminKey);
        using var nodeCertificate = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPemFile(pki.Directory.NodeCertificate, pki.Directory.NodeKey);
        Assert.Equal(new CertificateIdentity("root", CertificateKind.Admin), trust.Identify(adminCertificate, out _));
        Assert.Equal(new CertificateIdentity("box", CertificateKind.Node), trust.Identify(nodeCertificate, out _));
        Assert.True(nodeCertificate.MatchesHostname("localhost"));
        Assert.True(nodeCertificate.MatchesHostname("127.0.0.1"));
    }

    [RequiresFact(Requires.Root)]
    public void A_user_made_with_useradd_cannot_read_the_keys_but_can_read_the_certificates()
    {
        SingleMachinePki.Ensure(pki.Directory, "box", DateTimeOffset.UtcNow);
        // The temporary root is 0700 too; open the way to the PKI directory so only its own modes decide.
        File.SetUnixFileMode(pki.Root, (UnixFileMode)Convert.ToInt32("755", 8));
        File.SetUnixFileMode(pki.Directory.Path, (UnixFileMode)Convert.ToInt32("755", 8));
        var user = $"fpsec{Random.Shared.Next(10000, 99999)}";
        Run("useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", user);
        try
        {
            foreach (var key in new[] { pki.Directory.CaKey, pki.Directory.NodeKey, pki.Directory.AdminKey })
            {
                var (exit, error) = Run("runuser", "-u", user, "--", "cat", key);
                Assert.NotEqual(0, exit);
                Assert.Contains("Permission denied", error, StringComparison.Ordinal);
            }

            Assert.Equal(0, Run("runuser", "-u", user, "--", "cat", pki.Directory.AdminCertificate).Exit);

            File.SetUnixFileMode(pki.Directory.Path, PkiDirectory.Mode);
            Assert.NotEqual(0, Run("runuser", "-u", user, "--", "cat", pki.Directory.AdminCertificate).Exit);
        }
        finally
        {
            Run("userdel", user);
        }
    }

    public void Dispose() => pki.Dispose();

    private static (int Exit, string Error) Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, error.Result);
    }
}
