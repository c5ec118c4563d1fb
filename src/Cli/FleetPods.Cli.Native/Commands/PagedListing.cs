using System.Text.Json;
using FleetPods.Cli.Native.Api;

namespace FleetPods.Cli.Native.Commands;

/// <summary>
/// Reads every page of a listing (<c>GET /v1/pods</c>, <c>/v1/units</c>): the API answers a page as a JSON array and
/// names the next one in <c>Link: &lt;…&gt;; rel="next"</c>; the items of all pages come back as one array, as the
/// listing read before it paged.
/// </summary>
internal static class PagedListing
{
    public static async Task<JsonElement> ReadAll(ApiClient api, string path, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(api);
        using var buffer = new MemoryStream();
        using (var all = new Utf8JsonWriter(buffer))
        {
            all.WriteStartArray();
            for (string? next = path; next is not null;)
            {
                using var response = await api.Send(new HttpRequestMessage(HttpMethod.Get, next), HttpCompletionOption.ResponseContentRead, cancellationToken);
                var page = await response.Content.ReadAsByteArrayAsync(cancellationToken);
                try
                {
                    using var document = JsonDocument.Parse(page);
                    foreach (var item in document.RootElement.EnumerateArray())
                    {
                        item.WriteTo(all);
                    }
                }
                catch (Exception ex) when (ex is JsonException or InvalidOperationException)
                {
                    throw new CliException($"fleetpodsd at {api.Address} answered GET {next} with something that is not a JSON array");
                }

                next = Next(response);
            }

            all.WriteEndArray();
        }

        using var answer = JsonDocument.Parse(buffer.ToArray());
        return answer.RootElement.Clone();
    }

    /// <summary>The target of the answer's <c>Link</c> whose <c>rel</c> is <c>next</c>, or null on the last page.</summary>
    public static string? Next(HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (!response.Headers.TryGetValues("Link", out var values))
        {
            return null;
        }

        foreach (var link in values.SelectMany(v => v.Split(',')))
        {
            var parts = link.Split(';', StringSplitOptions.TrimEntries);
            if (parts[0] is ['<', .., '>'] target && parts.Skip(1).Any(p => p.Replace(" ", "", StringComparison.Ordinal) is "rel=\"next\"" or "rel=next"))
            {
                return target[1..^1];
            }
        }

        return null;
    }
}
