using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;

namespace FleetPods.Tests;

/// <summary>
/// The token service of the distribution spec's bearer flow, as a registry's <c>auth.token</c> settings name it:
/// <c>GET /token?service=…&amp;scope=repository:NAME:ACTIONS</c> with basic credentials answers a JWT (ES256, the
/// signing certificate in its <c>x5c</c> header, which the registry trusts through <c>rootcertbundle</c>) granting
/// the scopes asked for to a known user, and nothing to anyone else; wrong credentials get 401.
/// </summary>
public sealed class TestTokenIssuer : IDisposable
{
    public const string Service = "fleetpods-test-registry";
    public const string Issuer = "fleetpods-test-issuer";

    private readonly string directory = Directory.CreateTempSubdirectory("fleetpods-token-").FullName;
    private readonly HttpListener listener = new();
    private readonly ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly X509Certificate2 certificate;
    private readonly List<string> requests = [];

    public TestTokenIssuer(IReadOnlyDictionary<string, string> users)
    {
        Users = users;
        var request = new CertificateRequest("CN=fleetpods test token issuer", key, HashAlgorithmName.SHA256);
        var now = DateTimeOffset.UtcNow;
        certificate = request.CreateSelfSigned(now.AddHours(-1), now.AddDays(1));
        CertificateFile = Path.Combine(directory, "token.crt");
        File.WriteAllText(CertificateFile, certificate.ExportCertificatePem());
        var port = TestPorts.Reserve();
        Realm = new Uri($"http://127.0.0.1:{port}/token");
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        _ = Task.Run(Serve);
    }

    public IReadOnlyDictionary<string, string> Users { get; }

    public Uri Realm { get; }

    /// <summary>The certificate the registry verifies tokens with.</summary>
    public string CertificateFile { get; }

    /// <summary>Each token request: the user it came with ("-" for none) and its scopes.</summary>
    public IReadOnlyList<string> Requests
    {
        get
        {
            lock (requests)
            {
                return [.. requests];
            }
        }
    }

    public void Dispose()
    {
        listener.Close();
        certificate.Dispose();
        key.Dispose();
        Directory.Delete(directory, recursive: true);
    }

    private async Task Serve()
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            var user = Authenticated(context.Request.Headers["Authorization"]);
            var scopes = context.Request.QueryString.GetValues("scope") ?? [];
            lock (requests)
            {
                requests.Add($"{user ?? "-"} {string.Join(' ', scopes)}");
            }

            if (user == "")
            {
                context.Response.StatusCode = 401;
                context.Response.Close();
                continue;
            }

            var token = Token(user, user is null ? [] : scopes);
            var body = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object> { ["token"] = token, ["access_token"] = token, ["expires_in"] = 300 });
            context.Response.ContentType = "application/json";
            context.Response.ContentLength64 = body.Length;
            await context.Response.OutputStream.WriteAsync(body);
            context.Response.Close();
        }
    }

    // The user of valid basic credentials; null for none; "" for wrong ones.
    private string? Authenticated(string? header)
    {
        if (header is null || !header.StartsWith("Basic ", StringComparison.Ordinal))
        {
            return null;
        }

        var pair = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..]));
        var colon = pair.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 && Users.TryGetValue(pair[..colon], out var password) && password == pair[(colon + 1)..] ? pair[..colon] : "";
    }

    private string Token(string? user, IEnumerable<string> scopes)
    {
        var access = scopes.Select(s => s.Split(':')).Where(p => p.Length == 3 && p[0] == "repository")
            .Select(p => new Dictionary<string, object> { ["type"] = "repository", ["name"] = p[1], ["actions"] = p[2].Split(',') }).ToList();
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = new Dictionary<string, object> { ["alg"] = "ES256", ["typ"] = "JWT", ["x5c"] = new[] { Convert.ToBase64String(certificate.RawData) } };
        var claims = new Dictionary<string, object>
        {
            ["iss"] = Issuer,
            ["sub"] = user ?? "",
            ["aud"] = Service,
            ["exp"] = now + 300,
            ["nbf"] = now - 60,
            ["iat"] = now,
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["access"] = access,
        };
        var signed = $"{Base64Url(JsonSerializer.SerializeToUtf8Bytes(header))}.{Base64Url(JsonSerializer.SerializeToUtf8Bytes(claims))}";
        return $"{signed}.{Base64Url(key.SignData(Encoding.ASCII.GetBytes(signed), HashAlgorithmName.SHA256))}";
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
