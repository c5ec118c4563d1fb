using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using FleetPods.Security;
using FleetPods.Silo.FrontDoor;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace FleetPods.Silo.Tests.FrontDoor;

/// <summary>
/// docs/openapi.json is the document the API itself serves at /v1/openapi/v1.json: any change to an endpoint shows
/// up as a diff here, so the checked-in description is changed on purpose (as tests/Grains.Tests/PublicApi does).
/// </summary>
public sealed class OpenApiDocumentTests
{
    private static readonly string Approved = RepositoryRoot.Combine("docs/openapi.json");

    [Fact]
    public async Task The_checked_in_openapi_document_is_the_one_the_api_serves()
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Services.AddFrontDoor();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Use(next => connection =>
        {
            CallerItems.Set(connection.Items, new ApiCaller("test", Role.Reader, ApiChannel.Socket));
            return next(connection);
        })));
        await using var app = builder.Build();
        app.UseFrontDoor();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        using var http = new HttpClient();

        var served = await http.GetStringAsync(new Uri($"{address}/v1/openapi/v1.json"));
        await app.StopAsync();

        var document = JsonNode.Parse(served)!.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
        var approved = File.Exists(Approved) ? await File.ReadAllTextAsync(Approved) : "";
        if (approved != document)
        {
            await File.WriteAllTextAsync(Path.ChangeExtension(Approved, ".received.json"), document);
        }

        Assert.True(approved == document, $"The API changed; if that is intended, replace {Approved} with the .received.json beside it.");
    }
}
