using System.Net;
using System.Text.Json;

namespace FleetPods.Cli.Native.Api;

/// <summary>The API refused a request: its status and its one line (<c>{"error": …}</c>), and the whole answer (submit's <c>errors</c>).</summary>
internal sealed class ApiException(HttpStatusCode status, string message, JsonElement body) : Exception(message)
{
    public HttpStatusCode Status { get; } = status;

    public JsonElement Body { get; } = body;
}
