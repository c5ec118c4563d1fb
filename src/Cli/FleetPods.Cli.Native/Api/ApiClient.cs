using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace FleetPods.Cli.Native.Api;

/// <summary>Calls fleetpodsd's HTTP API v1 and turns every refusal into an <see cref="ApiException"/> with the API's own line.</summary>
internal sealed class ApiClient(HttpClient http, string address, bool isLocal) : IDisposable
{
    /// <summary>True over this machine's API socket: the daemon answering is this machine's own.</summary>
    public bool IsLocal { get; } = isLocal;

    /// <summary>Where the client talks to (a socket path or HOST:PORT), for messages.</summary>
    public string Address { get; } = address;

    public Task<JsonElement> GetJson(string path, CancellationToken cancellationToken) => Call(HttpMethod.Get, path, null, cancellationToken);

    /// <summary>The answer's JSON, which the call must have.</summary>
    public async Task<JsonElement> Call(HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken) =>
        await SendJson(method, path, content, cancellationToken) ?? throw new CliException($"fleetpodsd at {Address} answered {method} {path} with nothing");

    /// <summary>The answer's JSON, or null for an answer without a body (204).</summary>
    public async Task<JsonElement?> SendJson(HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken)
    {
        using var response = await Send(new HttpRequestMessage(method, path) { Content = content }, HttpCompletionOption.ResponseContentRead, cancellationToken);
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        if (bytes.Length == 0)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(bytes);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            throw new CliException($"fleetpodsd at {Address} answered {method} {path} with something that is not JSON");
        }
    }

    public async Task<string> GetText(string path, CancellationToken cancellationToken)
    {
        using var response = await Send(new HttpRequestMessage(HttpMethod.Get, path), HttpCompletionOption.ResponseContentRead, cancellationToken);
        return await response.Content.ReadAsStringAsync(cancellationToken);
    }

    /// <summary>The response once its headers are in, for a stream the caller reads (and disposes).</summary>
    /// <exception cref="ApiException">The API refused the request.</exception>
    public async Task<HttpResponseMessage> Send(HttpRequestMessage request, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        using (request)
        {
            var response = await http.SendAsync(request, completion, cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                return response;
            }

            using (response)
            {
                var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
                throw Refusal(response, body);
            }
        }
    }

    public static StringContent Json(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        return new StringContent(Encoding.UTF8.GetString(buffer.ToArray()), Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
    }

    public void Dispose() => http.Dispose();

    private ApiException Refusal(HttpResponseMessage response, byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("error", out var error)
                && error.ValueKind == JsonValueKind.String)
            {
                return new ApiException(response.StatusCode, error.GetString()!, document.RootElement.Clone());
            }
        }
        catch (JsonException)
        {
            // Not the API's error object (a proxy's page, an empty body): the status says what happened.
        }

        return new ApiException(response.StatusCode, $"fleetpodsd at {Address} answered {(int)response.StatusCode} {response.ReasonPhrase ?? response.StatusCode.ToString()}", default);
    }

    /// <summary>A path segment or query value, escaped.</summary>
    public static string Escape(string value) => Uri.EscapeDataString(value);

    /// <summary>A query string from the values that are given (null ones are left out).</summary>
    public static string Query(params (string Name, string? Value)[] values)
    {
        var given = values.Where(v => v.Value is not null).Select(v => $"{v.Name}={Escape(v.Value!)}").ToList();
        return given.Count == 0 ? "" : "?" + string.Join('&', given);
    }

    public static bool IsNotFound(ApiException ex) => ex.Status == HttpStatusCode.NotFound;
}
