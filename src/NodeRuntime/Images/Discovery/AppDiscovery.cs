using System.Net;
using System.Text;

namespace FleetPods.NodeRuntime.Images.Discovery;

/// <summary>
/// AppC image discovery (the appc spec's discovery.md): <c>https://NAME?ac-discovery=1</c>, then each parent path of
/// the name while a page answers 4xx, cannot be reached or has no template for the name; the first template that
/// fills in names the image and its signature. HTTPS only; redirects are followed (at most 10) and may not leave HTTPS.
/// </summary>
internal sealed class AppDiscovery(HttpClient http)
{
    private const int MaxPageBytes = 1 << 20;
    private static readonly TimeSpan PageTimeout = TimeSpan.FromSeconds(30);

    /// <exception cref="ImageImportException">No page names the image; the message lists each URL tried and why.</exception>
    public async Task<DiscoveredImage> DiscoverAsync(AppImageName app, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(app);
        var parts = app.Name.Split('/');
        var attempts = new List<string>();
        for (var end = parts.Length; end > 0; end--)
        {
            var page = new Uri($"https://{string.Join('/', parts[..end])}?ac-discovery=1");
            var (html, failure) = await ReadPage(page, cancellationToken);
            if (html is null)
            {
                attempts.Add($"{page}: {failure}");
                continue;
            }

            if (DiscoveryTemplates.Render(app, DiscoveryPage.Parse(html)) is [var found, ..])
            {
                return found;
            }

            attempts.Add($"{page}: no ac-discovery template for {app.Name} (https, every variable filled)");
        }

        throw new ImageImportException($"cannot discover {app}: {string.Join("; ", attempts)}");
    }

    private async Task<(string? Html, string? Failure)> ReadPage(Uri page, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(PageTimeout);
        try
        {
            using var response = await http.GetAsync(page, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            if (!response.IsSuccessStatusCode)
            {
                return (null, $"{(int)response.StatusCode} {response.ReasonPhrase}");
            }

            if (response.RequestMessage?.RequestUri is { Scheme: not "https" } landed)
            {
                return (null, $"redirected to {landed}, which is not https");
            }

            await using var body = await response.Content.ReadAsStreamAsync(timeout.Token);
            var bytes = new MemoryStream();
            var buffer = new byte[16 * 1024];
            int read;
            while ((read = await body.ReadAsync(buffer, timeout.Token)) > 0)
            {
                if (bytes.Length + read > MaxPageBytes)
                {
                    return (null, $"the page is larger than {MaxPageBytes >> 20} MiB");
                }

                bytes.Write(buffer, 0, read);
            }

            return (Encoding.UTF8.GetString(bytes.GetBuffer(), 0, (int)bytes.Length), null);
        }
        catch (HttpRequestException ex) when (ex.InnerException is System.Security.Authentication.AuthenticationException tls)
        {
            return (null, $"no TLS connection ({tls.Message}); a server whose certificate a private CA signed needs --ca-file");
        }
        catch (HttpRequestException ex)
        {
            return (null, ex.HttpRequestError == HttpRequestError.ConnectionError ? $"cannot connect ({ex.Message})" : ex.Message);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (null, $"no answer within {PageTimeout.TotalSeconds:0} s");
        }
    }

    /// <summary>The HTTP client discovery and the downloads it leads to use: the system's CAs, or only those given.</summary>
    public static HttpClient Client(string? caCertificatesPem)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = true,
            MaxAutomaticRedirections = 10,
            ConnectTimeout = TimeSpan.FromSeconds(30),
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
        };
        if (caCertificatesPem is not null)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = PrivateCertificateAuthorities.TrustOnly(PrivateCertificateAuthorities.Read(caCertificatesPem));
        }

        return new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }
}
