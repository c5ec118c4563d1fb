using System.Globalization;
using FleetPods.Silo.FrontDoor;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace FleetPods.Silo.Api;

/// <summary>
/// One page of a listing (<c>GET /v1/pods</c>, <c>GET /v1/units</c>): at most <see cref="Limit"/> items in key order
/// (pod id, unit name) after the key <see cref="After"/>. A full page answers with
/// <c>Link: &lt;…&amp;after=LAST&gt;; rel="next"</c> (RFC 8288, as GitHub pages), so the body stays the array it was.
/// </summary>
/// <param name="After">The last key of the previous page, or null for the first page.</param>
public sealed record PageQuery(int Limit, string? After)
{
    /// <summary>The default and the largest page: 100,000 pods never cross the wire as one answer.</summary>
    public const int MaxLimit = 1000;

    /// <exception cref="BadRequestException">limit is not a whole number from 1 to <see cref="MaxLimit"/>, or after is empty; the message names it.</exception>
    public static PageQuery Parse(string? limit, string? after)
    {
        var size = MaxLimit;
        if (limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out size) || size is < 1 or > MaxLimit))
        {
            throw new BadRequestException($"limit='{limit}' is not a whole number from 1 to {MaxLimit}");
        }

        return after is { Length: 0 }
            ? throw new BadRequestException("after='' names no key (leave it out for the first page)")
            : new PageQuery(size, after);
    }

    /// <summary>Points the answer at the page after <paramref name="last"/>, with the request's other parameters (its filters) kept.</summary>
    public static void LinkNext(HttpContext http, string last)
    {
        ArgumentNullException.ThrowIfNull(http);
        var request = http.Request;
        var query = QueryString.Create(request.Query
            .Where(p => !string.Equals(p.Key, "after", StringComparison.OrdinalIgnoreCase))
            .Append(new KeyValuePair<string, StringValues>("after", last)));
        http.Response.Headers.Link = $"<{request.PathBase}{request.Path}{query}>; rel=\"next\"";
    }
}
