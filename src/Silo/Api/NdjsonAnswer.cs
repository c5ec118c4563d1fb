using System.Text.Json;
using FleetPods.Silo.FrontDoor;
using Microsoft.AspNetCore.Http;

namespace FleetPods.Silo.Api;

/// <summary>An <c>application/x-ndjson</c> answer: one JSON object a line, each sent as soon as it is written.</summary>
public sealed class NdjsonAnswer(HttpResponse response)
{
    public const string ContentType = "application/x-ndjson";

    public async Task Start()
    {
        response.ContentType = ContentType;
        await response.StartAsync(response.HttpContext.RequestAborted);
    }

    /// <exception cref="OperationCanceledException">The caller went away.</exception>
    public async Task Write<T>(T line, CancellationToken cancellationToken)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(line, ApiJson.Lines);
        await response.Body.WriteAsync(bytes, cancellationToken);
        await response.Body.WriteAsync("\n"u8.ToArray(), cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
    }
}
