using System.Net;
using System.Security.Authentication;
using FleetPods.Silo.Api;
using FleetPods.Silo.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FleetPods.Silo.FrontDoor;

/// <summary>
/// The front door in fleetpodsd's host: Kestrel serving the HTTP API on the local Unix socket (callers known by
/// their peer credentials) beside the Orleans silo, the request pipeline (audit, errors, roles) and the endpoints.
/// </summary>
public static class FrontDoorServer
{
    /// <summary>The services the API's pipeline and endpoints use.</summary>
    public static void AddFrontDoor(this IServiceCollection services)
    {
        services.AddRouting();
        services.Configure<JsonOptions>(o => ApiJson.Configure(o.SerializerOptions));
        // A query value or body that does not bind (force=maybe) is an exception, so ApiErrors answers it in one line.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        // docs/openapi.json is this document; it names no server, as the same API is on every daemon's socket and port.
        services.AddOpenApi("v1", openApi => openApi.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "FleetPods API";
            document.Info.Description = "fleetpodsd's HTTP API v1, on /run/fleetpods/api-PORT.sock and HTTPS on the api port; see docs/api.md";
            document.Servers = [];
            return Task.CompletedTask;
        }));
        services.AddSingleton(new UnixCallers(new UnixAccounts()));
        services.AddSingleton<PeerCredentialConnections>();
        services.AddSingleton<CertificateConnections>();
        services.AddSingleton<ImageUploads>();
        services.AddSingleton<ImageStores>();
    }

    /// <summary>
    /// Kestrel, listening on the API socket of <paramref name="options"/>' api port (the directory made ready first)
    /// and with HTTPS on the api port itself: on loopback in the single-machine default, on every address in cluster
    /// mode. HTTPS presents this node's certificate and requires a client certificate of the cluster, which
    /// <see cref="CertificateConnections"/> judges in the handshake.
    /// </summary>
    /// <exception cref="IOException">The socket's directory is not safe, or another daemon serves the socket.</exception>
    public static void AddFrontDoorListeners(this WebApplicationBuilder builder, DaemonOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        var socket = ApiSocket.PathFor(options.ApiPort);
        RuntimeDirectory.Prepare();
        ApiSocket.ClearStale(socket);
        new ImageUploads(options).RemoveLeftovers();
        builder.WebHost.UseKestrelCore();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.ListenUnixSocket(socket, listen =>
            {
                listen.Protocols = HttpProtocols.Http1;
                listen.Use(next => kestrel.ApplicationServices.GetRequiredService<PeerCredentialConnections>().Wrap(next));
            });
            kestrel.Listen(!options.IsClusterMode ? IPAddress.Loopback : IPAddress.Any, options.ApiPort, listen =>
            {
                var credentials = kestrel.ApplicationServices.GetRequiredService<NodeCredentials>();
                var connections = kestrel.ApplicationServices.GetRequiredService<CertificateConnections>();
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                listen.UseHttps(https =>
                {
                    https.ServerCertificate = credentials.Certificate;
                    https.SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13;
                    https.ClientCertificateMode = ClientCertificateMode.RequireCertificate;
                    https.ClientCertificateValidation = (certificate, _, _) => connections.Admits(certificate);
                });
                listen.Use(connections.Wrap);
            });
        });
        builder.Services.AddHostedService(services => new ApiSocketOpening(socket, services.GetRequiredService<IHostApplicationLifetime>(), services.GetRequiredService<ILogger<ApiSocketOpening>>()));
    }

    /// <summary>The pipeline: the audit line around everything, then errors to answers, routing, the role gate, the endpoints.</summary>
    public static void UseFrontDoor(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseMiddleware<AuditLog>();
        app.UseMiddleware<ApiErrors>();
        app.UseRouting();
        app.UseMiddleware<RoleGate>();
        ApiV1.Map(app);
    }
}
