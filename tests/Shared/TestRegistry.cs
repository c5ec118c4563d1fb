using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace FleetPods.Tests;

/// <summary>
/// A real registry, Debian's <c>docker-registry</c> (the CNCF distribution registry 2.8), on a loopback port with its
/// own storage, config and log: plain HTTP, or HTTPS with a certificate of a test CA; open, with htpasswd users
/// (bcrypt, as the registry wants), or behind bearer tokens from a <see cref="TestTokenIssuer"/>. Images go in with
/// <c>skopeo copy</c>.
/// </summary>
public sealed class TestRegistry : IAsyncDisposable
{
    public const string Binary = "/usr/bin/docker-registry";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private readonly string directory = Directory.CreateTempSubdirectory("fleetpods-registry-").FullName;
    private readonly Process process;

    private TestRegistry(TestRegistryOptions options)
    {
        Options = options;
        Port = TestPorts.Reserve();
        if (options.Tls)
        {
            Ca = TestCertificateAuthority.Create("FleetPods test registry CA");
            Ca.WriteServerCertificate(Path.Combine(directory, "registry.crt"), Path.Combine(directory, "registry.key"));
            CaFile = Path.Combine(directory, "ca.crt");
            File.WriteAllText(CaFile, Ca.CertificatePem);
        }

        if (options.Users.Count > 0 && options.Tokens is null)
        {
            File.WriteAllLines(Path.Combine(directory, "htpasswd"), options.Users.Select(u => $"{u.Key}:{BCrypt.Net.BCrypt.HashPassword(u.Value, workFactor: 5)}"));
        }

        File.WriteAllText(Path.Combine(directory, "config.yml"), Config());
        var start = new ProcessStartInfo("/bin/sh") { ArgumentList = { "-c", "exec \"$@\" >\"$0\" 2>&1", LogPath, Binary, "serve", Path.Combine(directory, "config.yml") } };
        process = Process.Start(start)!;
    }

    public TestRegistryOptions Options { get; }

    public int Port { get; }

    /// <summary>The registry as references name it: <c>127.0.0.1:PORT</c>.</summary>
    public string Host => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{Port}");

    /// <summary>The test CA that signed the registry's certificate (with TLS only).</summary>
    public TestCertificateAuthority? Ca { get; }

    /// <summary>The CA's certificate as a PEM file (with TLS only).</summary>
    public string? CaFile { get; }

    public string LogPath => Path.Combine(directory, "registry.log");

    /// <summary>What the registry logged: one line per request among them.</summary>
    public string Log => File.Exists(LogPath) ? File.ReadAllText(LogPath) : "";

    public static async Task<TestRegistry> Start(TestRegistryOptions? options = null)
    {
        var registry = new TestRegistry(options ?? new TestRegistryOptions());
        try
        {
            await registry.WaitUntilServing();
            return registry;
        }
        catch
        {
            await registry.DisposeAsync();
            throw;
        }
    }

    /// <summary>Copies an image in (<paramref name="source"/> as skopeo names it, e.g. <c>oci:LAYOUT:TAG</c>) to <c>REPO:TAG</c>.</summary>
    /// <param name="all">Copy every image of an index (<c>skopeo copy --all</c>), not just this machine's.</param>
    public async Task Push(string source, string repositoryAndTag, bool all = false)
    {
        var arguments = new List<string> { "copy", "--quiet", "--dest-tls-verify=false" };
        if (Options.Users.Count > 0)
        {
            var (user, password) = Options.Users.First();
            arguments.AddRange(["--dest-creds", $"{user}:{password}"]);
        }

        if (all)
        {
            arguments.Add("--all");
        }

        arguments.AddRange([source, $"docker://{Host}/{repositoryAndTag}"]);
        var start = new ProcessStartInfo("skopeo", arguments) { RedirectStandardError = true, RedirectStandardOutput = true };
        using var skopeo = Process.Start(start)!;
        var stderr = skopeo.StandardError.ReadToEndAsync();
        await skopeo.StandardOutput.ReadToEndAsync();
        await skopeo.WaitForExitAsync();
        if (skopeo.ExitCode != 0)
        {
            throw new InvalidOperationException($"skopeo {string.Join(' ', arguments)} failed ({skopeo.ExitCode}): {await stderr}\n{Log}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }

        process.Dispose();
        Ca?.Dispose();
        Directory.Delete(directory, recursive: true);
    }

    private string Config()
    {
        var tls = Options.Tls ? $"""
              tls:
                certificate: {Path.Combine(directory, "registry.crt")}
                key: {Path.Combine(directory, "registry.key")}
            """ : "";
        var auth = Options.Tokens is { } issuer ? $"""
            auth:
              token:
                realm: {issuer.Realm}
                service: {TestTokenIssuer.Service}
                issuer: {TestTokenIssuer.Issuer}
                rootcertbundle: {issuer.CertificateFile}
            """
            : Options.Users.Count > 0 ? $"""
            auth:
              htpasswd:
                realm: fleetpods-test
                path: {Path.Combine(directory, "htpasswd")}
            """ : "";
        return $"""
            version: 0.1
            log:
              level: info
            storage:
              filesystem:
                rootdirectory: {Path.Combine(directory, "storage")}
              delete:
                enabled: true
            http:
              addr: {Host}
              secret: fleetpods-test-secret
            {tls}
            {auth}
            """;
    }

    private async Task WaitUntilServing()
    {
        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + StartTimeout;
        var url = $"{(Options.Tls ? "https" : "http")}://{Host}/v2/";
        while (true)
        {
            try
            {
                using var response = await http.GetAsync(url);
                if (response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Unauthorized)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"docker-registry did not serve {url}:\n{Log}");
            }

            await Task.Delay(50);
        }
    }
}

/// <summary>How a <see cref="TestRegistry"/> runs.</summary>
/// <param name="Tls">HTTPS with a certificate of the registry's own test CA.</param>
/// <param name="Tokens">Bearer tokens from this issuer (its users are the registry's).</param>
public sealed record TestRegistryOptions(bool Tls = false, TestTokenIssuer? Tokens = null)
{
    /// <summary>User names and passwords: htpasswd's, or the token issuer's. Empty: no authentication.</summary>
    public IReadOnlyDictionary<string, string> Users { get; init; } = new Dictionary<string, string>();
}
