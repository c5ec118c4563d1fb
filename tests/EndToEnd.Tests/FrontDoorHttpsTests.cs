using FleetPods.Security;

namespace FleetPods.EndToEnd.Tests;

/// <summary>
/// The same API over HTTPS on the api port, called with real curl and real certificates: the admin certificate,
/// reader and operator certificates issued with <c>fleetpods cert create</c> by
/// the daemon's CA, none at all, one of another CA, an expired one and a revoked one.
/// </summary>
public sealed partial class FrontDoorTests
{
    private const string StatusMarker = "\nHTTP-STATUS:";

    [RequiresFact(Requires.Root)]
    public async Task Over_https_a_certificate_of_the_cluster_ca_names_the_caller_and_its_role()
    {
        var pki = daemon.PkiDirectory!;
        var issued = Directory.CreateTempSubdirectory("fleetpods-certs-").FullName;
        try
        {
            var reader = await Issue(pki, issued, "reader", "eve");
            var @operator = await Issue(pki, issued, "operator", "olga");

            var admin = await Https(pki, (Path.Combine(pki, "admin.crt"), Path.Combine(pki, "admin.key")), "GET", "/v1/whoami");
            var readerPods = await Https(pki, reader, "GET", "/v1/pods");
            var readerRun = await Https(pki, reader, "POST", "/v1/run", Run("echo never"));
            var operatorRun = await Https(pki, @operator, "POST", "/v1/run", Run("echo over https"));

            Assert.Equal((200, "admin"), (admin.Status, Text(admin.Json, "role")));
            Assert.Equal(200, readerPods.Status);
            Assert.Equal((403, "running a pod needs the operator role; you are eve (reader)"), (readerRun.Status, readerRun.Error));
            Assert.True(operatorRun.Status == 200, operatorRun.ToString());
            Assert.Equal(0, operatorRun.Lines[^1].GetProperty("exitCode").GetInt32());
            Assert.Contains("Audit: olga (operator) via https: POST /v1/run target -: 200 done", daemon.Log, StringComparison.Ordinal);
            Assert.Contains("Audit: eve (reader) via https: POST /v1/run target -: 403 running a pod needs the operator role", daemon.Log, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(issued, recursive: true);
        }
    }

    [RequiresFact(Requires.Root)]
    public async Task Over_https_no_certificate_or_another_cas_fails_the_handshake_the_log_says_why_and_nothing_changes()
    {
        var pki = daemon.PkiDirectory!;
        var other = Directory.CreateTempSubdirectory("fleetpods-other-ca-").FullName;
        try
        {
            var made = await Processes.Run("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", Path.Combine(other, "eve.key"),
                "-out", Path.Combine(other, "eve.crt"), "-subj", "/CN=eve/OU=admin", "-days", "1"], Within);
            Assert.True(made.ExitCode == 0, made.ToString());
            var before = await State();

            var anonymous = await Curl(pki, null, "POST", "/v1/run", Run("echo never"));
            var impostor = await Curl(pki, (Path.Combine(other, "eve.crt"), Path.Combine(other, "eve.key")), "POST", "/v1/run", Run("echo never"));

            Assert.True(anonymous.ExitCode != 0 && !anonymous.Stdout.Contains("exitCode", StringComparison.Ordinal), anonymous.ToString());
            Assert.True(impostor.ExitCode != 0 && !impostor.Stdout.Contains("exitCode", StringComparison.Ordinal), impostor.ToString());
            Assert.Contains("API over HTTPS: refused certificate 'OU=admin, CN=eve' is not issued by this cluster's CA", daemon.Log, StringComparison.Ordinal);
            Assert.Equal(before, await State());
        }
        finally
        {
            Directory.Delete(other, recursive: true);
        }
    }

    [RequiresFact(Requires.Root)]
    public async Task Over_https_an_expired_or_a_revoked_certificate_fails_the_handshake_and_the_log_says_why()
    {
        var pki = daemon.PkiDirectory!;
        var issued = Directory.CreateTempSubdirectory("fleetpods-certs-").FullName;
        try
        {
            // `fleetpods cert` makes nothing shorter than a day: the CA's own library makes one that ends a second from now.
            var expired = Path.Combine(issued, "otto");
            new PkiDirectory(pki).Issue(new CertificateIdentity("otto", CertificateKind.Operator), [], [], TimeSpan.FromSeconds(1), expired, DateTimeOffset.UtcNow);
            using var otto = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(File.ReadAllText(expired + ".crt"));
            var ends = otto.NotAfter.ToUniversalTime();
            var revoked = await Issue(pki, issued, "operator", "rita");
            var servedBefore = await Https(pki, revoked, "GET", "/v1/whoami");
            var revocation = await Processes.Run(RepositoryLayout.Cli, ["cert", "revoke", revoked.Certificate, "--dir", pki], Within);
            Assert.True(revocation.ExitCode == 0, revocation.ToString());

            while (DateTime.UtcNow <= ends.AddSeconds(1))
            {
                Assert.True(DateTime.UtcNow < ends + Within, "the certificate did not expire");
                await Task.Delay(200);
            }

            var late = await Curl(pki, (expired + ".crt", expired + ".key"), "GET", "/v1/whoami", null);
            var refused = await Curl(pki, revoked, "GET", "/v1/whoami", null);

            Assert.Equal((200, "operator"), (servedBefore.Status, Text(servedBefore.Json, "role")));
            Assert.True(late.ExitCode != 0 && !late.Stdout.Contains("\"role\"", StringComparison.Ordinal), late.ToString());
            Assert.True(refused.ExitCode != 0 && !refused.Stdout.Contains("\"role\"", StringComparison.Ordinal), refused.ToString());
            Assert.Contains("API over HTTPS: refused certificate 'CN=otto, OU=operator' expired at", daemon.Log, StringComparison.Ordinal);
            Assert.Matches(@"API over HTTPS: refused certificate 'CN=rita, OU=operator' \(serial [0-9A-F]+\) is revoked", daemon.Log);
        }
        finally
        {
            Directory.Delete(issued, recursive: true);
        }
    }

    private static async Task<(string Certificate, string Key)> Issue(string pki, string directory, string role, string name)
    {
        var prefix = Path.Combine(directory, name);
        var result = await Processes.Run(RepositoryLayout.Cli, ["cert", "create", "--role", role, "--name", name, "--dir", pki, "--out", prefix], Within);
        Assert.True(result.ExitCode == 0, result.ToString());
        return (prefix + ".crt", prefix + ".key");
    }

    private async Task<FrontDoorCurl.Answer> Https(string pki, (string Certificate, string Key)? identity, string method, string path, string? body = null)
    {
        var result = await Curl(pki, identity, method, path, body);
        Assert.True(result.ExitCode == 0, result.ToString());
        var marker = result.Stdout.LastIndexOf(StatusMarker, StringComparison.Ordinal);
        return new FrontDoorCurl.Answer(int.Parse(result.Stdout[(marker + StatusMarker.Length)..], System.Globalization.CultureInfo.InvariantCulture), result.Stdout[..marker]);
    }

    private Task<CommandResult> Curl(string pki, (string Certificate, string Key)? identity, string method, string path, string? body)
    {
        string[] arguments = ["-sS", "--cacert", Path.Combine(pki, "ca.crt"), "-X", method, "-w", StatusMarker + "%{http_code}",
            .. identity is { } i ? ["--cert", i.Certificate, "--key", i.Key] : Array.Empty<string>(),
            .. body is null ? Array.Empty<string>() : ["--data-binary", body], $"https://localhost:{daemon.ApiPort}{path}"];
        return Processes.Run("curl", arguments, Within);
    }
}
