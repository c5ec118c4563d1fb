using System.Net.Http.Headers;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using FleetPods.Cli.Native.Addressing;

namespace FleetPods.Cli.Native.Api;

/// <summary>Opens the <see cref="ApiClient"/> a command uses: the first endpoint that answers, over its socket or HTTPS.</summary>
internal static class ApiConnection
{
    public static async Task<(ApiClient Client, ServerCertificateCheck? Check)> Open(
        IReadOnlyList<ApiEndpoint> endpoints, ClientCredentials credentials, string socketDirectory, CancellationToken cancellationToken)
    {
        var route = await EndpointProbe.FirstAnswering(endpoints, socketDirectory, cancellationToken);
        var handler = new SocketsHttpHandler
        {
            // Every connection goes where the probe found an answer; the URL's host only names the server for TLS.
            ConnectCallback = async (_, token) => new NetworkStream(await EndpointProbe.Connect(route, token), ownsSocket: true),
            ConnectTimeout = TimeSpan.FromSeconds(5),
        };
        ServerCertificateCheck? check = null;
        Uri baseAddress;
        if (route is ApiRoute.Https https)
        {
            check = new ServerCertificateCheck(credentials.LoadAuthority(https.Endpoint));
            handler.SslOptions = new SslClientAuthenticationOptions
            {
                ClientCertificates = [credentials.LoadCertificate(https.Endpoint)],
                RemoteCertificateValidationCallback = check.Validate,
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            };
            baseAddress = new Uri($"https://{https.Endpoint.Authority}/");
        }
        else
        {
            baseAddress = new Uri("http://localhost/");
        }

        // Waits, runs and fetches last as long as what they follow; Ctrl-C is how a person gives up on them.
        var http = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = Timeout.InfiniteTimeSpan };
        http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("fleetpods", "1"));
        return (new ApiClient(http, route.ToString(), route is ApiRoute.Socket), check);
    }
}
