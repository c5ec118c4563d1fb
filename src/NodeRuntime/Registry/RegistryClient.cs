using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using FleetPods.NodeRuntime.Images;

namespace FleetPods.NodeRuntime.Registry;

/// <summary>
/// GETs against one registry (or one mirror of it) for one repository, as the OCI distribution API wants them:
/// a 401's challenge is answered (a bearer token from the realm it names, with the credentials when there are
/// some; or basic credentials) and the request made again; redirects are followed by hand so that the
/// Authorization header goes only to the registry's own origin, never to the storage a blob redirects to.
/// Written by hand: no served .NET package implements the distribution API's client side.
/// </summary>
internal sealed class RegistryClient : IDisposable
{
    private const int MaxRedirects = 5;
    private const int MaxTokenResponseBytes = 1 << 20;
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(30);

    private readonly HttpClient http;
    private readonly Uri origin;
    private readonly string repository;
    private readonly RegistryCredentials? credentials;
    private readonly bool insecure;
    private readonly SemaphoreSlim authenticating = new(1, 1);
    private volatile AuthenticationHeaderValue? authorization;

    /// <param name="origin">The registry's (or mirror's) scheme, host and port.</param>
    /// <param name="what">The registry or mirror, as errors name it.</param>
    /// <param name="caCertificatesPem">The CAs the server's certificate must chain to; null for the system's.</param>
    /// <param name="insecure">Whether plain HTTP is allowed, for the token realm too.</param>
    public RegistryClient(Uri origin, string what, string repository, RegistryCredentials? credentials, string? caCertificatesPem, bool insecure)
    {
        this.origin = origin;
        this.repository = repository;
        this.credentials = credentials;
        this.insecure = insecure;
        What = what;
        var roots = caCertificatesPem is null ? null : PrivateCertificateAuthorities.Read(caCertificatesPem);
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            ConnectTimeout = ConnectTimeout,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
        };
        if (roots is not null)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = PrivateCertificateAuthorities.TrustOnly(roots);
        }

        http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("fleetpods", null));
    }

    /// <summary>The registry or mirror, as errors name it.</summary>
    public string What { get; }

    /// <summary>GETs <paramref name="path"/> (below the origin), authenticating when challenged; the response's headers have been read.</summary>
    /// <exception cref="ImageImportException">The registry wants credentials that were not given, or refused those given.</exception>
    public async Task<HttpResponseMessage> GetAsync(string path, Action<HttpRequestMessage> configure, CancellationToken cancellationToken)
    {
        var used = authorization;
        var response = await SendFollowingRedirects(new Uri(origin, path), configure, used, cancellationToken);
        if (response.StatusCode != HttpStatusCode.Unauthorized)
        {
            return response;
        }

        var challenge = AuthChallenge.Choose(response.Headers.WwwAuthenticate);
        response.Dispose();
        if (challenge is null)
        {
            throw new ImageImportException($"{What} answered 401 Unauthorized without a Bearer or Basic challenge");
        }

        await Authenticate(challenge, used, cancellationToken);
        response = await SendFollowingRedirects(new Uri(origin, path), configure, authorization, cancellationToken);
        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            response.Dispose();
            throw credentials is null ? NeedsCredentials() : Refused();
        }

        return response;
    }

    public void Dispose()
    {
        http.Dispose();
        authenticating.Dispose();
    }

    private async Task<HttpResponseMessage> SendFollowingRedirects(
        Uri target, Action<HttpRequestMessage> configure, AuthenticationHeaderValue? auth, CancellationToken cancellationToken)
    {
        for (var hops = 0; ; hops++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, target);
            configure(request);
            if (auth is not null && SameOrigin(target, origin))
            {
                request.Headers.Authorization = auth;
            }

            var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if ((int)response.StatusCode is not (301 or 302 or 303 or 307 or 308))
            {
                return response;
            }

            var location = response.Headers.Location;
            response.Dispose();
            if (location is null || hops == MaxRedirects)
            {
                throw new ImageImportException($"{What}: {target.AbsolutePath}: {(location is null ? "a redirect without a Location" : $"more than {MaxRedirects} redirects")}");
            }

            var next = new Uri(target, location);
            if (next.Scheme is not ("http" or "https") || (next.Scheme == "http" && target.Scheme == "https"))
            {
                throw new ImageImportException($"{What}: {target.AbsolutePath}: refused a redirect from {target.Scheme} to {next.Scheme}");
            }

            target = next;
        }
    }

    private async Task Authenticate(AuthChallenge challenge, AuthenticationHeaderValue? used, CancellationToken cancellationToken)
    {
        await authenticating.WaitAsync(cancellationToken);
        try
        {
            // Another request (a parallel layer) may have answered the same challenge meanwhile.
            if (!ReferenceEquals(authorization, used))
            {
                return;
            }

            if (challenge.IsBasic)
            {
                authorization = credentials is null ? throw NeedsCredentials() : Basic(credentials);
                return;
            }

            authorization = new AuthenticationHeaderValue("Bearer", await RequestToken(challenge, cancellationToken));
        }
        finally
        {
            authenticating.Release();
        }
    }

    /// <summary>
    /// The token flow of the distribution spec: GET the realm with service and scope, with basic credentials when
    /// there are some. The realm is the registry's choice, as in docker; it must be HTTPS unless plain HTTP was
    /// allowed, so credentials never cross a network in clear text unasked.
    /// </summary>
    private async Task<string> RequestToken(AuthChallenge challenge, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(challenge["realm"], UriKind.Absolute, out var realm) || realm.Scheme is not ("https" or "http"))
        {
            throw new ImageImportException($"{What}: the Bearer challenge's realm '{challenge["realm"]}' is not an http(s) URL");
        }

        if (realm.Scheme == "http" && !insecure)
        {
            throw new ImageImportException($"{What}: refused to ask the token service {realm.GetLeftPart(UriPartial.Authority)} over plain HTTP (--insecure allows it)");
        }

        var query = new StringBuilder(realm.Query.Length > 0 ? realm.Query[1..] : "");
        foreach (var (name, value) in new[] { ("service", challenge["service"]), ("scope", challenge["scope"] ?? $"repository:{repository}:pull") })
        {
            if (value is not null)
            {
                query.Append(query.Length > 0 ? "&" : "").Append(name).Append('=').Append(Uri.EscapeDataString(value));
            }
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, new UriBuilder(realm) { Query = query.ToString() }.Uri);
        if (credentials is not null)
        {
            request.Headers.Authorization = Basic(credentials);
        }

        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            throw credentials is null ? NeedsCredentials() : Refused();
        }

        if (!response.IsSuccessStatusCode)
        {
            throw new ImageImportException($"{What}: the token service {realm.GetLeftPart(UriPartial.Path)} answered {(int)response.StatusCode} {response.ReasonPhrase}");
        }

        var body = await ReadBounded(response, MaxTokenResponseBytes, cancellationToken);
        try
        {
            using var document = JsonDocument.Parse(body);
            foreach (var name in new[] { "token", "access_token" })
            {
                if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty(name, out var token)
                    && token.ValueKind == JsonValueKind.String && token.GetString() is { Length: > 0 } value)
                {
                    return value;
                }
            }
        }
        catch (JsonException)
        {
        }

        throw new ImageImportException($"{What}: the token service {realm.GetLeftPart(UriPartial.Path)} answered no token");
    }

    /// <summary>A response body of at most <paramref name="limit"/> bytes.</summary>
    /// <exception cref="ImageImportException">The body is longer.</exception>
    public async Task<byte[]> ReadBounded(HttpResponseMessage response, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var buffer = new MemoryStream();
        var chunk = new byte[1 << 16];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                throw new ImageImportException($"{What}: {response.RequestMessage?.RequestUri?.AbsolutePath}: larger than {limit} bytes");
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static AuthenticationHeaderValue Basic(RegistryCredentials credentials) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{credentials.Username}:{credentials.Password}")));

    private static bool SameOrigin(Uri a, Uri b) =>
        a.Scheme == b.Scheme && string.Equals(a.IdnHost, b.IdnHost, StringComparison.OrdinalIgnoreCase) && a.Port == b.Port;

    private ImageImportException NeedsCredentials() =>
        new($"{What} wants credentials for {repository}: log in with 'docker login', or name a docker config with --creds-file");

    private ImageImportException Refused() =>
        new($"{What} refused the credentials of '{credentials!.Username}' for {repository} (401 Unauthorized): check the user name and password");
}
