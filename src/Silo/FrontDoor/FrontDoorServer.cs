using FleetPods.Silo.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
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
        services.AddOpenApi("v1");
        services.AddSingleton(new UnixCallers(new UnixAccounts()));
        services.AddSingleton<PeerCredentialConnections>();
        services.AddSingleton<ImageUploads>();
    }

    /// <summary>Kestrel, listening on the API socket of <paramref name="options"/>' api port (the directory made ready first).</summary>
    /// <exception cref="IOException">The socket's directory is not safe, or another daemon serves the socket.</exception>
    public static void AddFrontDoorListeners(this WebApplicationBuilder builder, DaemonOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        var socket = ApiSocket.PathFor(options.ApiPort);
        RuntimeDirectory.Prepare();
        ApiSocket.ClearStale(socket);
        builder.WebHost.UseKestrelCore();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.ListenUnixSocket(socket, listen =>
            {
                listen.Protocols = HttpProtocols.Http1;
                listen.Use(next => kestrel.ApplicationServices.GetRequiredService<PeerCredentialConnections>().Wrap(next));
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
